import { describe, it, expect } from 'vitest';
import {
  DurationError,
  formatDuration,
  formatDurationReadable,
  parseDuration,
} from '../../src/policy/duration.js';

const DAY = 86_400;

describe('parseDuration', () => {
  it.each([
    ['PT3600S', 3600],
    ['PT0S', 0],
    ['PT2H', 7200],
    ['PT10M', 600],
    ['PT1H30M15S', 5415],
    ['P14D', 14 * DAY],
    ['P1DT12H', 36 * 3600],
    ['P2W', 14 * DAY],
    ['P0W', 0],
    // OpenDNSSEC's fixed calendar units (common/duration.c): year 365 days, month 31 days.
    ['P1Y', 365 * DAY],
    ['P1M', 31 * DAY],
    ['PT1M', 60],
    ['P1Y2M3DT4H5M6S', 365 * DAY + 62 * DAY + 3 * DAY + 4 * 3600 + 5 * 60 + 6],
    ['P68Y', 68 * 365 * DAY],
    ['PT2147483647S', 2147483647],
    ['P007D', 7 * DAY],
  ])('%s = %i seconds', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });

  it.each([
    ['', 'invalid duration "": empty value'],
    ['P', 'invalid duration "P": no value given'],
    ['PT', 'invalid duration "PT": no value given'],
    ['P1DT', `invalid duration "P1DT": no hours, minutes or seconds after 'T'`],
    ['-P1D', 'invalid duration "-P1D": negative durations are not allowed'],
    ['PT1.5S', 'invalid duration "PT1.5S": fractional values are not supported, use whole seconds (e.g. PT90S)'],
    ['P0,5D', 'invalid duration "P0,5D": fractional values are not supported, use whole seconds (e.g. PT90S)'],
    ['P1W2D', 'invalid duration "P1W2D": weeks cannot be combined with other units'],
    ['3600', 'invalid duration "3600": expected an ISO 8601 duration such as PT3600S, P14D, P1DT12H or P1Y'],
    ['PT1H ', 'invalid duration "PT1H ": expected an ISO 8601 duration such as PT3600S, P14D, P1DT12H or P1Y'],
    ['p1d', 'invalid duration "p1d": expected an ISO 8601 duration such as PT3600S, P14D, P1DT12H or P1Y'],
    ['P1H', 'invalid duration "P1H": expected an ISO 8601 duration such as PT3600S, P14D, P1DT12H or P1Y'],
    ['PT1D', 'invalid duration "PT1D": expected an ISO 8601 duration such as PT3600S, P14D, P1DT12H or P1Y'],
    ['P1D1Y', 'invalid duration "P1D1Y": expected an ISO 8601 duration such as PT3600S, P14D, P1DT12H or P1Y'],
    ['P+1D', 'invalid duration "P+1D": expected an ISO 8601 duration such as PT3600S, P14D, P1DT12H or P1Y'],
    ['P1X', 'invalid duration "P1X": expected an ISO 8601 duration such as PT3600S, P14D, P1DT12H or P1Y'],
    ['PT2147483648S', 'invalid duration "PT2147483648S": longer than the maximum of 2147483647 seconds (about 68 years)'],
    ['P69Y', 'invalid duration "P69Y": longer than the maximum of 2147483647 seconds (about 68 years)'],
    ['P99999999999999999999D', 'invalid duration "P99999999999999999999D": longer than the maximum of 2147483647 seconds (about 68 years)'],
  ])('rejects %j', (text, message) => {
    expect(() => parseDuration(text)).toThrow(DurationError);
    expect(() => parseDuration(text)).toThrow(message);
  });
});

describe('formatDuration', () => {
  it('writes the signconf PT<n>S form', () => {
    expect(formatDuration(3600)).toBe('PT3600S');
    expect(formatDuration(0)).toBe('PT0S');
    expect(formatDuration(365 * DAY)).toBe('PT31536000S');
  });

  it('refuses negative and fractional seconds', () => {
    expect(() => formatDuration(-1)).toThrow(RangeError);
    expect(() => formatDuration(1.5)).toThrow(RangeError);
    expect(() => formatDuration(Number.NaN)).toThrow(RangeError);
  });

  it.each([
    [0, 'PT0S'],
    [59, 'PT59S'],
    [3600, 'PT1H'],
    [5415, 'PT1H30M15S'],
    [DAY, 'P1D'],
    [36 * 3600, 'P1DT12H'],
    [365 * DAY, 'P365D'],
    [90 * DAY + 1, 'P90DT1S'],
  ])('readable form of %i is %s and parses back', (seconds, text) => {
    expect(formatDurationReadable(seconds)).toBe(text);
    expect(parseDuration(text)).toBe(seconds);
  });
});
