// Whether this database is a throw-away test database: meta row database_kind = test. No enforcer
// command writes that row; test helpers do, with a hand-written fenced insert. Test-only knobs
// (failpoints, a skewed clock) are refused anywhere else.

import type { Queryable } from './db.js';
import { getMeta } from './meta.js';

export const TEST_DATABASE_MARK = { key: 'database_kind', value: 'test' } as const;

export async function isTestDatabase(q: Queryable): Promise<boolean> {
  return (await getMeta(q, TEST_DATABASE_MARK.key)) === TEST_DATABASE_MARK.value;
}
