// The single-active guard in-process against the real PostgreSQL server (and once on PGlite):
// who acts, who is standby, how a lost run lock stops the session, how the timer keeps the
// lease, and the pooler check from the store's side.

import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/config.js';
import { enterActive, RunLockHeldError, type GuardDeps } from '../../src/lease/single-active.js';
import type { Db } from '../../src/store/db.js';
import { fenced, LeaseHeldError, readLease } from '../../src/store/lease.js';
import { migrate } from '../../src/store/migrate.js';
import { readNodeState } from '../../src/store/node-state.js';
import { RunLockLostError, type LockConnection } from '../../src/store/run-lock.js';
import { EXIT } from '../../src/util/exit-codes.js';
import { silentLogger } from '../../src/util/logger.js';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.js';

type GuardConfig = GuardDeps['config'];

function nodeConfig(node: string, database: Config['database'], lease = { ttlSeconds: 30, renewSeconds: 10 }): GuardConfig {
  return { node, database, lease, hooks: { onActive: null, onStandby: null, timeoutSeconds: 30 }, clock: { maxSkewSeconds: 60 } };
}

const audit = (db: Db, fence: Parameters<typeof fenced>[1], event: string) =>
  fenced(db, fence, (tx) => tx.query(`INSERT INTO audit_log (node, actor, event) VALUES ($1, 'test', $2)`, [fence.node, event]));

describe('single-active guard on postgres', () => {
  let tdb: TestDatabase;
  let db: Db;
  let dbB: Db;
  beforeEach(async () => {
    tdb = await createTestDatabase('postgres');
    db = await tdb.open();
    dbB = await tdb.open();
    await migrate(db);
  });
  afterEach(async () => {
    await db.close();
    await dbB.close();
    await tdb.drop();
  });

  it('lets one node act, names it to the other, then makes the other standby without touching the lock', async () => {
    const a = await enterActive({ db, config: nodeConfig('node-a', tdb.database), log: silentLogger });
    expect(a.role).toBe('active');
    if (a.role !== 'active') return;
    expect(a.session.fence.epoch).toBe(1);
    // Same node, second process (cron overlap): the lock says who.
    const same = await enterActive({ db: dbB, config: nodeConfig('node-a', tdb.database), log: silentLogger }).catch((e: unknown) => e);
    expect(same).toBeInstanceOf(RunLockHeldError);
    expect((same as RunLockHeldError).exitCode).toBe(EXIT.NOT_ACTIVE);
    expect((same as Error).message).toMatch(
      new RegExp(`another enforcer is running: node-a \\(process ${process.pid} at 127\\.0\\.0\\.1\\) holds the run lock since \\S+; lease epoch 1 held by node-a since`),
    );
    // The other node: standby straight away, even while node-a's run goes on.
    const b = await enterActive({ db: dbB, config: nodeConfig('node-b', tdb.database), log: silentLogger });
    expect(b).toMatchObject({ role: 'standby', lease: { activeNode: 'node-a', epoch: 1 } });
    expect(await readNodeState(db, 'node-b')).toMatchObject({ role: 'standby' });
    await audit(db, a.session.fence, 'still acting');
    await a.session.end();
    expect(await readLease(db)).toMatchObject({ activeNode: 'node-a', holderNode: null, held: false });
  });

  it('stops at once when the run lock is lost: nothing commits afterwards, the lease is handed back', async () => {
    const a = await enterActive({ db, config: nodeConfig('node-a', tdb.database), log: silentLogger });
    if (a.role !== 'active') throw new Error('expected active');
    await audit(db, a.session.fence, 'before');
    const admin = new pg.Client({ connectionString: (tdb.database as { url: string }).url });
    await admin.connect();
    const lockPid = (await admin.query(`SELECT pid FROM pg_stat_activity WHERE application_name LIKE 'enforcer-lock:%' AND datname = current_database()`)).rows[0].pid;
    const aborted = new Promise<number>((resolve) => a.session.signal.addEventListener('abort', () => resolve(performance.now())));
    const t0 = performance.now();
    await admin.query('SELECT pg_terminate_backend($1)', [lockPid]);
    await admin.end();
    console.log(`session aborted ${((await aborted) - t0).toFixed(1)} ms after pg_terminate_backend returned`);
    const err = await audit(db, a.session.fence, 'after').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RunLockLostError);
    await a.session.end();
    const events = (await db.query<{ event: string }>('SELECT event FROM audit_log ORDER BY id')).map((r) => r.event);
    expect(events).toEqual(['before']);
    // Lock and lease are free at once: the same node's next run acts under a new epoch.
    const again = await enterActive({ db: dbB, config: nodeConfig('node-a', tdb.database), log: silentLogger });
    expect(again.role === 'active' && again.session.fence.epoch).toBe(2);
    if (again.role === 'active') await again.session.end();
  });

  it('keeps the lease alive from its timer for longer than the ttl', async () => {
    const lease = { ttlSeconds: 5, renewSeconds: 1 };
    const a = await enterActive({ db, config: nodeConfig('node-a', tdb.database, lease), log: silentLogger });
    if (a.role !== 'active') throw new Error('expected active');
    await new Promise((r) => setTimeout(r, 6500));
    await audit(db, a.session.fence, 'after 6.5 s');
    expect(a.session.signal.aborted).toBe(false);
    const l = await readLease(db);
    expect(l.held).toBe(true);
    expect(l.renewedAt!.getTime()).toBeGreaterThan(l.acquiredAt!.getTime() + 4000);
    await a.session.end();
  });

  it('refuses when the store connection lands on the lock backend (transaction pooler)', async () => {
    // A pooler that hands the store client the backend the lock was just taken on.
    const shared: LockConnection = { query: (s, p) => db.query(s, p), exec: (s) => db.exec(s), onLost: () => undefined, close: async () => undefined };
    const err = await enterActive({ db, config: nodeConfig('node-a', tdb.database), log: silentLogger, openLock: async () => shared }).catch(
      (e: unknown) => e,
    );
    expect((err as Error).message).toMatch(/store's connection ran on backend (\d+) and sees the run lock held by \1, but the lock was taken on backend \1/);
    expect((await readLease(db)).epoch).toBe(0);
  });
});

describe('single-active guard on embedded', () => {
  it('uses the lease alone (the lock file keeps other processes out)', async () => {
    const tdb = await createTestDatabase('embedded');
    const db = await tdb.open();
    try {
      await migrate(db);
      const a = await enterActive({ db, config: nodeConfig('node-a', tdb.database), log: silentLogger });
      if (a.role !== 'active') throw new Error('expected active');
      await expect(enterActive({ db, config: nodeConfig('node-a', tdb.database), log: silentLogger })).rejects.toBeInstanceOf(LeaseHeldError);
      await a.session.end();
      expect(await enterActive({ db, config: nodeConfig('node-b', tdb.database), log: silentLogger })).toMatchObject({ role: 'standby' });
    } finally {
      await db.close();
      await tdb.drop();
    }
  });
});
