// Opening the store a config names: PostgreSQL when a URL is configured, otherwise the embedded
// database in the data directory. Callers then migrate (or check) the schema before any work.
// The two drivers are loaded on demand: PGlite's WebAssembly is large and a PostgreSQL node
// should not pay for it at every cron start.

import type { Config } from '../config/config.js';
import type { Logger } from '../util/logger.js';
import type { Db } from './db.js';

export async function openStore(config: Pick<Config, 'database' | 'node'> & Partial<Pick<Config, 'lease'>>, log: Logger): Promise<Db> {
  if (config.database.kind === 'postgres') {
    const { openPostgres } = await import('./pg-db.js');
    // A holder frozen inside a transaction keeps its share lock on the lease row and would stall
    // a takeover: the server ends such a session after one lease ttl.
    const ttl = config.lease?.ttlSeconds;
    return openPostgres(config.database.url, {
      applicationName: `dnssec-enforcer@${config.node}`,
      ...(ttl ? { idleInTransactionTimeoutMs: ttl * 1000 } : {}),
    });
  }
  const { openEmbedded } = await import('./pglite-db.js');
  return openEmbedded(config.database.directory, (msg) => log.warn(msg));
}
