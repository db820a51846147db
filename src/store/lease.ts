// The lease row: which node is active and which process currently acts, with an epoch that
// grows on every acquisition and fences every write. All times come from the database clock,
// so a node whose own clock is wrong still makes the same decision as its partner.
//
//   acquire: lease free (expired or released) and this node active (or no node active yet)
//            -> epoch + 1, holder = this node, expires = db now + ttl
//   renew:   same holder and epoch, not yet expired -> expires = db now + ttl
//   release: same holder and epoch -> holder cleared, expires = db now
//
//   take over: lease free, or forced -> epoch + 1, active = holder = the taking node
//
// The session lock, heartbeats and takeover rules of the single-active guard (src/lease/) build
// on this.

import { EnforcerError, EXIT } from '../util/exit-codes.js';
import type { Db, Queryable } from './db.js';

export interface Fence {
  node: string;
  epoch: number;
  /**
   * Aborted by the single-active guard the moment this process stops being sure it holds the
   * run lock and lease; fenced() then refuses to start or commit anything. The database fence
   * stays the last line of defence.
   */
  signal?: AbortSignal;
  /**
   * Until when (performance.now() ms: a monotonic clock, which runs on while the process is frozen)
   * this process can be sure its lease has not expired, counted from the start of its last
   * successful renewal. Past it, the process may have been frozen or cut off long enough for
   * another node to take over, and it must not put a file in place (see assertLeaseTime).
   */
  deadline?: () => number;
}

export interface LeaseRow {
  epoch: number;
  activeNode: string | null;
  holderNode: string | null;
  acquiredAt: Date | null;
  renewedAt: Date | null;
  expiresAt: Date | null;
  /** Whether expires_at is in the future by the database clock. */
  held: boolean;
  dbNow: Date;
}

export class LeaseHeldError extends EnforcerError {
  constructor(readonly lease: LeaseRow) {
    super(
      `another enforcer is acting: ${lease.holderNode} holds the lease (epoch ${lease.epoch}) since ` +
        `${lease.acquiredAt?.toISOString()}, until ${lease.expiresAt?.toISOString()} unless renewed`,
      EXIT.NOT_ACTIVE,
    );
  }
}

export class LeaseLostError extends EnforcerError {
  constructor(fence: Fence, lease: LeaseRow | null) {
    super(
      `lease lost: this process acts under epoch ${fence.epoch} as ${fence.node}, but the lease is ` +
        (lease ? `at epoch ${lease.epoch} held by ${lease.holderNode ?? 'nobody'}${lease.held ? '' : ' (expired)'}` : 'missing') +
        '; stopping without writing',
      EXIT.NOT_ACTIVE,
    );
  }
}

const COLUMNS = `epoch, active_node, holder_node, acquired_at, renewed_at, expires_at,
  coalesce(expires_at > now(), false) AS held, now() AS db_now`;
const SELECT = `SELECT ${COLUMNS} FROM lease WHERE id = 1`;
/** fenced()'s one round trip: read the lease, held FOR SHARE until commit, and declare the epoch. */
const FENCE_SELECT = `SELECT ${COLUMNS}, set_config('enforcer.epoch', $1, true) AS declared FROM lease WHERE id = 1 FOR SHARE`;

function toRow(r: Record<string, unknown>): LeaseRow {
  return {
    epoch: r.epoch as number,
    activeNode: r.active_node as string | null,
    holderNode: r.holder_node as string | null,
    acquiredAt: r.acquired_at as Date | null,
    renewedAt: r.renewed_at as Date | null,
    expiresAt: r.expires_at as Date | null,
    held: r.held as boolean,
    dbNow: r.db_now as Date,
  };
}

export async function readLease(q: Queryable, lock: '' | 'FOR SHARE' | 'FOR UPDATE' = ''): Promise<LeaseRow> {
  const rows = await q.query(`${SELECT} ${lock}`);
  if (!rows[0]) throw new EnforcerError('the lease row is missing; run enforcer db migrate', EXIT.ERROR);
  return toRow(rows[0]);
}

export type Acquired = { role: 'active'; fence: Fence; lease: LeaseRow } | { role: 'standby'; lease: LeaseRow };

/**
 * Take the lease for this node. Throws LeaseHeldError while any process holds a live lease;
 * returns standby (without taking anything) when another node is the active one.
 */
export async function acquireLease(db: Db, node: string, ttlSeconds: number): Promise<Acquired> {
  return db.transaction(async (tx) => {
    const lease = await readLease(tx, 'FOR UPDATE');
    if (lease.held && lease.holderNode) throw new LeaseHeldError(lease);
    if (lease.activeNode && lease.activeNode !== node) return { role: 'standby' as const, lease };
    const rows = await tx.query(
      `UPDATE lease SET epoch = epoch + 1, active_node = $1, holder_node = $1, acquired_at = now(),
         renewed_at = now(), expires_at = now() + make_interval(secs => $2) WHERE id = 1 RETURNING epoch`,
      [node, ttlSeconds],
    );
    const epoch = rows[0]!.epoch as number;
    return { role: 'active' as const, fence: { node, epoch }, lease: await readLease(tx) };
  });
}

/**
 * The last check before an unfenceable write (renaming a signconf into place): the database
 * fences rows, not files, so a process frozen after its commit must itself notice on waking
 * that its lease may have run out meanwhile.
 */
