// What every command needs, built once from the global options: the configuration, a logger,
// the store (migrated, or checked, before use), what the database is for (production, lab, test),
// the keystores and the clock (moved only on a lab or test database). Commands stay thin.

import type { Config } from '../config/config.js';
import { loadConfigFile } from '../config/config.js';
import { Keystores } from '../keys/keystores.js';
import type { DatabaseKind } from '../store/database-kind.js';
import type { Db } from '../store/db.js';
import { enterActive } from '../lease/single-active.js';
import type { Fence } from '../store/lease.js';
import { assertSchemaCurrent, migrate } from '../store/migrate.js';
import { openStore } from '../store/open.js';
import { measureClock } from '../lease/clock-skew.js';
import { databaseAnchoredClock, offsetClock, systemClock, type Clock } from '../util/clock.js';
import { EnforcerError, EXIT } from '../util/exit-codes.js';
import { createLogger, type Logger } from '../util/logger.js';
import { formatOffset } from './output.js';
import { applyTestSettings, parseLabTime, type LabTime } from './test-settings.js';

export interface GlobalOptions {
  config?: string;
  json?: boolean;
  logLevel?: string;
  /** --lab-time: honoured on a lab (or test) database only. */
  labTime?: string;
}

export const DEFAULT_CONFIG = '/etc/dnssec-enforcer/enforcer.yaml';

export class Context {
  private dbHandle: Db | null = null;
  readonly keystores: Keystores;
  /** What the database is for, once it has been opened (null before). */
  databaseKind: DatabaseKind | null = null;
  /** Seconds the clock is moved by (--lab-time or ENFORCER_CLOCK_OFFSET), or null. */
  clockOffsetSeconds: number | null = null;
  /**
   * This node's own clock (moved like `clock` on a lab or test database), for showing how far it
   * is from the database's; `clock` itself follows the database's clock once the store is open.
   */
  nodeClock: Clock = systemClock;
  constructor(
    readonly config: Config,
    readonly log: Logger,
    readonly json: boolean,
    /** Shifted only by --lab-time or ENFORCER_CLOCK_OFFSET on a lab or test database (see test-settings.ts). */
    public clock: Clock = systemClock,
    readonly labTime: LabTime | null = null,
  ) {
    this.keystores = new Keystores(config);
  }

  static load(opts: GlobalOptions): Context {
    // A malformed --lab-time is a usage error before the configuration or database is read.
    const labTime = opts.labTime === undefined ? null : parseLabTime(opts.labTime);
    const file = opts.config ?? process.env.ENFORCER_CONFIG ?? DEFAULT_CONFIG;
    const config = loadConfigFile(file);
    const log = createLogger({ level: opts.logLevel ?? config.log.level, file: config.log.file });
    return new Context(config, log, opts.json ?? false, systemClock, labTime);
  }

  /** On a lab database: the line a report leads with (the clock it ran at); null elsewhere. */
  labBanner(): string | null {
    if (this.databaseKind !== 'lab') return null;
    const off = this.clockOffsetSeconds;
    return `LAB database (not for production), clock ${this.clock.now().toISOString()} (${off === null ? 'not moved' : `moved ${formatOffset(off)}`})`;
  }

  /** The same for --json reports: merged into the report object on a lab database only. */
  labJson(): { lab: { clock: string; clockOffsetSeconds: number | null } } | Record<string, never> {
    if (this.databaseKind !== 'lab') return {};
    return { lab: { clock: this.clock.now().toISOString(), clockOffsetSeconds: this.clockOffsetSeconds } };
  }

  /** --lab-time was given but the command never opened the database, so it had no effect. */
  labTimeUnused(): boolean {
    return this.labTime !== null && this.databaseKind === null;
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
        // From here on the enforcer's time is the database's: every state timestamp and due time.
        const reading = await measureClock(db);
        await this.honourTestSettings(db, databaseAnchoredClock(reading.skewMs));
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

  private async honourTestSettings(db: Db, anchored: Clock): Promise<void> {
    const t = await applyTestSettings(db, process.env, this.log, { labTime: this.labTime, clock: anchored });
    this.databaseKind = t.kind;
    this.clockOffsetSeconds = t.clockOffsetSeconds;
    this.clock = t.clockOffsetSeconds === null ? anchored : offsetClock(anchored, t.clockOffsetSeconds);
    this.nodeClock = t.clockOffsetSeconds === null ? systemClock : offsetClock(systemClock, t.clockOffsetSeconds);
  }

  async close(): Promise<void> {
    await this.keystores.close();
    if (this.dbHandle) await this.dbHandle.close();
    this.dbHandle = null;
  }
}

