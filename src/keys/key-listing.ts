// What `key list` shows for each zone key: its state name, record states, DS-at-parent state, and
// what it waits for with its next possible transition (the rollover core run read-only on the
// stored state; nothing is written). Produced a page of zones at a time, so listing 10,000 zones
// holds one page of keys in memory rather than all of them.

import type { Queryable } from '../store/db.js';
import { loadZoneStates } from '../enforcer/zone-state.js';
import { enforce } from '../rollover/index.js';
import { listPolicies } from '../store/policies.js';
import { getZone, zonesDue, type ZoneRow } from '../store/zones.js';
import type { ZoneKeyRow } from '../store/keys.js';
import { keyStateName } from './key-state.js';

export interface KeyListRow {
  zone: string;
  role: ZoneKeyRow['role'];
  state: string;
  keyTag: number;
  algorithm: number;
  bits: number;
  locator: string;
  repository: string;
  goal: ZoneKeyRow['goal'];
  records: ZoneKeyRow['states'];
  dsAtParent: ZoneKeyRow['dsAtParent'];
  introducedAt: string;
  nextTransition: string | null;
  waitingFor: string[];
}

/** Pages of rows, zones by name and keys by id; only `zone` when given. */
export async function* keyListing(q: Queryable, now: Date, zone?: string, pageSize = 500): AsyncGenerator<KeyListRow[]> {
  const policies = new Map((await listPolicies(q)).map((p) => [p.name, p]));
  let after = '';
  for (;;) {
    let zones: ZoneRow[];
    if (zone === undefined) zones = await zonesDue(q, null, pageSize, after);
    else zones = after === '' ? [await getZone(q, zone)].filter((z): z is ZoneRow => z !== null) : [];
    if (zones.length === 0) return;
    after = zones[zones.length - 1]!.name;
    const loaded = await loadZoneStates(q, zones, policies);
    const page: KeyListRow[] = [];
    for (const z of zones) {
      const l = loaded.get(z.name);
      if (!l) continue;
      const waits = new Map<string, { next: string | null; messages: string[] }>();
      for (const w of enforce(l.state, policies.get(z.policy)!, now.getTime()).waits) {
        if (w.keyId === null) continue;
        const e = waits.get(w.keyId) ?? { next: null, messages: [] };
        e.messages.push(w.message);
        if (w.until !== null && (e.next === null || w.until < Date.parse(e.next))) e.next = new Date(w.until).toISOString();
        waits.set(w.keyId, e);
      }
      for (const k of l.rows) {
        page.push({
          zone: k.zone,
          role: k.role,
          state: keyStateName(k.role, k.goal, k.states),
          keyTag: k.keyTag,
          algorithm: k.algorithm,
          bits: k.bits,
          locator: k.locator,
          repository: k.repository,
          goal: k.goal,
          records: k.states,
          dsAtParent: k.dsAtParent,
          introducedAt: k.introducedAt.toISOString(),
          nextTransition: waits.get(String(k.id))?.next ?? null,
          waitingFor: waits.get(String(k.id))?.messages ?? [],
        });
      }
    }
    yield page;
  }
}
