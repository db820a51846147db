// PostgreSQL through `pg`: one dedicated client (never a pool), so a transaction and the
// session settings it relies on always run on the same backend. Calls are serialised; work
// done side by side gets connections of its own (`fork`).

import { createHash } from 'node:crypto';
import pg from 'pg';
import { EnforcerError, EXIT } from '../util/exit-codes.js';
import { maskUrl } from '../util/mask.js';
import type { Db, Queryable } from './db.js';
import { pgClientConfig, type PgClientOptions } from './pg-config.js';

export interface PgOptions extends PgClientOptions {
  /** Prepare statements with parameters (see Db.usePreparedStatements); forks inherit it. */
  preparedStatements?: boolean;
}

export async function openPostgres(url: string, opts: PgOptions = {}): Promise<Db> {
  const config = pgClientConfig(url, opts);
  const client = new pg.Client(config);
  const description = maskUrl(url);
  // An idle client's socket error must not crash the process; the next query reports it.
  let broken: Error | null = null;
  let closing = false;
  client.on('error', (e) => {
    broken = e;
  });
  client.on('end', () => {
    if (!closing) broken ??= new Error('the server closed the connection');
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
  // Once switched on, statements with parameters are prepared once per connection, named after
  // their text, so the server parses them once rather than once per zone (a run repeats a dozen
  // statements 10,000 times). A script run through exec() may change the schema (migrations) and
  // with it what a prepared statement returns, so the names after it are new ones.
  let prepared = opts.preparedStatements ?? false;
  let generation = 0;
  const names = new Map<string, string>();
  const nameOf = (sql: string): string => {
    let name = names.get(sql);
    if (name === undefined) {
      name = `enforcer_${generation}_${createHash('sha256').update(sql).digest('hex').slice(0, 32)}`;
      names.set(sql, name);
    }
    return name;
  };
  const run = async <T>(sql: string, params?: unknown[]): Promise<T[]> => {
    if (broken) throw new EnforcerError(`database connection lost: ${(broken as Error).message}`, EXIT.DB_UNAVAILABLE);
    const r = prepared && params && params.length > 0 ? await client.query({ name: nameOf(sql), text: sql, values: params }) : await client.query(sql, params as unknown[]);
    return r.rows as T[];
  };
  const exec = async (sql: string): Promise<void> => {
    generation++;
    names.clear();
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
    // Its own application_name, so an operator (or a test) can tell the run's main connection from its helpers.
    fork: () =>
      openPostgres(url, { ...opts, preparedStatements: prepared, ...(opts.applicationName ? { applicationName: `${opts.applicationName}/worker` } : {}) }),
    usePreparedStatements: () => {
      prepared = true;
    },
    close: async () => {
      closing = true;
      await client.end().catch(() => undefined);
    },
  };
}
