// Taking the active role over: refused while the lease is live unless forced, a new epoch that
// fences the old holder out, and an audit entry saying who took over from whom and why.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { takeOver } from '../../src/lease/take-over.js';
import { readAudit } from '../../src/store/audit.js';
import type { Db } from '../../src/store/db.js';
import { acquireLease, fenced, LeaseHeldError, LeaseLostError, readLease, releaseLease } from '../../src/store/lease.js';
import { migrate } from '../../src/store/migrate.js';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.js';

describe('takeOver', () => {
  let tdb: TestDatabase;
  let db: Db;
  beforeEach(async () => {
    tdb = await createTestDatabase('postgres');
    db = await tdb.open();
    await migrate(db);
  });
  afterEach(async () => {
    await db.close();
    await tdb.drop();
  });

  it('refuses while the lease is live, takes over once it is free, and fences the old holder out', async () => {
    const a = await acquireLease(db, 'node-a', 30);
    if (a.role !== 'active') throw new Error('expected active');
    await expect(takeOver(db, 'node-b', 30, 'test')).rejects.toBeInstanceOf(LeaseHeldError);
    await releaseLease(db, a.fence);
    const b = await takeOver(db, 'node-b', 30, 'node-a is being serviced');
    expect(b.fence).toEqual({ node: 'node-b', epoch: 2 });
    expect(b.previous).toMatchObject({ activeNode: 'node-a', epoch: 1, held: false });
    expect(await readLease(db)).toMatchObject({ activeNode: 'node-b', holderNode: 'node-b', epoch: 2, held: true });
    await expect(fenced(db, a.fence, async () => undefined)).rejects.toBeInstanceOf(LeaseLostError);
    const [entry] = await readAudit(db);
    expect(entry).toMatchObject({
      node: 'node-b',
      epoch: 2,
      event: 'active node taken over',
      detail: { from: 'node-a', previousEpoch: 1, leaseWasLive: false, forced: false, reason: 'node-a is being serviced' },
    });
    await releaseLease(db, b.fence);
    // node-a is standby now; node-b acts under a further epoch.
    expect((await acquireLease(db, 'node-a', 30)).role).toBe('standby');
    const again = await acquireLease(db, 'node-b', 30);
    expect(again.role === 'active' && again.fence.epoch).toBe(3);
  });

  it('takes over from a live holder only when forced, and the holder can no longer write', async () => {
    const a = await acquireLease(db, 'node-a', 30);
    if (a.role !== 'active') throw new Error('expected active');
    const b = await takeOver(db, 'node-b', 30, 'partner down', { force: true });
    expect(b.fence.epoch).toBe(2);
    expect(b.previous).toMatchObject({ holderNode: 'node-a', held: true });
    await expect(fenced(db, a.fence, async () => undefined)).rejects.toBeInstanceOf(LeaseLostError);
    expect((await readAudit(db))[0]!.detail).toMatchObject({ forced: true, leaseWasLive: true, previousHolder: 'node-a' });
  });
});

describe('takeover ordering in the database', () => {
  let tdb: TestDatabase;
  let db: Db;
  let other: Db;
  beforeEach(async () => {
    tdb = await createTestDatabase('postgres');
    db = await tdb.open();
    other = await tdb.open();
    await migrate(db);
  });
  afterEach(async () => {
    await db.close();
    await other.close();
    await tdb.drop();
  });

  it('waits for a write already made under the old epoch, even one that bypassed fenced()', async () => {
    const a = await acquireLease(db, 'node-a', 30);
    if (a.role !== 'active') throw new Error('expected active');
    let commit!: () => void;
    const held = new Promise<void>((r) => (commit = r));
    let wrote!: () => void;
    const written = new Promise<void>((r) => (wrote = r));
    // A raw transaction under epoch 1: no lease check of its own, only the trigger.
    const stale = db.transaction(async (tx) => {
      await tx.query(`SELECT set_config('enforcer.epoch', '1', true)`);
      await tx.query(`INSERT INTO audit_log (node, actor, event) VALUES ('node-a', 'test', 'old epoch write')`);
      wrote();
      await held;
    });
    await written;
    let tookOver = false;
    const taking = takeOver(other, 'node-b', 30, 'partner down', { force: true }).then((r) => {
      tookOver = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(tookOver).toBe(false);
    commit();
    await stale;
    const t = await taking;
    expect(t.fence.epoch).toBe(2);
    expect((await readAudit(db)).map((e) => [e.event, e.epoch])).toEqual([
      ['old epoch write', 1],
      ['active node taken over', 2],
    ]);
  });
});
