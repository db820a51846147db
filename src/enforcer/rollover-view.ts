// `enforcer rollover list`: the rolls in progress in a zone and what each is waiting for. Asks the
// core what it would do now (enforce, which is pure) and reports, for every key that is not simply
// active (still coming in, on its way out, or waiting for something), the core's own explanation
// of each move it cannot make yet, plus the zone's next scheduled rolls.
// Contract: zoneRollovers only reads (loadZoneState + enforce on the loaded copy); nothing is
// written. renderZoneRollovers is pure.

import type { Policy } from '../policy/policy.js';
import { enforce, iso, summarize, type KeySummary, type RolloverKey, type Wait } from '../rollover/index.js';
import { keyLabel } from '../rollover/explain.js';
import type { Queryable } from '../store/db.js';
import { describeAction, existingKeyRef, isoSeconds, type KeyRef } from './plan-words.js';
import { loadZoneState } from './zone-state.js';

export interface WaitView {
  kind: Wait['kind'];
  record: Wait['record'];
  from: Wait['from'];
  to: Wait['to'];
  /** ISO 8601 UTC, or null when unknown. */
  since: string | null;
  /** ISO 8601 UTC when the wait ends by itself; null when it needs someone (or something) else. */
  until: string | null;
  message: string;
}

export interface RollingKey {
  key: KeyRef;
  algorithm: number;
  /** OpenDNSSEC's state name: generate, publish, ready, active, retire, dead. */
  state: KeySummary['state'];
  goal: KeySummary['goal'];
  dsAtParent: RolloverKey['dsAtParent'];
  waits: WaitView[];
}

export interface ZoneRollovers {
  zone: string;
  policy: string;
  at: string;
  keys: RollingKey[];
  /** Zone-wide waits: the next automatic roll per policy key, manual rollover, unusable policy. */
  zoneWaits: WaitView[];
  /** What the next run would do at once (its time has come); empty when the zone is up to date. */
  dueNow: string[];
  /** When the core can next move on by itself; null = only operator input can. */
  nextRunAt: string | null;
}

const view = (w: Wait): WaitView => ({
  kind: w.kind,
  record: w.record,
  from: w.from,
  to: w.to,
  since: w.since === null ? null : iso(w.since),
  until: w.until === null ? null : iso(w.until),
  message: w.message,
});

export async function zoneRollovers(q: Queryable, zone: string, policy: Policy, now: number): Promise<ZoneRollovers> {
  const { state } = await loadZoneState(q, zone, policy);
  const r = enforce(state, policy, now);
  const refs = new Map(state.keys.map((k) => [k.id, existingKeyRef(k)]));
  const byTag = new Map(state.keys.map((k) => [k.keyTag, refs.get(k.id)!]));
  const byId = new Map(state.keys.map((k) => [k.id, k]));
  // States as stored (what `key list` shows); waits as the core sees them after what is due now.
  const keys = summarize(state.keys, r.waits)
    .filter((s) => s.state !== 'active' || s.goal === 'hidden' || s.waits.length > 0)
    .map((s) => ({ key: refs.get(s.keyId)!, algorithm: s.algorithm, state: s.state, goal: s.goal, dsAtParent: byId.get(s.keyId)!.dsAtParent, waits: s.waits.map(view) }));
  const dueNow = r.actions.flatMap((a) => {
    const ref = 'keyId' in a ? refs.get(a.keyId) : undefined;
    const text = describeAction(a, ref, byTag);
    return text === null ? [] : [ref ? `${ref.label}: ${text}` : text];
  });
  return {
    zone,
    policy: policy.name,
    at: iso(now),
    keys,
    zoneWaits: r.waits.filter((w) => w.keyId === null).map(view),
    dueNow,
    nextRunAt: r.nextRunAt === null ? null : iso(r.nextRunAt),
  };
}

const ZONE_WAIT: Partial<Record<Wait['kind'], string>> = { roll: 'next roll', manual: 'manual rollover', config: 'policy problem' };

/** The rolls as lines for people: per key, each wait in the core's words. */
export function renderZoneRollovers(z: ZoneRollovers): string[] {
  const lines = [`${z.zone} (policy ${z.policy})`];
  for (const k of z.keys) {
    const head = `  ${k.key.label} [${k.state}]`;
    // The core's messages start with the key's full label; the line already names the key.
    const prefix = `${keyLabel({ role: k.key.role, keyTag: k.key.keyTag!, algorithm: k.algorithm as RolloverKey['algorithm'] })}: `;
    if (k.waits.length === 0) lines.push(`${head} nothing to wait for; the next run moves it on`);
    for (const w of k.waits) lines.push(`${head} ${w.message.startsWith(prefix) ? w.message.slice(prefix.length) : w.message}`);
  }
  for (const d of z.dueNow) lines.push(`  due now (the next run does it): ${d}`);
  for (const w of z.zoneWaits) lines.push(`  ${ZONE_WAIT[w.kind] ?? w.kind}: ${w.message}`);
  if (z.keys.length === 0 && z.dueNow.length === 0) lines.push('  no roll in progress');
  if (z.nextRunAt !== null) lines.push(`  the core moves on by itself at ${isoSeconds(Date.parse(z.nextRunAt))}`);
  return lines;
}
