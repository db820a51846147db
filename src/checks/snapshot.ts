// Every check reads the database in one REPEATABLE READ, READ ONLY transaction: PostgreSQL itself
// refuses any write, and the check sees one consistent state even while the active node runs.
// Contract: no lock, no lease, nothing written. Keep network and slow work outside `fn`: the store's
// connection ends a transaction left idle longer than the lease ttl.

import type { Db, Queryable } from '../store/db.js';

export function readSnapshot<T>(db: Db, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    return fn(tx);
  });
}

/**
 * The snapshot as a Db, for library code that takes one (nodeStatus): its queries run inside the
 * snapshot, it cannot open a transaction of its own or close the connection.
 */
export function snapshotDb(db: Db, tx: Queryable): Db {
  return {
    kind: db.kind,
    description: db.description,
    query: (sql, params) => tx.query(sql, params),
    exec: (sql) => tx.exec(sql),
    transaction: (fn) => fn(tx),
    close: async () => undefined,
  };
}
