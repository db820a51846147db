// Clock discipline: leases, state timestamps and due times come from the database's clock, and a
// node whose own clock is further from it than `clock.maxSkew` refuses to act (exit 75), because
// its hooks, logs and the commands it runs would disagree with the state it writes, and a node far
// off hints at a broken NTP setup that would go on to mislead the operator.
// measureClock reads the database clock between two readings of this node's and takes the middle,
// so the round trip is not counted as skew; the judgement allows half the round trip on top.

import type { Config } from '../config/config.js';
import type { Db } from '../store/db.js';
import { readDatabaseClock } from '../store/db-clock.js';
import { systemClock } from '../util/clock.js';
import { EnforcerError, EXIT } from '../util/exit-codes.js';

export interface ClockReading {
  /** This node's system clock, at the middle of the round trip. */
  node: Date;
  database: Date;
  /** node − database, in milliseconds. */
  skewMs: number;
  roundTripMs: number;
}

export async function measureClock(db: Db): Promise<ClockReading> {
  const before = systemClock.now().getTime();
  const database = await readDatabaseClock(db);
  const after = systemClock.now().getTime();
  const node = (before + after) / 2;
  return { node: new Date(node), database, skewMs: node - database.getTime(), roundTripMs: after - before };
}

/** Whether the reading is beyond maxSkew, allowing for the round trip. */
export function beyondMaxSkew(r: ClockReading, maxSkewSeconds: number): boolean {
  return Math.abs(r.skewMs) - r.roundTripMs / 2 > maxSkewSeconds * 1000;
}

export function describeSkew(r: ClockReading): string {
  const s = Math.round(r.skewMs / 100) / 10;
  return `this node's clock says ${r.node.toISOString()}, the database's ${r.database.toISOString()}: ${Math.abs(s)} s ${s > 0 ? 'ahead' : 'behind'}`;
}

export class ClockSkewError extends EnforcerError {
  constructor(
    readonly reading: ClockReading,
    readonly maxSkewSeconds: number,
  ) {
    super(
      `${describeSkew(reading)}, more than clock.maxSkew (${maxSkewSeconds} s): this node refuses to act ` +
        'until its clock is fixed (NTP); nothing was changed',
      EXIT.NOT_ACTIVE,
    );
    this.name = 'ClockSkewError';
  }
}

/** Refuse (exit 75) when this node's clock is further from the database's than clock.maxSkew. */
export async function assertClockInStep(db: Db, config: Pick<Config, 'clock'>): Promise<ClockReading> {
  const r = await measureClock(db);
  if (beyondMaxSkew(r, config.clock.maxSkewSeconds)) throw new ClockSkewError(r, config.clock.maxSkewSeconds);
  return r;
}
