// Test-only environment knobs (ENFORCER_FAILPOINT, ENFORCER_CLOCK_OFFSET), honoured only on a
// database marked as a test database (see src/store/test-database.ts). On any other database
// the command is refused before it does anything: a forgotten variable must not freeze or skew
// a production enforcer, and silently ignoring it would hide that it is set.

import type { Db } from '../store/db.js';
import { isTestDatabase } from '../store/test-database.js';
import { parseClockOffset } from '../util/clock.js';
import { EnforcerError, EXIT } from '../util/exit-codes.js';
import { armFailpoint, TEST_ONLY_ENV } from '../util/failpoint.js';
import type { Logger } from '../util/logger.js';

export interface TestSettings {
  /** Seconds to add to this node's clock, or null. */
  clockOffsetSeconds: number | null;
}

export async function applyTestSettings(db: Db, env: Record<string, string | undefined>, log: Logger): Promise<TestSettings> {
  const set = TEST_ONLY_ENV.filter((k) => env[k] !== undefined && env[k] !== '');
  if (set.length === 0) return { clockOffsetSeconds: null };
  if (!(await isTestDatabase(db))) {
    throw new EnforcerError(
      `${set.join(' and ')} ${set.length > 1 ? 'are' : 'is'} set, but ${db.description} is not marked as a test database; ` +
        'these variables are for tests only: unset them',
      EXIT.BAD_INPUT,
    );
  }
  let clockOffsetSeconds: number | null = null;
  if (env.ENFORCER_CLOCK_OFFSET) {
    clockOffsetSeconds = parseClockOffset(env.ENFORCER_CLOCK_OFFSET);
    if (clockOffsetSeconds === null) {
      throw new EnforcerError(`ENFORCER_CLOCK_OFFSET=${env.ENFORCER_CLOCK_OFFSET} is not an offset such as +5h, -90m or 3600`, EXIT.BAD_INPUT);
    }
  }
  if (env.ENFORCER_FAILPOINT) {
    try {
      armFailpoint(env.ENFORCER_FAILPOINT, log);
    } catch (e) {
      throw new EnforcerError((e as Error).message, EXIT.BAD_INPUT);
    }
  }
  log.warn({ failpoint: env.ENFORCER_FAILPOINT, clockOffsetSeconds }, 'test database: test-only settings in effect');
  return { clockOffsetSeconds };
}
