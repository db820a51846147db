// Giving pool keys to zones: the run hands unused keys out from memory (PoolQueue), and the
// database still refuses to give a key that is not unused, so a slip there fails the zone step
// instead of sharing one key between two zones.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PoolQueue } from '../../src/enforcer/pool-queue.js';
import type { Db } from '../../src/store/db.js';
import { insertHsmKey, insertZoneKey, zoneKeys, type HsmKeyRow, type PoolSlot } from '../../src/store/keys.js';
import { acquireLease, fenced, type Fence } from '../../src/store/lease.js';
import { migrate } from '../../src/store/migrate.js';
import { importPolicies } from '../../src/store/policies.js';
import { importZones } from '../../src/store/zones.js';
import { DB_KINDS, createTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { samplePolicy } from '../helpers/sample-policy.js';

const SLOT: PoolSlot = { policy: 'p1', role: 'ZSK', algorithm: 13, bits: 256, repository: 'SoftHSM' };
const STATES = { ds: 'na', dnskey: 'hidden', rrsigdnskey: 'na', rrsig: 'hidden' } as const;

describe.each(DB_KINDS)('pool allocation on %s', (kind) => {
  let tdb: TestDatabase;
  let db: Db;
  let fence: Fence;
  let keys: HsmKeyRow[];

  beforeEach(async () => {
    tdb = await createTestDatabase(kind);
    db = await tdb.open();
    await migrate(db);
    const a = await acquireLease(db, 'node-a', 30);
    if (a.role !== 'active') throw new Error('expected active');
    fence = a.fence;
    keys = await fenced(db, fence, async (tx) => {
      await importPolicies(tx, [samplePolicy('p1')], false);
      await importZones(tx, ['a.example', 'b.example'].map((name) => ({ name, policy: 'p1', signconfPath: null, input: null, output: null })), false);
      const out: HsmKeyRow[] = [];
      for (let i = 0; i < 3; i++) out.push(await insertHsmKey(tx, { ...SLOT, locator: `${i}`.repeat(32), publicKey: new Uint8Array(64).fill(i + 1) }));
      return out;
    });
  });
  afterEach(async () => {
    await db.close();
    await tdb.drop();
  });

  const give = (zone: string, hsm: HsmKeyRow) =>
    fenced(db, fence, (tx) => insertZoneKey(tx, { zone, role: 'ZSK', flags: 256, keyTag: 1000 + hsm.id, goal: 'omnipresent', states: STATES, at: new Date('2026-01-01T00:00:00Z') }, hsm, true));

  it('returns the new zone key exactly as a later read gives it, and marks the key allocated', async () => {
    const row = await give('a.example', keys[0]!);
    expect(await zoneKeys(db, 'a.example')).toEqual([row]);
    expect((await db.query<{ status: string }>('SELECT status FROM hsm_key WHERE id = $1', [keys[0]!.id]))[0]!.status).toBe('allocated');
  });

  it('refuses a key that is no longer unused, and inserts nothing', async () => {
    await give('a.example', keys[0]!);
    await expect(give('b.example', keys[0]!)).rejects.toThrow(/key 0{32} is no longer an unused pool key/);
    expect(await zoneKeys(db, 'b.example')).toEqual([]);
  });

  it('hands each key out once, keeps a key that does not fit for the next zone, then claims from the database', async () => {
    const pool = new PoolQueue();
    await pool.fill(db, [{ slot: SLOT, count: 2 }]);
    const taken = await fenced(db, fence, async (tx) => [
      await pool.take(tx, SLOT, (k) => k.id !== keys[0]!.id),
      await pool.take(tx, SLOT, () => true),
      // The queue is empty: the fallback claims in the database, never a key handed out above.
      await pool.take(tx, SLOT, () => true),
      await pool.take(tx, SLOT, () => true),
    ]);
    expect(taken.map((k) => k?.locator)).toEqual(['1'.repeat(32), '0'.repeat(32), '2'.repeat(32), undefined]);
  });
});
