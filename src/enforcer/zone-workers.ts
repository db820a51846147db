// Zone steps side by side. Each worker owns one database connection (the run's own, plus
// `fork()`ed ones on PostgreSQL; the embedded database has one connection, so one worker) and
// takes the next zone when it is free. Zones are independent: each step reads and writes only
// its own zone in its own fenced transactions, and pool keys are claimed with SKIP LOCKED. The
// exception is a policy whose zones share keys (the first zone to need one makes the shared
// key), so those zones take turns. The first error stops every worker from taking more zones
// and is thrown once all have finished the zone in hand.

import type { Db } from '../store/db.js';

export interface ZoneWork<Z> {
  zones: readonly Z[];
  dbs: readonly Db[];
  /** Zones for which this returns a key take turns (a policy sharing keys). */
  serialKey: (zone: Z) => string | null;
  step: (zone: Z, db: Db) => Promise<void>;
}

export async function forEachZone<Z>(w: ZoneWork<Z>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | null = null;
  const turns = new Map<string, Promise<void>>();
  const worker = async (db: Db) => {
    while (!failure && next < w.zones.length) {
      const zone = w.zones[next++]!;
      const key = w.serialKey(zone);
      try {
        if (key === null) {
          await w.step(zone, db);
          continue;
        }
        const before = turns.get(key) ?? Promise.resolve();
        const mine = before.then(() => w.step(zone, db));
        turns.set(key, mine.catch(() => undefined));
        await mine;
      } catch (e) {
        failure ??= { error: e };
      }
    }
  };
  await Promise.all(w.dbs.map(worker));
  if (failure) throw (failure as { error: unknown }).error;
}

/** The run's connection plus up to `extra` more where the database allows; close with closeWorkers. */
export async function openWorkers(db: Db, extra: number): Promise<Db[]> {
  const dbs = [db];
  if (!db.fork) return dbs;
  try {
    for (let i = 0; i < extra; i++) dbs.push(await db.fork());
  } catch (e) {
    await closeWorkers(dbs);
    throw e;
  }
  return dbs;
}

export async function closeWorkers(dbs: readonly Db[]): Promise<void> {
  await Promise.all(dbs.slice(1).map((d) => d.close().catch(() => undefined)));
}
