// ISO 8601 durations as OpenDNSSEC reads and writes them.
// Contract: parseDuration turns `P[nY][nM][nD][T[nH][nM][nS]]` or `PnW` into whole seconds, or throws a
// DurationError saying why; formatDuration writes the `PT<n>S` form OpenDNSSEC puts in signconf files.
//
// Calendar units are fixed lengths, not calendar arithmetic, because that is what OpenDNSSEC stores:
// its common/duration.c (duration2time) counts a year as 365 days and a month as 31 days (and logs
// "converting duration ... to approximate value"). So P1Y = 31 536 000 s and P1M = 2 678 400 s here too;
// a policy imported from OpenDNSSEC keeps the exact same timings.
// Weeks may not be combined with other units (OpenDNSSEC rejects that too; ISO 8601 makes PnW a form of
// its own). Note that XML Schema's xsd:duration has no weeks, so kasp.rng rejects `P2W`; we only read it.
// Fractions ("PT1.5S") are refused: every consumer needs whole seconds, and OpenDNSSEC silently truncates.
// The ceiling is 2^31-1 seconds (about 68 years): OpenDNSSEC keeps durations in 32-bit integers and RRSIG
// times are 32-bit serial numbers, so anything longer is a typo rather than a policy.

export const SECONDS_PER_MINUTE = 60;
export const SECONDS_PER_HOUR = 3600;
export const SECONDS_PER_DAY = 86_400;
export const SECONDS_PER_WEEK = 7 * SECONDS_PER_DAY;
/** OpenDNSSEC's month: 31 days. */
export const SECONDS_PER_MONTH = 31 * SECONDS_PER_DAY;
/** OpenDNSSEC's year: 365 days. */
export const SECONDS_PER_YEAR = 365 * SECONDS_PER_DAY;
export const MAX_DURATION_SECONDS = 2 ** 31 - 1;

export class DurationError extends Error {
  constructor(
    readonly input: string,
    readonly reason: string,
  ) {
    super(`invalid duration ${JSON.stringify(input)}: ${reason}`);
    this.name = 'DurationError';
  }
}

const DATE_TIME_FORM =
  /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;
const WEEK_FORM = /^P(\d+)W$/;
// A component longer than this is over the ceiling anyway; stopping here keeps arithmetic exact.
const MAX_DIGITS = 12;

export function parseDuration(input: string): number {
  const fail = (reason: string): never => {
    throw new DurationError(input, reason);
  };
  if (input === '') fail('empty value');
  if (input.startsWith('-')) fail('negative durations are not allowed');
  if (/[.,]/.test(input)) fail('fractional values are not supported, use whole seconds (e.g. PT90S)');

  let total: number;
  const week = WEEK_FORM.exec(input);
  if (week) {
    total = component(week[1], SECONDS_PER_WEEK);
  } else {
    const m = DATE_TIME_FORM.exec(input);
    if (!m) {
      if (/\d+W/.test(input) && /\d+[YMDHS]/.test(input)) fail('weeks cannot be combined with other units');
      fail('expected an ISO 8601 duration such as PT3600S, P14D, P1DT12H or P1Y');
    }
    const parts = m!.slice(1);
    if (parts.every((p) => p === undefined)) fail('no value given');
    if (input.includes('T') && parts.slice(3).every((p) => p === undefined)) {
      fail("no hours, minutes or seconds after 'T'");
    }
    const [y, mo, d, h, mi, s] = parts;
    total =
      component(y, SECONDS_PER_YEAR) +
      component(mo, SECONDS_PER_MONTH) +
      component(d, SECONDS_PER_DAY) +
      component(h, SECONDS_PER_HOUR) +
      component(mi, SECONDS_PER_MINUTE) +
      component(s, 1);
  }
  if (total > MAX_DURATION_SECONDS) {
    fail(`longer than the maximum of ${MAX_DURATION_SECONDS} seconds (about 68 years)`);
  }
  return total;

  function component(digits: string | undefined, unit: number): number {
    if (digits === undefined) return 0;
    if (digits.length > MAX_DIGITS) {
      fail(`longer than the maximum of ${MAX_DURATION_SECONDS} seconds (about 68 years)`);
    }
    return Number(digits) * unit;
  }
}

function checkSeconds(seconds: number): void {
  if (!Number.isSafeInteger(seconds) || seconds < 0) {
    throw new RangeError(`duration must be a non-negative whole number of seconds, got ${seconds}`);
  }
}

/** `PT<n>S`, the form OpenDNSSEC writes in signconf files. */
export function formatDuration(seconds: number): string {
  checkSeconds(seconds);
  return `PT${seconds}S`;
}

/**
 * Readable exact form for files people edit (kasp.xml export): days, hours, minutes, seconds.
 * Years and months are never written because their length differs between tools.
 */
export function formatDurationReadable(seconds: number): string {
  checkSeconds(seconds);
  if (seconds === 0) return 'PT0S';
  const d = Math.floor(seconds / SECONDS_PER_DAY);
  let rest = seconds % SECONDS_PER_DAY;
  const h = Math.floor(rest / SECONDS_PER_HOUR);
  rest %= SECONDS_PER_HOUR;
  const m = Math.floor(rest / SECONDS_PER_MINUTE);
  const s = rest % SECONDS_PER_MINUTE;
  let out = 'P' + (d > 0 ? `${d}D` : '');
  if (h > 0 || m > 0 || s > 0) {
    out += 'T' + (h > 0 ? `${h}H` : '') + (m > 0 ? `${m}M` : '') + (s > 0 ? `${s}S` : '');
  }
  return out;
}
