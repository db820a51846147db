// Numbered plain-SQL migrations from migrations/NNN_name.sql, applied in order, each in the
// same transaction as its bookkeeping row, all under a transaction-scoped advisory lock so two
// nodes upgrading at once apply each migration exactly once. A database whose schema is newer
// than this program is refused: running old code on a new schema could write what it misreads.

import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EnforcerError, EXIT } from '../util/exit-codes.js';
import type { Db, Queryable } from './db.js';

/** Arbitrary constant shared by every enforcer: "migrations in progress". */
const MIGRATION_LOCK = 7_245_100_001;

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));

export function loadMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  const out: Migration[] = [];
  for (const f of readdirSync(dir).sort()) {
    const m = /^(\d{3})_([a-z0-9_-]+)\.sql$/.exec(f);
    if (!m) continue;
    out.push({ version: Number(m[1]), name: m[2]!, sql: readFileSync(`${dir}/${f}`, 'utf8') });
  }
  out.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migrations are not numbered 001, 002, ... without gaps (found ${m.version} at position ${i + 1})`);
  });
  return out;
}

export interface SchemaStatus {
  /** Highest version applied in the database (0 for an empty database). */
  current: number;
  /** Highest version this program knows. */
  latest: number;
  pending: Migration[];
  applied: Array<{ version: number; name: string; appliedAt: Date }>;
}

const BOOKKEEPING = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version    integer PRIMARY KEY,
  name       text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`;

async function readApplied(q: Queryable): Promise<SchemaStatus['applied']> {
  const exists = await q.query<{ t: string | null }>(`SELECT to_regclass('schema_migrations')::text AS t`);
  if (!exists[0]?.t) return [];
  const rows = await q.query<{ version: number; name: string; applied_at: Date }>(
    'SELECT version, name, applied_at FROM schema_migrations ORDER BY version',
  );
  return rows.map((r) => ({ version: r.version, name: r.name, appliedAt: r.applied_at }));
}

export async function schemaStatus(db: Queryable, migrations = loadMigrations()): Promise<SchemaStatus> {
  const applied = await readApplied(db);
  const current = applied.reduce((m, a) => Math.max(m, a.version), 0);
  return { current, latest: migrations.length, pending: migrations.filter((m) => m.version > current), applied };
}

export class SchemaTooNewError extends EnforcerError {
  constructor(current: number, latest: number) {
    super(
      `the database schema is at version ${current}, newer than this enforcer knows (${latest}); ` +
        `upgrade the enforcer on this node before running it`,
      EXIT.SCHEMA_TOO_NEW,
    );
  }
}

/** Apply every pending migration. Returns the versions applied (empty when up to date). */
export async function migrate(db: Db, migrations = loadMigrations()): Promise<number[]> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await tx.query(BOOKKEEPING);
    const status = await schemaStatus(tx, migrations);
    if (status.current > status.latest) throw new SchemaTooNewError(status.current, status.latest);
    for (const m of status.pending) {
      await tx.exec(m.sql);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
    }
    return status.pending.map((m) => m.version);
  });
}

/** Refuse to go on unless the schema is exactly what this program expects. */
export async function assertSchemaCurrent(db: Db, migrations = loadMigrations()): Promise<void> {
  const s = await schemaStatus(db, migrations);
  if (s.current > s.latest) throw new SchemaTooNewError(s.current, s.latest);
  if (s.current < s.latest) {
    throw new EnforcerError(
      `the database schema is at version ${s.current}, this enforcer needs ${s.latest}; run 'enforcer db migrate'`,
      EXIT.ERROR,
    );
  }
}
