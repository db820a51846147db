// `enforcer signconf`: rewrite signconf files now (all zones or some), even when unchanged.

import type { Command } from 'commander';
import { runEnforcer } from '../../enforcer/run.js';
import { listZones } from '../../store/zones.js';
import { EXIT } from '../../util/exit-codes.js';
import { normaliseZoneName } from '../../zones/zone-name.js';
import { action } from '../action.js';
import { printJson } from '../output.js';
import { describeRun } from './run.js';

export function registerSignconf(program: Command): void {
  program
    .command('signconf')
    .description('enforce and rewrite the signconf files of all (or the given) zones, even when unchanged')
    .option('--zone <name...>', 'only these zones')
    .option('--force', 'accepted for compatibility: signconf always rewrites')
    .addHelpText('after', '\nExamples:\n  enforcer signconf\n  enforcer signconf --zone example.com')
    .action(
      action<{ zone?: string[] }>(async (ctx, o) => {
        const db = await ctx.db();
        const zones = o.zone ? o.zone.map((z) => normaliseZoneName(z, { path: '--zone' })) : (await listZones(db)).map((z) => z.name);
        const summary = await runEnforcer({ db, config: ctx.config, keystores: ctx.keystores, clock: ctx.clock, log: ctx.log }, { zones, force: true, actor: 'signconf' });
        if (ctx.json) printJson({ ...summary, ...ctx.labJson() });
        else process.stdout.write(describeRun(summary, ctx.labBanner()) + '\n');
        if (summary.role === 'standby') return EXIT.NOT_ACTIVE;
        return summary.errors.length > 0 ? EXIT.PARTIAL : EXIT.OK;
      }),
    );
}
