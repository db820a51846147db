// `enforcer failover --drill`: the regular fire drill of the failover runbook (docs: domain notes),
// run on the standby while the primary is active. Only the drill exists so far: without --drill the
// command refuses, because a real takeover (taking the lease, writing signconfs) is not built yet.

import type { Command } from 'commander';
import { runDrill } from '../../failover/drill.js';
import { printDrill } from '../../failover/report.js';
import { EnforcerError, EXIT } from '../../util/exit-codes.js';
import { action } from '../action.js';
import { printJson } from '../output.js';

interface FailoverOptions {
  drill?: boolean;
  keepScratch?: string;
}

export function registerFailover(program: Command): void {
  program
    .command('failover')
    .description('check that this (standby) node could take over: preconditions, signconfs, live DNSKEY sets')
    .option('--drill', 'run the checks without taking the lease or touching the real signconf directory (safe at any time)')
    .option('--keep-scratch <dir>', 'render the signconfs into this new or empty directory and keep it')
    .addHelpText(
      'after',
      `
Examples:
  enforcer -c /etc/dnssec-enforcer/enforcer.yaml failover --drill
  enforcer --json failover --drill --keep-scratch /var/tmp/drill

Steps: 1 database reachable, configuration identical to the active node's, every zone key in this
node's keystore; 3 render every zone's signconf as a run now would (into a scratch directory);
4 rendered and on-disk signconfs match what the database recorded; 5 live DNSKEY sets from the
servers of the configuration's probe section match the expected sets.

Exit codes: 0 GO (every step passed), 1 NO-GO (the problems are listed), 2 usage.`,
    )
    .action(
      action<FailoverOptions>(async (ctx, opts) => {
        if (!opts.drill) throw new EnforcerError('only --drill is available: the takeover itself is not implemented yet', EXIT.USAGE);
        const report = await runDrill({
          config: ctx.config,
          openDb: () => ctx.readDb(),
          now: () => ctx.clock.now(),
          ...(opts.keepScratch ? { keepScratch: opts.keepScratch } : {}),
        });
        if (ctx.json) printJson(report);
        else printDrill(report);
        const problems = report.steps.reduce((n, s) => n + s.problems.length, 0);
        return {
          exitCode: report.verdict === 'GO' ? EXIT.OK : EXIT.ERROR,
          message: `drill ${report.verdict}`,
          fields: { verdict: report.verdict, problems },
        };
      }),
    );
}
