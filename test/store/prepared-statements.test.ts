// Once a run's guard has shown the connection is a session of its own, the PostgreSQL store
// prepares statements with parameters once per connection. A schema change made through exec()
// (migrations) must not leave a prepared statement returning the old shape.

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

  const preparedCount = async () =>
    (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_prepared_statements WHERE name LIKE 'enforcer_%'`))[0]!.n;

  it('prepares nothing until asked to (a transaction pooler must meet the guard first)', async () => {
    for (let i = 0; i < 3; i++) await db.query('SELECT $1::int AS n', [i]);
    expect(await preparedCount()).toBe(0);
    db.usePreparedStatements!();
    await db.query('SELECT $1::int AS n', [1]);
    expect(await preparedCount()).toBe(1);
    const worker = await db.fork!();
    try {
      await worker.query('SELECT $1::int AS n', [1]);
      expect((await worker.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_prepared_statements`))[0]!.n).toBe(1);
    } finally {
      await worker.close();
    }
  });

  it('reads a table again after exec() changed its columns', async () => {
    db.usePreparedStatements!();
    await db.exec('CREATE TABLE t (a int); INSERT INTO t VALUES (1)');
    const read = () => db.query('SELECT * FROM t WHERE a = $1', [1]);
    expect(await read()).toEqual([{ a: 1 }]);
    expect(await read()).toEqual([{ a: 1 }]);
    await db.exec('ALTER TABLE t ADD COLUMN b int NOT NULL DEFAULT 2');
    expect(await read()).toEqual([{ a: 1, b: 2 }]);
  });

  it('keeps one statement per text, whatever the parameters', async () => {
    db.usePreparedStatements!();
    for (let i = 0; i < 20; i++) expect(await db.query<{ n: number }>('SELECT $1::int + 1 AS n', [i])).toEqual([{ n: i + 1 }]);
    expect(await preparedCount()).toBe(1);
  });
});
