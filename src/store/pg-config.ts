// How every `pg.Client` of the enforcer is configured: int8 as number, TLS roots taken from
// PGSSLROOTCERT (libpq honours it, node-postgres does not), keepalives and timeouts. Shared by
// the store's connection and the run lock's connection so both reach the server the same way.

import pg from 'pg';
import { readFileSync } from 'node:fs';

const INT8 = 20;
const types = {
  getTypeParser(oid: number, format?: string) {
    if (oid === INT8) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

export interface PgClientOptions {
  connectTimeoutMs?: number;
  queryTimeoutMs?: number;
  applicationName?: string;
  keepAliveInitialDelayMs?: number;
  /** Server-side: end a session left idle inside a transaction this long (0 = off). */
  idleInTransactionTimeoutMs?: number;
}

export function pgClientConfig(url: string, opts: PgClientOptions = {}): pg.ClientConfig {
  const config: pg.ClientConfig = {
    connectionString: url,
    types,
    keepAlive: true,
    keepAliveInitialDelayMillis: opts.keepAliveInitialDelayMs ?? 10_000,
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 10_000,
    query_timeout: opts.queryTimeoutMs ?? 60_000,
    application_name: opts.applicationName ?? 'dnssec-enforcer',
  };
  if (opts.idleInTransactionTimeoutMs) config.idle_in_transaction_session_timeout = opts.idleInTransactionTimeoutMs;
  if (process.env.PGSSLROOTCERT && !/sslrootcert=/.test(url)) {
    const mode = /sslmode=([a-z-]+)/.exec(url)?.[1] ?? process.env.PGSSLMODE;
    if (mode === 'verify-full' || mode === 'verify-ca') {
      config.ssl = { ca: readFileSync(process.env.PGSSLROOTCERT, 'utf8'), rejectUnauthorized: true };
    }
  }
  return config;
}
