// `enforcer switchover --to NODE` on the active node: a planned handover. Under the run lock and
// lease (so no run of this node is in progress), this node runs its onStandby hook (its signer
// stops first), then in one fenced transaction the epoch grows, NODE becomes the active node with
// a publish hold, and the handover is audited. NODE completes it with `enforcer failover`, which
// finds itself already the active node and runs the remaining steps (run, verify, live keys, GO);
// until then cron runs on NODE are refused, so nothing publishes there unverified.
// Contract: refused (nothing changed) unless this node is the active node and NODE is another
// node that has run against this database; a failing onStandby hook aborts with this node still
// the active node (its next run restarts what the hook may have stopped).

import type { Config } from '../config/config.js';
import { setHold } from '../lease/publish-hold.js';
import { stepDown } from '../lease/role-transition.js';
import { enterActive } from '../lease/single-active.js';
import { audit } from '../store/audit.js';
import type { Db } from '../store/db.js';
import { assertClockInStep } from '../lease/clock-skew.js';
import { handOverLease, readLease } from '../store/lease.js';
import { readNodeState } from '../store/node-state.js';
import { EnforcerError, EXIT } from '../util/exit-codes.js';
import type { Logger } from '../util/logger.js';

export interface SwitchoverResult {
  from: string;
  to: string;
  previousEpoch: number;
  epoch: number;
}

export async function switchover(
  deps: { db: Db; config: Config; log: Logger },
  opts: { to: string; reason: string; actor: string },
): Promise<SwitchoverResult> {
  const { db, config } = deps;
  const me = config.node;
  if (opts.to === me) throw new EnforcerError(`--to names this node (${me}): name the standby to hand over to`, EXIT.USAGE);
  await assertClockInStep(db, config);
  const lease = await readLease(db);
  if (lease.activeNode !== me) {
    throw new EnforcerError(
      `switchover runs on the active node, which is ${lease.activeNode ?? 'nobody yet'}, not ${me}` +
        (lease.activeNode === opts.to ? `; ${opts.to} is already the active node` : ''),
      EXIT.NOT_ACTIVE,
    );
  }
  if (!(await readNodeState(db, opts.to))) {
    throw new EnforcerError(`${opts.to} has never run against this database: run \`enforcer run\` (or \`status\`) on it first, then switch over`, EXIT.BAD_INPUT);
  }
  const entered = await enterActive({ db, config, log: deps.log, deferTransition: true });
  if (entered.role === 'standby') throw new EnforcerError(`${entered.lease.activeNode} became the active node meanwhile`, EXIT.NOT_ACTIVE);
  const session = entered.session;
  try {
    await stepDown({ db, config, log: deps.log }, session.fence.epoch, opts.to, session.signal);
    const { epoch } = await handOverLease(db, session.fence, opts.to, async (tx, fence) => {
      await audit(tx, fence, {
        actor: opts.actor,
        event: 'active node handed over',
        detail: { from: me, to: opts.to, previousEpoch: session.fence.epoch, reason: opts.reason },
      });
      await setHold(tx, { node: opts.to, epoch: fence.epoch, since: new Date().toISOString(), cause: 'handover', from: me, verdict: 'pending', problems: [] });
    });
    deps.log.warn({ from: me, to: opts.to, epoch }, `${me} handed the active role to ${opts.to}`);
    return { from: me, to: opts.to, previousEpoch: session.fence.epoch, epoch };
  } finally {
    await session.end();
  }
}
