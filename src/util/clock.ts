// The clock is an input: every command gets one, tests inject a fixed or advancing one.
// Nothing outside this file reads the system time directly.

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

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
