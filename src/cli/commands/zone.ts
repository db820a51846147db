// `enforcer zone add|list|delete|set-policy`.

import type { Command } from 'commander';
import { audit } from '../../store/audit.js';
import { fenced } from '../../store/lease.js';
import { addZone, deleteZone, listZones, setZonePolicy } from '../../store/zones.js';
import { pinPublishedTtls } from '../../enforcer/published-ttls.js';
import { EnforcerError, EXIT } from '../../util/exit-codes.js';
import { normaliseZoneName } from '../../zones/zone-name.js';
import { action } from '../action.js';
import { printJson, printTable } from '../output.js';

export function registerZone(program: Command): void {
  const zone = program
    .command('zone')
    .description('zones')
    .addHelpText('after', '\nExamples:\n  enforcer zone add --zone example.com --policy default\n  enforcer zone list');
  zone
    .command('add')
    .description('add a zone under a policy')
    .requiredOption('--zone <name>', 'zone name')
    .requiredOption('--policy <name>', 'policy name')
    .option('--signconf <path>', 'signconf file name inside the signconf directory (default <zone>.xml)')
    .addHelpText('after', '\nExample:\n  enforcer zone add --zone example.com --policy default')
    .action(
      action<{ zone: string; policy: string; signconf?: string }>(async (ctx, o) => {
        const name = normaliseZoneName(o.zone, { path: '--zone' });
        await ctx.withLease((db, fence) =>
          fenced(db, fence, async (tx) => {
            await addZone(tx, { name, policy: o.policy, signconfPath: o.signconf ?? null, input: null, output: null });
            await audit(tx, fence, { actor: 'zone add', event: 'zone added', zone: name, detail: { policy: o.policy } });
          }),
        );
        if (ctx.json) printJson({ added: name });
        else process.stdout.write(`zone ${name} added with policy ${o.policy}; the next run gives it keys and a signconf\n`);
      }),
    );
  zone
    .command('list')
    .description('list zones')
    .addHelpText('after', '\nExamples:\n  enforcer zone list\n  enforcer --json zone list')
    .action(
      action(async (ctx) => {
        const zones = await listZones(await ctx.readDb());
        if (ctx.json) return printJson(zones);
        printTable(
          ['ZONE', 'POLICY', 'NEXT RUN', 'SIGNCONF'],
          zones.map((z) => [z.name, z.policy, z.nextRunAt?.toISOString() ?? 'now', z.signconfPath ?? '(default)']),
        );
      }),
    );
  zone
    .command('delete')
    .description('delete a zone and its key assignments (the keys stay in the keystore)')
    .requiredOption('--zone <name>', 'zone name')
    .addHelpText('after', '\nExample:\n  enforcer zone delete --zone example.com')
    .action(
      action<{ zone: string }>(async (ctx, o) => {
        const name = normaliseZoneName(o.zone, { path: '--zone' });
        const deleted = await ctx.withLease((db, fence) =>
          fenced(db, fence, async (tx) => {
            const ok = await deleteZone(tx, name);
            if (ok) await audit(tx, fence, { actor: 'zone delete', event: 'zone deleted', zone: name });
            return ok;
          }),
        );
        if (!deleted) throw new EnforcerError(`no such zone ${name}`, EXIT.BAD_INPUT);
        if (ctx.json) printJson({ deleted: name });
        else process.stdout.write(`zone ${name} deleted; its signconf file is left in place for the signer to be reconfigured\n`);
      }),
    );
  zone
    .command('set-policy')
    .description('move a zone to another policy (the next run rolls keys as needed)')
    .requiredOption('--zone <name>', 'zone name')
    .requiredOption('--policy <name>', 'policy name')
    .addHelpText('after', '\nExample:\n  enforcer zone set-policy --zone example.com --policy lab')
    .action(
      action<{ zone: string; policy: string }>(async (ctx, o) => {
        const name = normaliseZoneName(o.zone, { path: '--zone' });
        await ctx.withLease((db, fence) =>
          fenced(db, fence, async (tx) => {
            await pinPublishedTtls(tx);
            await setZonePolicy(tx, name, o.policy);
            await audit(tx, fence, { actor: 'zone set-policy', event: 'zone policy changed', zone: name, detail: { policy: o.policy } });
          }),
        );
        if (ctx.json) printJson({ zone: name, policy: o.policy });
        else process.stdout.write(`zone ${name} now uses policy ${o.policy}\n`);
      }),
    );
}
