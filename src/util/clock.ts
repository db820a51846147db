// The clock is an input: every command gets one, tests inject a fixed or advancing one.
// Nothing outside this file reads the system time directly.

export interface Clock {
  now(): Date;
  /**
   * True for the real time (systemClock): moments that must be true by the database's clock (a
   * signconf confirmed as published) are then stamped by the database itself. A test or lab clock
   * (moved on purpose) stamps them with its own time instead.
   */
  readonly realTime?: boolean;
}

export const systemClock: Clock = { now: () => new Date(), realTime: true };

/**
 * The database's clock, read through this node's: the system time minus the skew measured when
 * the store was opened (src/lease/clock-skew.ts), so a node's small drift never enters a stamp.
 */
export function databaseAnchoredClock(skewMs: number): Clock {
  return { now: () => new Date(Date.now() - skewMs), realTime: true };
}

/** A clock that returns a fixed instant until moved; for tests and drills. */
export class ManualClock implements Clock {
  private t: number;
  constructor(start: Date | number) {
    this.t = typeof start === 'number' ? start : start.getTime();
  }
  now(): Date {
    return new Date(this.t);
  }
  set(at: Date | number): void {
    this.t = typeof at === 'number' ? at : at.getTime();
  }
  advance(seconds: number): void {
    this.t += seconds * 1000;
  }
}

/** `base` shifted by a fixed offset: a node whose clock is wrong, for tests and drills. */
export function offsetClock(base: Clock, offsetSeconds: number): Clock {
  return { now: () => new Date(base.now().getTime() + offsetSeconds * 1000) };
}

/** A clock offset such as `+5h`, `-90m`, `3600` or `-30s`, in seconds; null if unreadable. */
export function parseClockOffset(text: string): number | null {
  const m = /^\s*([+-]?)(\d+(?:\.\d+)?)\s*([hms]?)\s*$/.exec(text);
  if (!m) return null;
  const n = Number(m[2]) * ({ h: 3600, m: 60, s: 1, '': 1 } as const)[m[3] as 'h' | 'm' | 's' | ''];
  return m[1] === '-' ? -n : n;
}
