// `enforcer key ds-check [--zone Z]... [--apply] [--quiet]`: ask every parent server whether the DS
// changes the enforcer waits for are there, and with --apply record ds-seen / ds-gone for the keys
// every server confirms (as the single active enforcer; refused on the standby).

import type { Command } from 'commander';
import { checkDs, type DsCheckReport, type ZoneReport } from '../../enforcer/ds-check.js';
import type { Db } from '../../store/db.js';
import { readLease } from '../../store/lease.js';
import { EnforcerError, EXIT } from '../../util/exit-codes.js';
import { normaliseZoneName } from '../../zones/zone-name.js';
import { action } from '../action.js';
import type { Context } from '../context.js';
import { printJson, printTable } from '../output.js';

interface Options {
  zone?: string[];
  apply?: boolean;
  ifActive?: boolean;
  quiet?: boolean;
}

const SOURCE: Record<string, string> = {
  zone: 'configured for the zone (dsCheck.zones)',
  global: 'configured for all zones (dsCheck.servers)',
  discovered: 'found through the resolver',
};

export function registerKeyDsCheck(key: Command): void {
  key
    .command('ds-check')
    .description('ask every parent nameserver for the DS records the enforcer waits for; --apply records ds-seen / ds-gone')
    .option('--zone <name>', 'only this zone (repeatable); default every zone with a key waiting for the parent', (v: string, prev: string[] | undefined) => [...(prev ?? []), v])
    .option('--apply', 'record ds-seen / ds-gone for every key all parent servers confirm (active node only)')
    .option('--if-active', 'with --apply on the standby node: do nothing and exit 0 (the same cron line on both nodes)')
    .option('--quiet', 'print only what needs attention or was recorded (nothing while merely waiting); for cron')
    .addHelpText(
      'after',
      `
Every server of the parent zone is asked directly (no recursion, no cache): the servers in
dsCheck.zones.<zone>.servers, else dsCheck.servers, else the parent zone's nameservers found through
dsCheck.resolver. A key waiting for ds-seen is confirmed when every server serves a DS whose digest
matches the key; a key waiting for ds-gone when no server serves one any more.

Verdicts: confirmed (recorded with --apply), pending (the parent does not show the change on every
server yet), unknown (a server gave no usable answer: unreachable, SERVFAIL, lame, wrong zone, ...).

Examples:
  enforcer key ds-check
  enforcer key ds-check --zone example.com --zone example.net
  enforcer --json key ds-check --apply
  7-59/15 * * * *  enforcer --config /etc/dnssec-enforcer/enforcer.yaml key ds-check --apply --if-active --quiet
                   (crontab, same line on both nodes; minutes apart from the run's cron line)

Exit codes: 0 nothing waiting, or every waiting key confirmed (and recorded with --apply),
or --apply --if-active on the standby node; 1 some waiting key not confirmed (pending or unknown)
or not recorded; 2 usage; 3 bad input (unknown zone, bad configuration); 69 database unreachable;
75 --apply on the standby node (without --if-active) or while another process acts; 78 database
schema newer than this program.`,
    )
    .action(
      action<Options>(async (ctx, o) => {
        const zones = (o.zone ?? []).map((z) => normaliseZoneName(z, { path: '--zone' }));
        if (o.ifActive && !o.apply) throw new EnforcerError('--if-active goes with --apply', EXIT.USAGE);
        if (o.ifActive) {
          const lease = await readLease(await ctx.db());
          if (lease.activeNode && lease.activeNode !== ctx.config.node) {
            const message = `standby: ${lease.activeNode} is the active node (epoch ${lease.epoch}); nothing done on ${ctx.config.node}`;
            if (ctx.json) printJson({ role: 'standby', activeNode: lease.activeNode, epoch: lease.epoch });
            else if (!o.quiet) process.stdout.write(message + '\n');
            return { exitCode: EXIT.OK, message, fields: { role: 'standby', activeNode: lease.activeNode } };
          }
        }
        const report = o.apply
          ? await ctx.withLease((db, fence) => checkDs(deps(ctx, db), { zones, apply: { fence, actor: 'key ds-check' } }))
          : await checkDs(deps(ctx, await ctx.readDb()), { zones });
        if (ctx.json) printJson(report);
        else printReport(report, o.quiet ?? false);
        const c = report.counts;
        const done = o.apply ? c.recorded : c.confirmed;
        return {
          exitCode: done === c.waiting ? EXIT.OK : EXIT.ERROR,
          message: `${c.waiting} waiting: ${c.confirmed} confirmed, ${c.recorded} recorded, ${c.pending} pending, ${c.unknown} unknown`,
          fields: { ...c, apply: report.apply },
        };
      }),
    );
}

/** Built after the database is open: only then is the context's clock final (test settings). */
function deps(ctx: Context, db: Db) {
  return { db, config: ctx.config, clock: ctx.clock, log: ctx.log };
}

function needsAttention(z: ZoneReport): boolean {
  return z.problem !== null || z.warnings.length > 0 || z.keys.some((k) => k.recorded || k.verdict === 'unknown' || k.recordNote !== null);
}

function printReport(r: DsCheckReport, quiet: boolean): void {
  const zones = r.zones.filter((z) => !quiet || needsAttention(z));
  if (r.counts.waiting === 0) {
    if (quiet) return;
    const named = r.zones.map((z) => z.zone);
    process.stdout.write(named.length > 0 ? `${named.join(', ')}: no key waiting for the parent\n` : 'no key is waiting for the parent\n');
    return;
  }
  if (zones.length === 0) return;
  const rows = zones.flatMap((z) =>
    z.keys.map((k) => [z.zone, k.keyTag, k.role, k.dsAtParent, k.wants, k.verdict, r.apply ? (k.recorded ? 'yes' : 'no') : '-']),
  );
  printTable(['ZONE', 'KEY', 'ROLE', 'DS@PARENT', 'WANTS', 'VERDICT', 'RECORDED'], rows);
  for (const z of zones) {
    if (z.keys.length === 0) {
      if (!quiet) process.stdout.write(`\n${z.zone}: no key waiting for the parent\n`);
      continue;
    }
    const lines: string[] = [];
    if (z.problem) lines.push(`${z.zone}: ${z.problem}`);
    else lines.push(`${z.zone}: ${z.servers.length} parent server(s) ${SOURCE[z.serverSource ?? ''] ?? ''}${z.parentZone ? ` for ${z.parentZone}` : ''}`);
    for (const s of z.servers) {
      if (!s.ok) lines.push(`  ${s.server}: ${s.problem}`);
      else if (s.ds.length === 0) lines.push(`  ${s.server}: no DS (${s.rcode} from ${s.answeredFrom}, over ${s.via})`);
      else lines.push(`  ${s.server}: ${s.ds.length} DS (over ${s.via}):`, ...s.ds.map((d) => `    ${d}`));
    }
    for (const k of z.keys) {
      const note = k.recorded ? `; ${k.wants} recorded` : k.recordNote ? `; not recorded: ${k.recordNote}` : '';
      lines.push(`  key ${k.keyTag}: ${k.verdict}: ${k.reason}${note}`);
    }
    for (const w of z.warnings) lines.push(`  warning: ${w}`);
    process.stdout.write('\n' + lines.join('\n') + '\n');
  }
}
