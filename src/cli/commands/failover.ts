// `enforcer failover`: on the standby, take over and prove it is safe to publish from here
// (src/failover/failover.ts), or with --drill the same checks without taking anything
// (src/failover/drill.ts), safe at any time while the primary is active.

import os from 'node:os';
import type { Command } from 'commander';
import { runDrill } from '../../failover/drill.js';
import { runFailover } from '../../failover/failover.js';
import { printDrill, printFailover } from '../../failover/report.js';
import { EnforcerError, EXIT } from '../../util/exit-codes.js';
import { action } from '../action.js';
import type { Context } from '../context.js';
import { printJson } from '../output.js';

interface FailoverOptions {
  drill?: boolean;
  keepScratch?: string;
  partnerDown?: boolean;
  reason?: string;
}

export function registerFailover(program: Command): void {
  program
    .command('failover')
    .description('take over as the active node on this (standby) node, verify, and say GO or NO-GO before anything is published')
    .option('--drill', 'run the checks without taking the lease or touching the real signconf directory (safe at any time)')
    .option('--keep-scratch <dir>', 'with --drill: render the signconfs into this new or empty directory and keep it')
    .option('--partner-down', 'take over although the active node looks alive: you know it is down (powered off, fenced); it is fenced at once')
    .option('--reason <text>', 'why, for the audit log (default: "failover")')
    .addHelpText(
      'after',
      `
Examples:
  enforcer -c /etc/dnssec-enforcer/enforcer.yaml failover --drill
  enforcer -c /etc/dnssec-enforcer/enforcer.yaml failover
  enforcer -c /etc/dnssec-enforcer/enforcer.yaml failover --partner-down --reason "ns-a lost its disk"
  enforcer --json failover --drill --keep-scratch /var/tmp/drill

Steps: 1 database reachable, configuration identical to the active node's, every zone key in this
node's keystore; 2 take the lease: refused while the active node is alive (a run in progress, or it
held the lease within failover.safePeriod) unless --partner-down; 3 run the enforcer for every zone
and rewrite every signconf file under the new epoch; 4 every file freshly written, stamped with the
new epoch and as the database recorded it; 5 the live DNSKEY sets from the configuration's probe
servers match what the database expected; 6 GO: run hooks.onActive and failover.publishCommand.
On NO-GO nothing is published and cron runs on this node are held (exit 1, \`status\` says why)
until failover, run again once the problems are fixed, says GO.
--drill runs steps 1, 3 (into a scratch directory), 4 and 5 and changes nothing. A change the
active node's next run will make (a roll due, e.g. after \`key rollover\`) is listed under "notes":
a failover's run makes it too, so it is no reason for NO-GO.

Exit codes: 0 GO (and everything in step 6 succeeded), 1 NO-GO or a step 6 command failed,
75 refused: the active node is alive or the lease or run lock is held, 69 database unreachable, 2 usage.`,
    )
    .action(
      action<FailoverOptions>(async (ctx, opts) => {
        if (opts.drill) {
          if (opts.partnerDown) throw new EnforcerError('--partner-down takes over; --drill never does: choose one', EXIT.USAGE);
          return drill(ctx, opts);
        }
        if (opts.keepScratch) throw new EnforcerError('--keep-scratch is for --drill only', EXIT.USAGE);
        const report = await runFailover(
          {
            config: ctx.config,
            openDb: () => ctx.db(),
            keystores: ctx.keystores,
            // Read through ctx at each use: opening the database anchors the clock to the database's
            // (and moves it on a lab or test database), after this object is built.
            clock: ctx.currentClock(),
            liveNow: () => ctx.realClock.now(),
            log: ctx.log,
            ...(process.stderr.isTTY ? { progress: (done: number, zone: string) => process.stderr.write(`\rstep 3: ${done} zones (${zone})\x1b[K`) } : {}),
          },
          { partnerDown: opts.partnerDown ?? false, reason: opts.reason ?? 'failover', actor: `failover by ${operator()}` },
        );
        if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
        if (ctx.json) printJson(report);
        else printFailover(report);
        return {
          exitCode: report.exitCode,
          message: `failover ${report.verdict}`,
          fields: { verdict: report.verdict, epoch: report.takeover?.epoch ?? null, problems: report.steps.reduce((n, s) => n + s.problems.length, 0) },
        };
      }),
    );
}

async function drill(ctx: Context, opts: FailoverOptions) {
  const report = await runDrill({
    config: ctx.config,
    openDb: () => ctx.readDb(),
    now: () => ctx.clock.now(),
    liveNow: () => ctx.realClock.now(),
    ...(opts.keepScratch ? { keepScratch: opts.keepScratch } : {}),
  });
  if (ctx.json) printJson(report);
  else printDrill(report);
  const problems = report.steps.reduce((n, s) => n + s.problems.length, 0);
  return { exitCode: report.verdict === 'GO' ? EXIT.OK : EXIT.ERROR, message: `drill ${report.verdict}`, fields: { verdict: report.verdict, problems } };
}

/** The person behind the command, for the audit log (sudo's caller rather than root). */
export function operator(): string {
  const user = process.env.SUDO_USER || (() => { try { return os.userInfo().username; } catch { return 'unknown'; } })();
  return `${user}@${os.hostname()}`;
}
