// What a check is given and what it declares. A check reads (database snapshot, files, keystore,
// DNS) and returns a CheckResult; it never writes. Thresholds exist only where the check has one
// measurable value; their defaults and units are part of the check's declaration, so `--help`, the
// docs and the code say the same.

import type { Config } from '../config/config.js';
import type { QueryFn } from '../probe/dns-client.js';
import type { Db } from '../store/db.js';
import { parseRange, type Direction, type Thresholds } from './thresholds.js';
import type { CheckResult } from './types.js';

export interface CheckContext {
  config: Config;
  /** Opened read-only (schema current, nothing migrated). */
  db: Db;
  /** The time by the database's clock (moved on a lab or test database). */
  now: () => Date;
  /** This node's own clock, for comparing it with the database's (check lease); `now` when absent. */
  nodeNow?: () => Date;
  /** The check's -w/-c, or its defaults; null for checks without a measurable value. */
  thresholds: Thresholds | null;
  /** --zone: only these zones (lower case, no final dot); null = every zone. */
  zones: string[] | null;
  /** signconf: leave the files alone (a standby without the active node's signconf directory). */
  databaseOnly: boolean;
  /** lease: nodes taken out of service, whose stale role record is not reported. */
  ignoreNodes: string[];
  /** The DNS client; tests of the library may inject one, the CLI uses the real one. */
  query?: QueryFn;
}

export interface ThresholdSpec {
  /** What -w/-c measure, for --help and the docs. */
  what: string;
  direction: Direction;
  warning: string;
  critical: string;
}

export interface CheckSpec {
  name: string;
  description: string;
  thresholds: ThresholdSpec | null;
  run(ctx: CheckContext): Promise<CheckResult>;
}

/** The check's thresholds: the operator's -w/-c where given, its defaults otherwise. */
export function thresholdsFor(spec: CheckSpec, warning?: string, critical?: string): Thresholds | null {
  const t = spec.thresholds;
  if (!t) return null;
  return { warning: parseRange(warning ?? t.warning, t.direction), critical: parseRange(critical ?? t.critical, t.direction) };
}
