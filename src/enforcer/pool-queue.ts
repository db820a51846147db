// Unused pool keys handed out to a batch's zone steps from memory. The run reads each slot's
// unused keys once per batch instead of every zone step asking the database for one (20,000
// claims at 10,000 zones, each a query whose plan walked every key already in use). This is
// sound because the run holds the run lock: nothing else takes pool keys while it goes on, and a
// key handed out here goes to one zone step only. The step's insert still marks the key
// allocated only while it is unused (insertZoneKey), so a mistake fails the step instead of
// giving one key to two zones.

import type { Queryable } from '../store/db.js';
import { poolKeys, unusedKeys, type HsmKeyRow, type PoolSlot } from '../store/keys.js';
import { slotKey } from '../keys/pool.js';

export class PoolQueue {
  private readonly waiting = new Map<string, HsmKeyRow[]>();
  /** Keys handed out in this batch, which the fallback claim must not take again. */
  private handedOut: number[] = [];

  /** Start a batch: read up to `count` unused keys of each slot, oldest first. */
  async fill(q: Queryable, needs: Iterable<{ slot: PoolSlot; count: number }>): Promise<void> {
    this.waiting.clear();
    this.handedOut = [];
    for (const { slot, count } of needs) this.waiting.set(slotKey(slot), await unusedKeys(q, slot, count));
  }

  /**
   * The next waiting key of the slot that `fits` (keys that do not fit this zone stay for the
   * others); when none is waiting, one claimed in the step's transaction like any other client.
   */
  async take(tx: Queryable, slot: PoolSlot, fits: (k: HsmKeyRow) => boolean): Promise<HsmKeyRow | undefined> {
    const queue = this.waiting.get(slotKey(slot)) ?? [];
    const i = queue.findIndex(fits);
    if (i >= 0) {
      const [k] = queue.splice(i, 1);
      this.handedOut.push(k!.id);
      return k;
    }
    const claimed = await claimPoolKey(tx, slot, fits, this.handedOut);
    if (claimed) this.handedOut.push(claimed.id);
    return claimed;
  }
}

/**
 * One unused pool key that `fits` (a zone never gets two keys with the same tag), claimed one at a
 * time so a transaction locks only the key it takes (and the rare colliding ones it passed over).
 */
async function claimPoolKey(tx: Queryable, slot: PoolSlot, fits: (k: HsmKeyRow) => boolean, exclude: readonly number[] = []): Promise<HsmKeyRow | undefined> {
  const passed = [...exclude];
  for (let i = 0; i < 8; i++) {
    const [k] = await poolKeys(tx, slot, 1, passed);
    if (!k) return undefined;
    if (fits(k)) return k;
    passed.push(k.id);
  }
  return undefined;
}
