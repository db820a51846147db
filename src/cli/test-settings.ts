// A moved clock and the test-only knobs, honoured by what the database is for (see
// src/store/database-kind.ts):
//
//   setting                          production   lab   test
//   --lab-time WHEN                  refused      yes   yes
//   ENFORCER_CLOCK_OFFSET            refused      yes   yes
//   ENFORCER_FAILPOINT               refused      refused yes
//
// A refused setting stops the command before it does anything (exit 3): a forgotten variable
// must not freeze or skew a production enforcer, and silently ignoring it would hide that it is
// set. Every command on a lab database logs a warning saying so, with the clock it uses.

import type { DatabaseKind } from '../store/database-kind.js';
import { readDatabaseKind } from '../store/database-kind.js';
import type { Db } from '../store/db.js';
import { parseDuration } from '../policy/duration.js';
import { parseClockOffset, type Clock } from '../util/clock.js';
import { EnforcerError, EXIT } from '../util/exit-codes.js';
import { armFailpoint, TEST_ONLY_ENV } from '../util/failpoint.js';
import type { Logger } from '../util/logger.js';

/** The --lab-time option: an instant, or a duration ahead of the real time. */
export type LabTime = { text: string; at: number } | { text: string; aheadSeconds: number };

export interface TestSettings {
  kind: DatabaseKind;
  /** Seconds to add to this node's clock, or null. */
  clockOffsetSeconds: number | null;
}

export const LAB_TIME_HELP =
  'lab databases only: run as if the time were WHEN, an ISO date-time (UTC unless it has an offset) ' +
  'such as 2027-02-22T05:00:00Z, or a duration ahead of now such as P90D';

/** Parse --lab-time; a malformed value is a usage error (exit 2), found before anything is opened. */
export function parseLabTime(text: string): LabTime {
  const v = text.trim();
  if (/^p/i.test(v)) {
    try {
      return { text, aheadSeconds: parseDuration(v.toUpperCase()) };
    } catch (e) {
      throw new EnforcerError(`--lab-time: ${(e as Error).message}`, EXIT.USAGE);
    }
  }
  if (/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/i.test(v)) {
    // A date-time without an offset is UTC, as the enforcer prints every time.
    const utc = /T[\d:.]+$/i.test(v) ? `${v}Z` : v;
    const at = Date.parse(utc);
    if (!Number.isNaN(at)) return { text, at };
  }
  throw new EnforcerError(
    `--lab-time: expected a date-time such as 2027-02-22T05:00:00Z or a duration ahead of now such as P90D, not ${JSON.stringify(text)}`,
    EXIT.USAGE,
  );
}

const PRODUCTION = 'is a production database (not marked as a lab or test database)';
const HOW_TO_LAB = 'a moved clock is allowed only on a lab database (`enforcer db init --lab` on an empty database)';

export async function applyTestSettings(
  db: Db,
  env: Record<string, string | undefined>,
  log: Logger,
  opts: { labTime?: LabTime | null; clock: Clock },
): Promise<TestSettings> {
  const set = TEST_ONLY_ENV.filter((k) => env[k] !== undefined && env[k] !== '');
  const labTime = opts.labTime ?? null;
  const kind = await readDatabaseKind(db);
  if (set.includes('ENFORCER_CLOCK_OFFSET') && labTime) {
    throw new EnforcerError('both --lab-time and ENFORCER_CLOCK_OFFSET are given: use one of them', EXIT.BAD_INPUT);
  }
  if (kind === 'production' && set.length > 0) {
    const why = [
      ...(set.includes('ENFORCER_FAILPOINT') ? ['failpoints are for the test suite only'] : []),
      ...(set.includes('ENFORCER_CLOCK_OFFSET') ? [HOW_TO_LAB] : []),
    ];
    throw new EnforcerError(
      `${set.join(' and ')} ${set.length > 1 ? 'are' : 'is'} set, but ${db.description} ${PRODUCTION}; ${why.join(', and ')}: unset ${set.length > 1 ? 'them' : 'it'}`,
      EXIT.BAD_INPUT,
    );
  }
  if (kind === 'production' && labTime) {
    throw new EnforcerError(`--lab-time is given, but ${db.description} ${PRODUCTION}; ${HOW_TO_LAB}`, EXIT.BAD_INPUT);
  }
  if (kind === 'lab' && set.includes('ENFORCER_FAILPOINT')) {
    throw new EnforcerError(`ENFORCER_FAILPOINT is set, but ${db.description} is a lab database; failpoints are for the test suite only: unset it`, EXIT.BAD_INPUT);
  }
  let clockOffsetSeconds: number | null = null;
  if (env.ENFORCER_CLOCK_OFFSET) {
    clockOffsetSeconds = parseClockOffset(env.ENFORCER_CLOCK_OFFSET);
    if (clockOffsetSeconds === null) {
      throw new EnforcerError(`ENFORCER_CLOCK_OFFSET=${env.ENFORCER_CLOCK_OFFSET} is not an offset such as +5h, -90m or 3600`, EXIT.BAD_INPUT);
    }
  } else if (labTime) {
    clockOffsetSeconds = 'at' in labTime ? (labTime.at - opts.clock.now().getTime()) / 1000 : labTime.aheadSeconds;
  }
  if (env.ENFORCER_FAILPOINT) {
    try {
      armFailpoint(env.ENFORCER_FAILPOINT, log);
    } catch (e) {
      throw new EnforcerError((e as Error).message, EXIT.BAD_INPUT);
    }
  }
  if (kind === 'lab') {
    const now = new Date(opts.clock.now().getTime() + (clockOffsetSeconds ?? 0) * 1000).toISOString();
    log.warn(
      { database: db.description, databaseKind: kind, clock: now, clockOffsetSeconds },
      `LAB database ${db.description} (enforcer db init --lab), not for production: ` +
        (clockOffsetSeconds === null ? 'the clock is not moved' : `the clock is moved to ${now}`),
    );
  } else if (set.length > 0 || labTime) {
    log.warn({ failpoint: env.ENFORCER_FAILPOINT, clockOffsetSeconds }, 'test database: test-only settings in effect');
  }
  return { kind, clockOffsetSeconds };
}
