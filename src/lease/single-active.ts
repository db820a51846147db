// The single-active guard every state-changing command goes through. In order:
//
//   1. Another node is the recorded active node: this node is standby. Nothing is locked or
//      written (bar this node's own role record), so a cron `run` here exits 0 even while the
//      active node is mid-run; the onStandby hook runs if this node was active before.
//   2. PostgreSQL: take the run lock (session advisory lock on a dedicated connection, see
//      src/store/run-lock.ts). Held by another process: exit 75 naming it (node, process, since
//      when). The store's own connection must be a different backend that sees our backend as
//      the holder, else a transaction-mode pooler is in the way and we refuse.
//      Embedded: the data directory's lock file already keeps every other process out.
//   3. Take the lease (new epoch). A live lease held elsewhere: exit 75; the active node being
//      another node after all (it changed since step 1): standby.
//   4. Start the heartbeat (ActiveSession). A publish hold on this node (it took over or was
//      handed the active role and no failover has said GO yet, see publish-hold.ts) refuses the
//      command. Run the onActive hook if this node was not active before; a failing hook ends the
//      session and fails the command. `failover` enters with `deferTransition`: it may act under
//      a hold and runs the transition itself once its checks say GO.

import type { Config } from '../config/config.js';
import type { Db } from '../store/db.js';
import { acquireLease, readLease, type LeaseRow } from '../store/lease.js';
import {
  backendPid,
  lockApplicationName,
  openLockConnection,
  readRunLockHolder,
  takeRunLock,
  type LockClientOptions,
  type LockConnection,
  type RunLockHolder,
} from '../store/run-lock.js';
import { EnforcerError, EXIT } from '../util/exit-codes.js';
import { failpoint } from '../util/failpoint.js';
import type { Logger } from '../util/logger.js';
import { assertClockInStep } from './clock-skew.js';
import { ActiveSession, type SessionLock } from './active-session.js';
import { holdApplies, PublishHeldError, readHold } from './publish-hold.js';
import { lockClientOptions, lockSessionSettings } from './lock-timing.js';
import { becomeActive, becomeStandby } from './role-transition.js';

export interface GuardDeps {
  db: Db;
  config: Pick<Config, 'node' | 'database' | 'lease' | 'hooks' | 'clock'>;
  log: Logger;
  /** Opens the run lock's connection; tests substitute one that behaves like a pooler. */
  openLock?: (url: string, opts: LockClientOptions) => Promise<LockConnection>;
  /** Act despite a publish hold and leave the onActive transition to the caller (failover). */
  deferTransition?: boolean;
}

export type Entered = { role: 'active'; session: ActiveSession } | { role: 'standby'; lease: LeaseRow };

export class RunLockHeldError extends EnforcerError {
  constructor(
    readonly holder: RunLockHolder | null,
    readonly lease: LeaseRow,
  ) {
    super(describeHolder(holder, lease), EXIT.NOT_ACTIVE);
  }
}

function describeHolder(h: RunLockHolder | null, lease: LeaseRow): string {
  const leaseText =
    lease.held && lease.holderNode
      ? `; lease epoch ${lease.epoch} held by ${lease.holderNode} since ${lease.acquiredAt?.toISOString()}`
      : '';
  if (!h) return `another enforcer held the run lock a moment ago (it is free now; try again)${leaseText}`;
  const who = h.node ? `${h.node} (process ${h.processId ?? '?'}${h.clientAddr ? ` at ${h.clientAddr}` : ''})` : `database backend ${h.backendPid} (${h.applicationName ?? 'unknown application'})`;
  return `another enforcer is running: ${who} holds the run lock since ${h.since?.toISOString() ?? 'an unknown time'}${leaseText}`;
}

export async function enterActive(deps: GuardDeps): Promise<Entered> {
  const { db, config } = deps;
  // A node with a wrong clock acts in no role: it is told at once, not when it next takes over.
  await assertClockInStep(db, config);
  const before = await readLease(db);
  if (before.activeNode && before.activeNode !== config.node) {
    await becomeStandby(deps, before);
    return { role: 'standby', lease: before };
  }
  // Refused before taking anything, so a held node's cron runs leave the epoch alone.
  if (!deps.deferTransition) {
    const hold = await readHold(db);
    if (holdApplies(hold, config.node, before.activeNode)) throw new PublishHeldError(hold);
  }
  const lock = config.database.kind === 'postgres' ? await takeLock(deps, config.database.url) : null;
  let session: ActiveSession | null = null;
  try {
    const acq = await acquireLease(db, config.node, config.lease.ttlSeconds);
    if (acq.role === 'standby') {
      await lock?.held.release();
      await becomeStandby(deps, acq.lease);
      return { role: 'standby', lease: acq.lease };
    }
    session = new ActiveSession(db, acq.fence, acq.lease, lock, config.lease, deps.log);
    session.start();
    if (!deps.deferTransition) {
      const hold = await readHold(db);
      if (holdApplies(hold, config.node, acq.lease.activeNode)) throw new PublishHeldError(hold);
      await becomeActive(deps, acq.fence.epoch, session.signal);
    }
    await failpoint('after-lease');
    session.check();
    return { role: 'active', session };
  } catch (e) {
    if (session) await session.end();
    else await lock?.held.release();
    throw e;
  }
}

/** Take the run lock (exit 75 naming the holder when another process has it). */
export async function takeLock(deps: GuardDeps, url: string): Promise<SessionLock> {
  const { db, config } = deps;
  const open = deps.openLock ?? openLockConnection;
  const conn = await open(url, lockClientOptions(config.lease, lockApplicationName(config.node)));
  try {
    const r = await takeRunLock(conn, lockSessionSettings(config.lease));
    if (!r.held) throw new RunLockHeldError(r.holder, await readLease(db));
    const lock = { held: r.held, conn };
    try {
      await assertStoreSeesLock(db, r.held.backendPid);
    } catch (e) {
      await r.held.release();
      throw e;
    }
    return lock;
  } catch (e) {
    await conn.close();
    throw e;
  }
}

/**
 * The store's connection is another client: through PostgreSQL directly it is another backend,
 * and it sees the lock's backend as the holder. A transaction-mode pooler tends to hand it the
 * very backend the lock was taken on (now idle in the pool), which this catches.
 */
async function assertStoreSeesLock(db: Db, lockPid: number): Promise<void> {
  const storePid = await backendPid(db);
  const holder = await readRunLockHolder(db);
  if (storePid === lockPid || holder?.backendPid !== lockPid) {
    throw new EnforcerError(
      `the store's connection ran on backend ${storePid} and sees the run lock held by ${holder?.backendPid ?? 'nobody'}, ` +
        `but the lock was taken on backend ${lockPid}: a transaction-mode pooler (pgbouncer pool_mode=transaction) ` +
        'cannot carry a session lock; connect the enforcer to PostgreSQL directly or through a session-mode pool',
      EXIT.ERROR,
    );
  }
}
