// Taking the active role over from another node. Only when the lease is not held by a live
// process (its holder finished, or stopped renewing for a whole ttl), unless forced by an
// operator who knows the old holder is gone ("partner down"); either way the epoch grows, so
// anything the old holder still tries is refused by the fence, and an audit entry records who
// took over from whom and why. The caller gets the lease for ttl and must act under the
// returned fence or hand it back (releaseLease); the node's next run does the rest.

import { audit } from '../store/audit.js';
import type { Db, Queryable } from '../store/db.js';
import { takeOverLease, type Fence, type LeaseRow } from '../store/lease.js';

export interface TakeOverOptions {
  /** Take over even while the lease is live (the caller vouches the holder is gone). */
  force?: boolean;
  actor?: string;
  /** More writes in the takeover's transaction, under the new epoch (e.g. the publish hold). */
  alsoInTransaction?: (tx: Queryable, fence: Fence, previous: LeaseRow) => Promise<void>;
}

export async function takeOver(
  db: Db,
  node: string,
  ttlSeconds: number,
  reason: string,
  opts: TakeOverOptions = {},
): Promise<{ fence: Fence; previous: LeaseRow }> {
  const force = opts.force ?? false;
  const r = await takeOverLease(db, node, ttlSeconds, { force }, async (tx, fence, previous) => {
    await audit(tx, fence, {
      actor: opts.actor ?? 'take over',
      event: 'active node taken over',
      detail: {
        from: previous.activeNode,
        previousEpoch: previous.epoch,
        previousHolder: previous.holderNode,
        leaseWasLive: previous.held,
        forced: force,
        reason,
      },
    });
    await opts.alsoInTransaction?.(tx, fence, previous);
  });
  return { fence: r.fence, previous: r.previous };
}
