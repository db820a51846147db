// The test-only knobs' syntax: failpoint specs and clock offsets.

import { describe, expect, it } from 'vitest';
import { offsetClock, parseClockOffset, ManualClock } from '../../src/util/clock.js';
import { parseFailpoint } from '../../src/util/failpoint.js';

describe('failpoint specs', () => {
  it.each([
    ['pause-before-signconf', { point: 'before-signconf', action: 'pause', ms: 0 }],
    ['pause-after-lease', { point: 'after-lease', action: 'pause', ms: 0 }],
    ['sleep-before-signconf:2500', { point: 'before-signconf', action: 'sleep', ms: 2500 }],
    ['crash-after-commit', { point: 'after-commit', action: 'crash', ms: 0 }],
    ['crash-after-keygen', { point: 'after-keygen', action: 'crash', ms: 0 }],
    ['pause-before-rename', { point: 'before-rename', action: 'pause', ms: 0 }],
  ])('%s', (spec, parsed) => expect(parseFailpoint(spec)).toEqual(parsed));

  it.each(['pause-nowhere', 'sleep-before-signconf', 'pause-before-signconf:10', 'stop-before-signconf', 'crash-after-commit:5', ''])('refuses %j', (spec) =>
    expect(parseFailpoint(spec)).toBeNull(),
  );
});

describe('clock offsets', () => {
  it.each([
    ['+5h', 18000],
    ['-90m', -5400],
    ['3600', 3600],
    ['-30s', -30],
    ['1.5h', 5400],
  ])('%s', (text, seconds) => expect(parseClockOffset(text)).toBe(seconds));

  it.each(['5 hours', 'h', '', '+-5h'])('refuses %j', (text) => expect(parseClockOffset(text)).toBeNull());

  it('shifts a clock', () => {
    expect(offsetClock(new ManualClock(Date.UTC(2026, 0, 1)), -3600).now().toISOString()).toBe('2025-12-31T23:00:00.000Z');
  });
});
