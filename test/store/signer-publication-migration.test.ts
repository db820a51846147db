// Migration 006 on a database written by the previous version (PGlite and PostgreSQL): every
// signconf already written counts as published when it was written (the old rule: in place), so
// no zone is held after the upgrade, and no key change waits for a publication.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src/store/db.js';
import { loadMigrations, migrate } from '../../src/store/migrate.js';
import { pendingPublications } from '../../src/store/publication.js';
import { DB_KINDS, createTestDatabase, type TestDatabase } from '../helpers/databases.js';

const WRITTEN = new Date('2027-01-03T04:05:06Z');

describe.each(DB_KINDS)('migration 006 (signer publication) on %s', (kind) => {
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

  it('counts every signconf written before as published at its writing, and leaves no change unpublished', async () => {
    await migrate(db, loadMigrations().slice(0, 5));
    await db.transaction(async (tx) => {
      await tx.query(`SELECT set_config('enforcer.epoch', '0', true)`);
      await tx.query(`INSERT INTO policy (name, definition) VALUES ('p', '{}')`);
      for (const zone of ['a.example', 'b.example']) {
        await tx.query(`INSERT INTO zone (name, policy) VALUES ($1, 'p')`, [zone]);
        await tx.query(
          `INSERT INTO signconf_record (zone, path, content_hash, written_epoch, written_by, written_at) VALUES ($1, $2, repeat('a', 64), 0, 'n', $3)`,
          [zone, `/s/${zone}.xml`, WRITTEN],
        );
      }
    });
    expect(await migrate(db, loadMigrations().slice(0, 6))).toEqual([6]);
    const rows = await db.query<{ zone: string; published_at: Date; publish_failures: number }>(
      'SELECT zone, published_at, publish_failures FROM signconf_record ORDER BY zone',
    );
    expect(rows).toEqual([
      { zone: 'a.example', published_at: WRITTEN, publish_failures: 0 },
      { zone: 'b.example', published_at: WRITTEN, publish_failures: 0 },
    ]);
    expect(await pendingPublications(db)).toEqual([]);
  });
});
