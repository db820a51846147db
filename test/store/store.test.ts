// The same store cases against embedded PGlite and a real PostgreSQL server.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src/store/db.js';
import { SQLSTATE, sqlState } from '../../src/store/db.js';
import { acquireLease, fenced, readLease, releaseLease, renewLease, LeaseHeldError, LeaseLostError } from '../../src/store/lease.js';
import { migrate, schemaStatus, loadMigrations, SchemaTooNewError } from '../../src/store/migrate.js';
import { importPolicies, listPolicies } from '../../src/store/policies.js';
import { importZones, listZones } from '../../src/store/zones.js';
import { EXIT } from '../../src/util/exit-codes.js';
import { DB_KINDS, createTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { samplePolicy } from '../helpers/sample-policy.js';

describe.each(DB_KINDS)('store on %s', (kind) => {
  let tdb: TestDatabase;
  let db: Db;

  beforeEach(async () => {
    tdb = await createTestDatabase(kind);
    db = await tdb.open();
  });
  afterEach(async () => {
    await db.close();
    await tdb.drop();
  });

  it('applies every migration once and records it', async () => {
    const latest = loadMigrations().length;
    expect(await migrate(db)).toEqual(Array.from({ length: latest }, (_, i) => i + 1));
    expect(await migrate(db)).toEqual([]);
    const s = await schemaStatus(db);
    expect(s.current).toBe(latest);
    expect(s.pending).toEqual([]);
  });

  it('refuses a database whose schema is newer than the code', async () => {
    await migrate(db);
    await db.query(`INSERT INTO schema_migrations (version, name) VALUES (999, 'from_the_future')`);
    const err = await migrate(db).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SchemaTooNewError);
    expect((err as SchemaTooNewError).exitCode).toBe(EXIT.SCHEMA_TOO_NEW);
    expect((err as Error).message).toMatch(/schema is at version 999, newer than this enforcer knows/);
  });

  it('grants the lease to one holder at a time and raises the epoch on each acquisition', async () => {
    await migrate(db);
    const a = await acquireLease(db, 'node-a', 30);
    expect(a.role).toBe('active');
    if (a.role !== 'active') return;
    expect(a.fence.epoch).toBe(1);
    await expect(acquireLease(db, 'node-a', 30)).rejects.toBeInstanceOf(LeaseHeldError);
    await expect(acquireLease(db, 'node-b', 30)).rejects.toThrow(/node-a holds the lease \(epoch 1\)/);
    await renewLease(db, a.fence, 30);
    await releaseLease(db, a.fence);
    // node-a stays the active node: node-b is standby, node-a acts again under a new epoch.
    expect((await acquireLease(db, 'node-b', 30)).role).toBe('standby');
    const again = await acquireLease(db, 'node-a', 30);
    expect(again.role === 'active' && again.fence.epoch).toBe(2);
  });

  it('runs fenced transactions only under the current epoch', async () => {
    await migrate(db);
    const a = await acquireLease(db, 'node-a', 30);
    if (a.role !== 'active') throw new Error('expected active');
    await fenced(db, a.fence, (tx) => importPolicies(tx, [samplePolicy('p1')], false));
    await releaseLease(db, a.fence);
    const b = await acquireLease(db, 'node-a', 30);
    if (b.role !== 'active') throw new Error('expected active');
    const stale = await fenced(db, a.fence, (tx) => importPolicies(tx, [samplePolicy('p2')], false)).catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(LeaseLostError);
    expect((await listPolicies(db)).map((p) => p.name)).toEqual(['p1']);
  });

  it('rejects unfenced and stale writes in the database itself', async () => {
    await migrate(db);
    const a = await acquireLease(db, 'node-a', 30);
    if (a.role !== 'active') throw new Error('expected active');
    // No epoch declared: refused by the trigger even though the application check is bypassed.
    const unfenced = await db
      .query(`INSERT INTO policy (name, definition) VALUES ('x', '{}')`)
      .catch((e: unknown) => e);
    expect(sqlState(unfenced)).toBe(SQLSTATE.UNFENCED_WRITE);
    // An old epoch declared directly, bypassing fenced(): refused too.
    await releaseLease(db, a.fence);
    await acquireLease(db, 'node-a', 30);
    const stale = await db
      .transaction(async (tx) => {
        await tx.query(`SELECT set_config('enforcer.epoch', $1, true)`, [String(a.fence.epoch)]);
        await tx.query(`INSERT INTO policy (name, definition) VALUES ('x', '{}')`);
      })
      .catch((e: unknown) => e);
    expect(sqlState(stale)).toBe(SQLSTATE.STALE_EPOCH);
    expect((stale as Error).message).toMatch(/epoch 1 is not the current lease epoch 2/);
    // A row stamped with an old epoch under a current declaration: refused.
    const stamped = await db
      .transaction(async (tx) => {
        await tx.query(`SELECT set_config('enforcer.epoch', '2', true)`);
        await tx.query(`INSERT INTO policy (name, definition, epoch) VALUES ('x', '{}', 1)`);
      })
      .catch((e: unknown) => e);
    expect(sqlState(stamped)).toBe(SQLSTATE.STALE_EPOCH);
    expect(await listPolicies(db)).toEqual([]);
    // The epoch itself can never go back.
    await expect(db.query('UPDATE lease SET epoch = 0')).rejects.toThrow(/may not decrease/);
    expect((await readLease(db)).epoch).toBe(2);
  });

  it('imports policies and zones, updates what changed, removes only when asked', async () => {
    await migrate(db);
    const a = await acquireLease(db, 'node-a', 30);
    if (a.role !== 'active') throw new Error('expected active');
    const zones = [
      { name: 'example.com', policy: 'p1', signconfPath: null, input: null, output: null },
      { name: 'example.net', policy: 'p1', signconfPath: null, input: { type: 'File', path: '/z/net' }, output: null },
    ];
    const first = await fenced(db, a.fence, async (tx) => ({
      p: await importPolicies(tx, [samplePolicy('p1'), samplePolicy('p2')], false),
      z: await importZones(tx, zones, false),
    }));
    expect(first.p.added).toEqual(['p1', 'p2']);
    expect(first.z.added).toEqual(['example.com', 'example.net']);
    const second = await fenced(db, a.fence, async (tx) => ({
      p: await importPolicies(tx, [{ ...samplePolicy('p1'), description: 'changed' }], true),
      z: await importZones(tx, [zones[0]!], true),
    }));
    expect(second.p).toEqual({ added: [], updated: ['p1'], unchanged: [], removed: ['p2'] });
    expect(second.z).toEqual({ added: [], updated: [], unchanged: ['example.com'], removed: ['example.net'] });
    expect((await listZones(db)).map((z) => z.name)).toEqual(['example.com']);
    // A policy still in use cannot be removed, and the failed import changes nothing.
    await expect(fenced(db, a.fence, (tx) => importPolicies(tx, [samplePolicy('p9')], true))).rejects.toThrow(
      /policy p1 is not in the file but zones still use it \(example.com/,
    );
    expect((await listPolicies(db)).map((p) => p.name)).toEqual(['p1']);
  });
});
