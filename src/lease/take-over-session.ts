// Entering the active role by taking it over (`failover`): the run lock, then the lease under a
// new epoch with this node as the active node, an audit entry and a publish hold in the same
// transaction, then the heartbeat. The caller has decided that a takeover is right (the active
// node is down, or the operator says so with --partner-down = `force`).
//
// Unforced, a run lock held by another process means the active node is running: refused (75).
// Forced, the lease is taken first, which fences the holder at once (its next renewal or write
// fails and it stops), and the run lock is then awaited for up to `lockWaitSeconds` while this
// process keeps its new lease renewed: a live holder lets go within one renew interval, a frozen
// one when the server ends its session (idle_session_timeout = lease ttl).

import { setTimeout as sleep } from 'node:timers/promises';
import { releaseLease, renewLease, type Fence, type LeaseRow } from '../store/lease.js';
import { EnforcerError, EXIT } from '../util/exit-codes.js';
import { ActiveSession, type SessionLock } from './active-session.js';
import { setHold } from './publish-hold.js';
import { RunLockHeldError, takeLock, type GuardDeps } from './single-active.js';
import { takeOver } from './take-over.js';

export interface TakeOverSessionOptions {
  force: boolean;
  reason: string;
  actor: string;
  lockWaitSeconds: number;
  /** Told once when the run lock has to be waited for. */
  onWait?: (message: string) => void;
}

export async function enterByTakeover(deps: GuardDeps, opts: TakeOverSessionOptions): Promise<{ session: ActiveSession; previous: LeaseRow }> {
  const { db, config } = deps;
  const pg = config.database.kind === 'postgres' ? config.database.url : null;
  let lock: SessionLock | null = null;
  if (pg) {
    try {
      lock = await takeLock(deps, pg);
    } catch (e) {
      if (!(e instanceof RunLockHeldError) || !opts.force) throw e;
    }
  }
  let taken: { fence: Fence; previous: LeaseRow };
  try {
    taken = await takeOver(db, config.node, config.lease.ttlSeconds, opts.reason, {
      force: opts.force,
      actor: opts.actor,
      alsoInTransaction: (tx, fence, previous) =>
        setHold(tx, {
          node: config.node, epoch: fence.epoch, since: new Date().toISOString(), cause: 'takeover',
          from: previous.activeNode, verdict: 'pending', problems: [],
        }),
    });
  } catch (e) {
    await lock?.held.release();
    await lock?.conn.close();
    throw e;
  }
  try {
    if (pg && !lock) lock = await awaitLock(deps, pg, taken.fence, opts);
  } catch (e) {
    await releaseLease(db, taken.fence).catch(() => undefined);
    throw e;
  }
  const lease = await renewLease(db, taken.fence, config.lease.ttlSeconds);
  const session = new ActiveSession(db, taken.fence, lease, lock, config.lease, deps.log);
  session.start();
  return { session, previous: taken.previous };
}

async function awaitLock(deps: GuardDeps, url: string, fence: Fence, opts: TakeOverSessionOptions): Promise<SessionLock> {
  const deadline = Date.now() + opts.lockWaitSeconds * 1000;
  let last: RunLockHeldError | null = null;
  for (let attempt = 0; Date.now() < deadline; attempt++) {
    // Keep the new lease alive while waiting; losing it here means yet another takeover happened.
    await renewLease(deps.db, fence, deps.config.lease.ttlSeconds);
    try {
      return await takeLock(deps, url);
    } catch (e) {
      if (!(e instanceof RunLockHeldError)) throw e;
      last = e;
      if (attempt === 0) opts.onWait?.(`waiting up to ${opts.lockWaitSeconds} s for the old holder to let go of the run lock: ${e.message}`);
    }
    await sleep(Math.min(1000, Math.max(0, deadline - Date.now())));
  }
  throw new EnforcerError(
    `took over the active role at epoch ${fence.epoch}, but the run lock is still held after ${opts.lockWaitSeconds} s ` +
      `(${last?.message ?? 'held'}); nothing was written: run \`enforcer failover\` again`,
    EXIT.NOT_ACTIVE,
  );
}
