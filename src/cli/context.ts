// What every command needs, built once from the global options: the configuration, a logger,
// the store (migrated, or checked, before use), the keystores and the clock. Commands stay thin.

import type { Config } from '../config/config.js';
import { loadConfigFile } from '../config/config.js';
import { Keystores } from '../keys/keystores.js';
import type { Db } from '../store/db.js';
import { enterActive } from '../lease/single-active.js';
import type { Fence } from '../store/lease.js';
import { assertSchemaCurrent, migrate } from '../store/migrate.js';
import { openStore } from '../store/open.js';
import { offsetClock, systemClock, type Clock } from '../util/clock.js';
import { EnforcerError, EXIT } from '../util/exit-codes.js';
import { createLogger, type Logger } from '../util/logger.js';
import { applyTestSettings } from './test-settings.js';

export interface GlobalOptions {
  config?: string;
  json?: boolean;
  logLevel?: string;
}

export const DEFAULT_CONFIG = '/etc/dnssec-enforcer/enforcer.yaml';

export class Context {
  private dbHandle: Db | null = null;
  readonly keystores: Keystores;
  constructor(
    readonly config: Config,
    readonly log: Logger,
    readonly json: boolean,
    /** Shifted only by ENFORCER_CLOCK_OFFSET on a test database (see test-settings.ts). */
    public clock: Clock = systemClock,
  ) {
    this.keystores = new Keystores(config);
  }

  static load(opts: GlobalOptions): Context {
    const file = opts.config ?? process.env.ENFORCER_CONFIG ?? DEFAULT_CONFIG;
    const config = loadConfigFile(file);
    const log = createLogger({ level: opts.logLevel ?? config.log.level, file: config.log.file });
    return new Context(config, log, opts.json ?? false);
  }

  /** The store with its schema brought up to date (commands that may write). */
  async db(): Promise<Db> {
    return this.open(async (db) => {
      const applied = await migrate(db);
      if (applied.length) this.log.info({ applied }, 'database schema migrated');
    });
  }

  /** The store for read-only commands: the schema must already be current; nothing is migrated. */
  async readDb(): Promise<Db> {
    return this.open((db) => assertSchemaCurrent(db));
  }

  /** Open the store once; `prepare` checks or migrates the schema, and a failure closes it again. */
  private async open(prepare: (db: Db) => Promise<void>): Promise<Db> {
    if (!this.dbHandle) {
      const db = await openStore(this.config, this.log);
      try {
        await prepare(db);
        await this.honourTestSettings(db);
      } catch (e) {
        await db.close();
        throw e;
      }
      this.dbHandle = db;
    }
    return this.dbHandle;
  }

  /** Run an administrative change as the single active enforcer (run lock + lease); refused on the standby node. */
  async withLease<T>(fn: (db: Db, fence: Fence) => Promise<T>): Promise<T> {
    const db = await this.db();
    const entered = await enterActive({ db, config: this.config, log: this.log });
    if (entered.role === 'standby') {
      throw new EnforcerError(
        `this node (${this.config.node}) is standby; ${entered.lease.activeNode} is the active node: make the change there`,
        EXIT.NOT_ACTIVE,
      );
    }
    try {
      return await fn(db, entered.session.fence);
    } finally {
      await entered.session.end();
    }
  }

  private async honourTestSettings(db: Db): Promise<void> {
    const t = await applyTestSettings(db, process.env, this.log);
    if (t.clockOffsetSeconds !== null) this.clock = offsetClock(systemClock, t.clockOffsetSeconds);
  }

  async close(): Promise<void> {
    await this.keystores.close();
    if (this.dbHandle) await this.dbHandle.close();
    this.dbHandle = null;
  }
}
