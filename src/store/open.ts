// Opening the store a config names: PostgreSQL when a URL is configured, otherwise the embedded
// database in the data directory. Callers then migrate (or check) the schema before any work.

import type { Config } from '../config/config.js';
import type { Logger } from '../util/logger.js';
import type { Db } from './db.js';
import { openPostgres } from './pg-db.js';
import { openEmbedded } from './pglite-db.js';

export async function openStore(config: Pick<Config, 'database' | 'node'>, log: Logger): Promise<Db> {
  if (config.database.kind === 'postgres') {
    return openPostgres(config.database.url, { applicationName: `dnssec-enforcer@${config.node}` });
  }
  return openEmbedded(config.database.directory, (msg) => log.warn(msg));
}
