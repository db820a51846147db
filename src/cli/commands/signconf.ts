// `enforcer signconf`: rewrite signconf files now (all zones or some), even when unchanged; the same
// as `run --force`, but never an automatic takeover, and exit 75 on the standby (nothing was rewritten).

import type { Command } from 'commander';
import { runEnforcer } from '../../enforcer/run.js';
import { EXIT } from '../../util/exit-codes.js';
import { normaliseZoneName } from '../../zones/zone-name.js';
import { action } from '../action.js';
import { printJson } from '../output.js';
import { describeRun } from './run.js';

export function registerSignconf(program: Command): void {
  program
    .command('signconf')
    .description('enforce every zone (or the given ones), due or not, and rewrite its signconf file even when unchanged')
    .option('--zone <name...>', 'only these zones')
    .option('--force', 'accepted for compatibility: signconf always rewrites')
    .addHelpText(
      'after',
      `
Examples:
  enforcer signconf
  enforcer signconf --zone example.com example.net

\`enforcer run --force\` does the same, except on the standby, where it exits 0 as the cron job must.

Exit codes: 0 done, 4 some zones failed, 75 this node is the standby (nothing rewritten) or another
process holds the run lock or lease, 3 bad input (e.g. a zone name), 69 database unreachable, 1 error.`,
    )
    .action(
      action<{ zone?: string[] }>(async (ctx, o) => {
        const db = await ctx.db();
        const zones = o.zone?.map((z) => normaliseZoneName(z, { path: '--zone' }));
        const summary = await runEnforcer(
          { db, config: ctx.config, keystores: ctx.keystores, clock: ctx.clock, log: ctx.log },
          { ...(zones ? { zones } : {}), force: true, actor: 'signconf' },
        );
        if (ctx.json) printJson({ ...summary, ...ctx.labJson() });
        else process.stdout.write(describeRun(summary, ctx.labBanner()) + '\n');
        if (summary.role === 'standby') return EXIT.NOT_ACTIVE;
        return summary.errors.length > 0 ? EXIT.PARTIAL : EXIT.OK;
      }),
    );
}
