// Which keys wait for the parent, read from the database for `key ds-check`. Contract: read-only;
// a key waits for ds-seen while its DS is asked for or submitted ('submit', 'submitted': the same
// states `key ds-seen` accepts) and for ds-gone while its removal is asked for ('retract'). ZSKs have
// no DS. An explicitly named zone that does not exist is bad input; named zones with nothing waiting
// are returned with no waiting keys so the report can say so.

import type { KeyRole } from '../policy/policy.js';
import type { Queryable } from '../store/db.js';
import { allZoneKeys, type DsAtParent, type ZoneKeyRow } from '../store/keys.js';
import { getPolicy } from '../store/policies.js';
import { getZone } from '../store/zones.js';
import { EnforcerError, EXIT } from '../util/exit-codes.js';

export type DsWanted = 'ds-seen' | 'ds-gone';

export interface DsKey {
  id: string;
  keyTag: number;
  role: KeyRole;
  locator: string;
  flags: number;
  algorithm: number;
  publicKey: Uint8Array;
  dsAtParent: DsAtParent;
}

export interface WaitingKey extends DsKey {
  wants: DsWanted;
}

export interface ZoneToCheck {
  zone: string;
  /** The policy's <Parent><DS><TTL> in seconds (what the roll's timing assumes), or null without a policy. */
  policyDsTtl: number | null;
  waiting: WaitingKey[];
  /** Every KSK/CSK of the zone, to tell a DS of ours from a foreign one. */
  dsKeys: DsKey[];
}

export function wantedFor(state: DsAtParent): DsWanted | null {
  if (state === 'submit' || state === 'submitted') return 'ds-seen';
  if (state === 'retract') return 'ds-gone';
  return null;
}

function dsKey(k: ZoneKeyRow): DsKey {
  return {
    id: String(k.id), keyTag: k.keyTag, role: k.role, locator: k.locator,
    flags: k.flags, algorithm: k.algorithm, publicKey: k.publicKey, dsAtParent: k.dsAtParent,
  };
}

/** Zones to check, by name; all zones with a waiting key when `only` is absent. */
export async function zonesToCheck(q: Queryable, only?: readonly string[]): Promise<ZoneToCheck[]> {
  if (only && only.length > 0) {
    for (const z of only) if (!(await getZone(q, z))) throw new EnforcerError(`no such zone ${z}`, EXIT.BAD_INPUT);
  }
  const names = only && only.length > 0 ? [...new Set(only)].sort() : null;
  const keys = (await allZoneKeys(q)).filter((k) => k.role !== 'ZSK' && (names === null || names.includes(k.zone)));
  const byZone = new Map<string, ZoneKeyRow[]>();
  for (const n of names ?? []) byZone.set(n, []);
  for (const k of keys) byZone.set(k.zone, [...(byZone.get(k.zone) ?? []), k]);
  const out: ZoneToCheck[] = [];
  for (const [zone, rows] of [...byZone].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const waiting = rows.flatMap((k) => {
      const wants = wantedFor(k.dsAtParent);
      return wants ? [{ ...dsKey(k), wants }] : [];
    });
    if (waiting.length === 0 && names === null) continue;
    const z = await getZone(q, zone);
    const policy = z ? await getPolicy(q, z.policy) : null;
    out.push({ zone, policyDsTtl: policy?.parent.dsTtl ?? null, waiting, dsKeys: rows.map(dsKey) });
  }
  return out;
}
