// Running one check (or `all`) against the database: open it read-only, run, and turn every way it
// can fail into an UNKNOWN result that says why — a monitoring system must get a status line, never
// a stack trace. Contract: opens the store through the caller's `openDb` (the CLI's ctx.readDb: schema
// checked, nothing migrated) and closes nothing (the caller owns the connection).

import type { Config } from '../config/config.js';
import type { QueryFn } from '../probe/dns-client.js';
import type { Db } from '../store/db.js';
import { runOne } from './all.js';
import type { CheckSpec } from './check.js';
import type { Thresholds } from './thresholds.js';
import { unknownResult, type CheckResult } from './types.js';

export interface RunDeps {
  config: Config;
  openDb: () => Promise<Db>;
  now: () => Date;
  nodeNow?: () => Date;
  query?: QueryFn;
}

export interface RunOptions {
  thresholds: Thresholds | null;
  zones: string[] | null;
  databaseOnly: boolean;
  ignoreNodes: string[];
}

export async function runCheck(spec: CheckSpec, deps: RunDeps, o: RunOptions): Promise<CheckResult> {
  let db: Db;
  try {
    db = await deps.openDb();
  } catch (e) {
    return unknownResult(spec.name, `cannot read the database: ${(e as Error).message}`);
  }
  return runOne(spec, { config: deps.config, db, now: deps.now, ...(deps.nodeNow ? { nodeNow: deps.nodeNow } : {}), ...(deps.query ? { query: deps.query } : {}), ...o });
}
