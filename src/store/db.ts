// The store's one seam: a database handle that runs parameterised SQL and transactions.
// Two implementations (PostgreSQL through `pg`, embedded PGlite) behave the same to callers:
// int8 comes back as a JS number, timestamptz as Date, bytea as Uint8Array, jsonb parsed.

export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Run a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface Db extends Queryable {
  readonly kind: 'postgres' | 'embedded';
  /** Where this database lives, with any password masked; safe to log. */
  readonly description: string;
  /** Run fn in one transaction; commits when fn resolves, rolls back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Another connection to the same database with the same settings, for work done side by side
   * (a run's zone steps); absent where the database allows one connection only (embedded).
   */
  fork?(): Promise<Db>;
  /**
   * From now on, prepare statements with parameters once per connection (PostgreSQL). Only once
   * the run lock has shown the connection is a session of its own: behind a transaction-mode
   * pooler a prepared statement would not follow the next transaction, and the guard's clear
   * refusal must come first.
   */
  usePreparedStatements?(): void;
  close(): Promise<void>;
}

/** SQLSTATE codes raised by our own database-side guards (see migrations). */
export const SQLSTATE = {
  UNFENCED_WRITE: 'EF001',
  STALE_EPOCH: 'EF002',
} as const;

export function sqlState(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
