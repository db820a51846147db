// --zone for the checks: the selected zones must exist, so a typo in a monitoring definition is an
// UNKNOWN naming the zone rather than a check of nothing that says OK. Contract: pure.

import { EnforcerError, EXIT } from '../util/exit-codes.js';

export function selectZones<Z extends { name: string }>(zones: readonly Z[], wanted: readonly string[] | null): Z[] {
  if (wanted === null) return [...zones];
  const known = new Set(zones.map((z) => z.name));
  const unknown = wanted.filter((w) => !known.has(w));
  if (unknown.length > 0) throw new EnforcerError(`no such zone in the database: ${unknown.join(', ')}`, EXIT.BAD_INPUT);
  const set = new Set(wanted);
  return zones.filter((z) => set.has(z.name));
}

export function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const out = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}
