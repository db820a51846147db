// PostgreSQL through `pg`: one dedicated client (never a pool), so a transaction and the
// session settings it relies on always run on the same backend. Calls are serialised.

import pg from 'pg';
import { readFileSync } from 'node:fs';
import { EnforcerError, EXIT } from '../util/exit-codes.js';
import { maskUrl } from '../util/mask.js';
import type { Db, Queryable } from './db.js';

const INT8 = 20;
const types = {
  getTypeParser(oid: number, format?: string) {
    if (oid === INT8) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

export interface PgOptions {
  connectTimeoutMs?: number;
  queryTimeoutMs?: number;
  applicationName?: string;
}

export async function openPostgres(url: string, opts: PgOptions = {}): Promise<Db> {
  const config: pg.ClientConfig = {
    connectionString: url,
    types,
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 10_000,
    query_timeout: opts.queryTimeoutMs ?? 60_000,
    application_name: opts.applicationName ?? 'dnssec-enforcer',
  };
  // libpq honours PGSSLROOTCERT; node-postgres does not, so read it here when the URL names no CA.
  if (process.env.PGSSLROOTCERT && !/sslrootcert=/.test(url)) {
    const mode = /sslmode=([a-z-]+)/.exec(url)?.[1] ?? process.env.PGSSLMODE;
    if (mode === 'verify-full' || mode === 'verify-ca') {
      config.ssl = { ca: readFileSync(process.env.PGSSLROOTCERT, 'utf8'), rejectUnauthorized: true };
    }
  }
  const client = new pg.Client(config);
  const description = maskUrl(url);
  // An idle client's socket error must not crash the process; the next query reports it.
  let broken: Error | null = null;
  client.on('error', (e) => {
    broken = e;
  });
  try {
    await client.connect();
  } catch (e) {
    await client.end().catch(() => undefined);
    throw new EnforcerError(`cannot connect to the database ${description}: ${(e as Error).message}`, EXIT.DB_UNAVAILABLE);
  }

  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = chain.then(fn, fn);
    chain = next.catch(() => undefined);
    return next;
  };
  const run = async <T>(sql: string, params?: unknown[]): Promise<T[]> => {
    if (broken) throw new EnforcerError(`database connection lost: ${(broken as Error).message}`, EXIT.DB_UNAVAILABLE);
    const r = await client.query(sql, params as unknown[]);
    return r.rows as T[];
  };
  const exec = async (sql: string): Promise<void> => {
    await run(sql);
  };
  const tx: Queryable = { query: run, exec };

  return {
    kind: 'postgres',
    description,
    query: (sql, params) => serial(() => run(sql, params)),
    exec: (sql) => serial(() => exec(sql)),
    transaction: (fn) =>
      serial(async () => {
        await run('BEGIN');
        try {
          const out = await fn(tx);
          await run('COMMIT');
          return out;
        } catch (e) {
          await run('ROLLBACK').catch(() => undefined);
          throw e;
        }
      }),
    close: async () => {
      await client.end().catch(() => undefined);
    },
  };
}
