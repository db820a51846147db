// The PostgreSQL store prepares statements with parameters once per connection. A schema change
// made through exec() (migrations) must not leave a prepared statement returning the old shape.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src/store/db.js';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.js';

describe('prepared statements on postgres', () => {
  let tdb: TestDatabase;
  let db: Db;
  beforeEach(async () => {
    tdb = await createTestDatabase('postgres');
    db = await tdb.open();
  });
  afterEach(async () => {
    await db.close();
    await tdb.drop();
  });

  it('reads a table again after exec() changed its columns', async () => {
    await db.exec('CREATE TABLE t (a int); INSERT INTO t VALUES (1)');
    const read = () => db.query('SELECT * FROM t WHERE a = $1', [1]);
    expect(await read()).toEqual([{ a: 1 }]);
    expect(await read()).toEqual([{ a: 1 }]);
    await db.exec('ALTER TABLE t ADD COLUMN b int NOT NULL DEFAULT 2');
    expect(await read()).toEqual([{ a: 1, b: 2 }]);
  });

  it('keeps one statement per text, whatever the parameters', async () => {
    for (let i = 0; i < 20; i++) expect(await db.query<{ n: number }>('SELECT $1::int + 1 AS n', [i])).toEqual([{ n: i + 1 }]);
    const prepared = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_prepared_statements WHERE name LIKE 'enforcer_%'`);
    expect(prepared[0]!.n).toBe(1);
  });
});
