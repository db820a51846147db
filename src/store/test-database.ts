// Whether this database is a throw-away test database: meta row database_kind = test (see
// database-kind.ts). No enforcer command writes that row; test helpers do, with a hand-written
// fenced insert. Test-only knobs (failpoints) are refused anywhere else; a moved clock is also
// allowed on a lab database.

import type { Queryable } from './db.js';
import { DATABASE_KIND_KEY, readDatabaseKind } from './database-kind.js';

export const TEST_DATABASE_MARK = { key: DATABASE_KIND_KEY, value: 'test' } as const;

export async function isTestDatabase(q: Queryable): Promise<boolean> {
  return (await readDatabaseKind(q)) === 'test';
}
