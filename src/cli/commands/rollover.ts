// `enforcer rollover list [--zone Z]`: the rolls in progress per zone, and what each key waits for
// (a cache horizon, the operator's ds-seen / ds-gone, another key, a rule), plus the next
// scheduled rolls. Read-only.

import type { Command } from 'commander';
import { renderZoneRollovers, zoneRollovers, type ZoneRollovers } from '../../enforcer/rollover-view.js';
import { getPolicy } from '../../store/policies.js';
import { EnforcerError, EXIT } from '../../util/exit-codes.js';
import { action } from '../action.js';
import { printJson, printLines } from '../output.js';
import { zonesFor } from './plan.js';

export function registerRollover(program: Command): void {
  const rollover = program
    .command('rollover')
    .description('rolls in progress')
    .addHelpText('after', '\nExamples:\n  enforcer rollover list\n  enforcer --json rollover list --zone example.com');
  rollover
    .command('list')
    .description('keys in a roll or waiting, what each waits for and since or until when; the next scheduled rolls')
    .option('--zone <name>', 'only this zone')
    .addHelpText('after', '\nExamples:\n  enforcer rollover list\n  enforcer rollover list --zone example.com\n  enforcer --json rollover list')
    .action(
      action<{ zone?: string }>(async (ctx, o) => {
        const db = await ctx.readDb();
        const now = ctx.clock.now().getTime();
        const out: ZoneRollovers[] = [];
        for (const zone of await zonesFor(db, o.zone)) {
          const policy = await getPolicy(db, zone.policy);
          if (!policy) throw new EnforcerError(`zone ${zone.name}: policy ${zone.policy} is not in the database`, EXIT.BAD_INPUT);
          out.push(await zoneRollovers(db, zone.name, policy, now));
        }
        if (ctx.json) return printJson(out);
        if (out.length === 0) return printLines(['no zones']);
        printLines(out.flatMap((z, i) => [...(i > 0 ? [''] : []), ...renderZoneRollovers(z)]));
      }),
    );
}
