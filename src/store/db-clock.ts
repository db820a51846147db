// The database's clock, read as a node compares its own with it. clock_timestamp() is the time
// of the statement itself (now() would be the start of an enclosing transaction).

import type { Queryable } from './db.js';

export async function readDatabaseClock(q: Queryable): Promise<Date> {
  const rows = await q.query<{ now: Date }>('SELECT clock_timestamp() AS now');
  return rows[0]!.now;
}