export function assertLeaseTime(fence: Fence, now: number = performance.now()): void {
  fence.signal?.throwIfAborted();
  if (fence.deadline && now > fence.deadline()) {
    throw new EnforcerError(
      `lease lost: this process's lease (epoch ${fence.epoch}) may have expired ${Math.round(now - fence.deadline())} ms ago ` +
        '(it was frozen or could not renew); stopping without putting the file in place',
      EXIT.NOT_ACTIVE,
    );
  }
}

/** Extend a live lease; throws LeaseLostError if it expired or was taken over. */
export async function renewLease(db: Db, fence: Fence, ttlSeconds: number): Promise<LeaseRow> {
  return db.transaction(async (tx) => {
    const rows = await tx.query(
      `UPDATE lease SET renewed_at = now(), expires_at = now() + make_interval(secs => $3)
        WHERE id = 1 AND epoch = $1 AND holder_node = $2 AND expires_at > now() RETURNING epoch`,
      [fence.epoch, fence.node, ttlSeconds],
    );
    if (rows.length === 0) throw new LeaseLostError(fence, await readLease(tx));
    return readLease(tx);
  });
}

/** Give the lease back at the end of a run; the node stays the active node. */
export async function releaseLease(db: Db, fence: Fence): Promise<void> {
  await db.query(
    `UPDATE lease SET holder_node = NULL, expires_at = now() WHERE id = 1 AND epoch = $1 AND holder_node = $2`,
    [fence.epoch, fence.node],
  );
}

/**
 * Run fn in one transaction that first proves, under a share lock on the lease row, that this
 * process still holds the current epoch, then declares the epoch so the database-side fence
 * accepts its writes. Every state change goes through here.
 */
export async function fenced<T>(db: Db, fence: Fence, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  fence.signal?.throwIfAborted();
  return db.transaction(async (tx) => {
    // A mismatch throws below and rolls the epoch declaration back with everything else.
    const rows = await tx.query(FENCE_SELECT, [String(fence.epoch)]);
    if (!rows[0]) throw new EnforcerError('the lease row is missing; run enforcer db migrate', EXIT.ERROR);
    const lease = toRow(rows[0]);
    if (lease.epoch !== fence.epoch || lease.holderNode !== fence.node || !lease.held) {
      throw new LeaseLostError(fence, lease);
    }
    const out = await fn(tx);
    // Throwing here rolls the transaction back: nothing commits once the guard gave up.
    fence.signal?.throwIfAborted();
    return out;
  });
}

/**
 * Make `node` the active node under a new epoch and give it the lease for ttl: only when no
 * process holds a live lease, unless forced (the caller has established that the holder is
 * gone). A forced takeover waits for the old holder's open fenced transaction (it holds the
 * lease row FOR SHARE) and so lands strictly after it. `inTransaction` runs under the new epoch
 * in the same transaction (the audit entry).
 */
export async function takeOverLease(
  db: Db,
  node: string,
  ttlSeconds: number,
  opts: { force: boolean },
  inTransaction?: (tx: Queryable, fence: Fence, previous: LeaseRow) => Promise<void>,
): Promise<{ fence: Fence; previous: LeaseRow; lease: LeaseRow }> {
  return db.transaction(async (tx) => {
    const previous = await readLease(tx, 'FOR UPDATE');
    if (previous.held && previous.holderNode && !opts.force) throw new LeaseHeldError(previous);
    const rows = await tx.query(
      `UPDATE lease SET epoch = epoch + 1, active_node = $1, holder_node = $1, acquired_at = now(),
         renewed_at = now(), expires_at = now() + make_interval(secs => $2) WHERE id = 1 RETURNING epoch`,
      [node, ttlSeconds],
    );
    const fence: Fence = { node, epoch: rows[0]!.epoch as number };
    if (inTransaction) {
      await tx.query(`SELECT set_config('enforcer.epoch', $1, true)`, [String(fence.epoch)]);
      await inTransaction(tx, fence, previous);
    }
    return { fence, previous, lease: await readLease(tx) };
  });
}

/**
 * Hand the active role to another node (a planned switchover): only by the process holding the
 * live lease under `fence`. The epoch grows, `to` becomes the active node and the lease is left
 * free for it. `inTransaction` runs under the new epoch in the same transaction.
 */
export async function handOverLease(
  db: Db,
  fence: Fence,
  to: string,
  inTransaction: (tx: Queryable, newFence: Fence) => Promise<void>,
): Promise<{ epoch: number }> {
  fence.signal?.throwIfAborted();
  return db.transaction(async (tx) => {
    const rows = await tx.query(
      `UPDATE lease SET epoch = epoch + 1, active_node = $3, holder_node = NULL, acquired_at = now(), renewed_at = now(), expires_at = now()
        WHERE id = 1 AND epoch = $1 AND holder_node = $2 AND expires_at > now() RETURNING epoch`,
      [fence.epoch, fence.node, to],
    );
    if (rows.length === 0) throw new LeaseLostError(fence, await readLease(tx));
    const epoch = rows[0]!.epoch as number;
    await tx.query(`SELECT set_config('enforcer.epoch', $1, true)`, [String(epoch)]);
    await inTransaction(tx, { node: fence.node, epoch });
    return { epoch };
  });
}
