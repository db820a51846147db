// The -w/-c range syntax: the monitoring-plugin ranges, unit suffixes, and a plain number guarding
// the check's bad direction.

import { describe, expect, it } from 'vitest';
import { alerts, parseRange, rangeText, statusFor, ThresholdError } from '../../src/checks/thresholds.js';

describe('thresholds', () => {
  it('reads a plain number as the standard 0:N for an age, and as N: for time left', () => {
    const age = parseRange('3600', 'above');
    expect(age).toEqual({ start: 0, end: 3600, inside: false });
    expect([alerts(age, 3600), alerts(age, 3601), alerts(age, -1), alerts(age, 0)]).toEqual([false, true, true, false]);
    const left = parseRange('2d', 'below');
    expect(left).toEqual({ start: 172800, end: Infinity, inside: false });
    expect([alerts(left, 172799), alerts(left, 172800), alerts(left, 1e9)]).toEqual([true, false, false]);
  });

  it('follows the monitoring-plugin range syntax with units', () => {
    expect(parseRange('10:20', 'above')).toEqual({ start: 10, end: 20, inside: false });
    expect(parseRange('~:5m', 'above')).toEqual({ start: -Infinity, end: 300, inside: false });
    expect(parseRange('1h:', 'above')).toEqual({ start: 3600, end: Infinity, inside: false });
    expect(parseRange('@1h:2h', 'below')).toEqual({ start: 3600, end: 7200, inside: true });
    expect(parseRange('1.5d', 'above').end).toBe(129600);
    const inside = parseRange('@10:20', 'above');
    expect([alerts(inside, 15), alerts(inside, 25)]).toEqual([true, false]);
  });

  it('refuses what is not a range, naming it', () => {
    for (const bad of ['', 'abc', '20:10', '5x', '1:2:3', '@']) expect(() => parseRange(bad, 'above')).toThrow(ThresholdError);
    expect(() => parseRange('3 days', 'above')).toThrow(/"3 days" is not a threshold/);
  });

  it('writes ranges back for perfdata in seconds', () => {
    expect(rangeText(parseRange('1h', 'above'))).toBe('3600');
    expect(rangeText(parseRange('2d', 'below'))).toBe('172800:');
    expect(rangeText(parseRange('@10:20', 'above'))).toBe('@10:20');
    expect(rangeText(parseRange('~:5', 'above'))).toBe('~:5');
  });

  it('prefers CRITICAL over WARNING', () => {
    const t = { warning: parseRange('10', 'above'), critical: parseRange('20', 'above') };
    expect([statusFor(5, t), statusFor(15, t), statusFor(25, t)]).toEqual(['OK', 'WARNING', 'CRITICAL']);
  });
});
