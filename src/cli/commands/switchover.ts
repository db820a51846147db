// `enforcer switchover --to NODE`: planned handover from this (active) node to the standby.

import type { Command } from 'commander';
import { switchover } from '../../failover/switchover.js';
import { action } from '../action.js';
import { printJson, printLines } from '../output.js';
import { operator } from './failover.js';

export function registerSwitchover(program: Command): void {
  program
    .command('switchover')
    .description('hand the active role to the standby (on the active node); the standby then runs `failover`')
    .requiredOption('--to <node>', 'the node to hand over to (its configured node name)')
    .option('--reason <text>', 'why, for the audit log (default: "planned switchover")')
    .addHelpText(
      'after',
      `
Examples:
  enforcer -c /etc/dnssec-enforcer/enforcer.yaml switchover --to ns-b --reason "ns-a maintenance"   (on ns-a)
  enforcer -c /etc/dnssec-enforcer/enforcer.yaml failover                                        (then on ns-b)

This node (the active node) waits for its run lock, runs its hooks.onStandby (stop the signer
here), and hands the active role to --to under a new epoch. Until \`failover\` on that node says GO,
runs there are refused; nothing publishes unverified.

Exit codes: 0 handed over, 1 the onStandby hook failed (this node stays active), 3 the node never
ran against this database, 75 this node is not the active node or a run holds the lock, 69 database unreachable.`,
    )
    .action(
      action<{ to: string; reason?: string }>(async (ctx, opts) => {
        const db = await ctx.db();
        const r = await switchover({ db, config: ctx.config, log: ctx.log }, { to: opts.to, reason: opts.reason ?? 'planned switchover', actor: `switchover by ${operator()}` });
        if (ctx.json) printJson(r);
        else printLines([`${r.from} handed the active role to ${r.to} (epoch ${r.previousEpoch} -> ${r.epoch})`, `next, on ${r.to}: enforcer failover`]);
        return { exitCode: 0, message: `handed over to ${r.to}`, fields: { ...r } };
      }),
    );
}
