// The bridge between the database and the pure rollover core: load a zone's keys and zone-level
// inputs as a ZoneState, and write back exactly what changed between two states (inside the
// caller's fenced transaction), with one audit entry per action.

import { initialTtls, rolloverKeyFromRow, type Action, type RolloverKey, type ZoneState } from '../rollover/index.js';
import type { Policy } from '../policy/policy.js';
import { auditAll, type AuditEntry } from '../store/audit.js';
import type { Queryable } from '../store/db.js';
import { purgeZoneKey, updateZoneKeys, zoneKeys, zoneKeysOf, type ChangeTime, type SignconfRecordType, type ZoneKeyRow, type ZoneKeyUpdate } from '../store/keys.js';
import type { Fence } from '../store/lease.js';
import { getZoneRollover, setZoneRollover, zoneRollovers, type ZoneRolloverRow } from '../store/zones.js';

export interface LoadedZone {
  state: ZoneState;
  rows: ZoneKeyRow[];
  /**
   * False when the zone has no published TTLs recorded yet and `state.ttls` is the policy's: the
   * zone step then records them (recordPublishedTtlsOnce), so a later policy edit compares with them.
   */
  ttlsRecorded: boolean;
}

export async function loadZoneState(q: Queryable, zone: string, policy: Policy): Promise<LoadedZone> {
  return toLoaded(await zoneKeys(q, zone), await getZoneRollover(q, zone), policy);
}

/**
 * loadZoneState for many zones in two queries (read-only views and a run's look-ahead); zones
 * whose policy is not in `policies` are left out.
 */
export async function loadZoneStates(q: Queryable, zones: ReadonlyArray<{ name: string; policy: string }>, policies: ReadonlyMap<string, Policy>): Promise<Map<string, LoadedZone>> {
  const names = zones.map((z) => z.name);
  const keys = await zoneKeysOf(q, names);
  const rollovers = await zoneRollovers(q, names);
  const byZone = new Map<string, ZoneKeyRow[]>();
  for (const k of keys) byZone.set(k.zone, [...(byZone.get(k.zone) ?? []), k]);
  const out = new Map<string, LoadedZone>();
  for (const z of zones) {
    const policy = policies.get(z.policy);
    if (policy) out.set(z.name, toLoaded(byZone.get(z.name) ?? [], rollovers.get(z.name) ?? null, policy));
  }
  return out;
}

function toLoaded(rows: ZoneKeyRow[], z: ZoneRolloverRow | null, policy: Policy): LoadedZone {
  const state: ZoneState = {
    keys: rows.map(rolloverKeyFromRow),
    rollRequested: z?.rollRequested ?? {},
    ttls: (z?.publishedTtls as ZoneState['ttls'] | null) ?? initialTtls(policy),
    retire: z?.retire ?? false,
  };
  return { state, rows, ttlsRecorded: (z?.publishedTtls ?? null) !== null };
}

/** The zone after keys were added to it: `state` (the zone-level part) with the new rows' keys. */
export function withNewKeys(loaded: LoadedZone, state: ZoneState, rows: readonly ZoneKeyRow[]): LoadedZone {
  return { ...loaded, state: { ...state, keys: [...state.keys, ...rows.map(rolloverKeyFromRow)] }, rows: [...loaded.rows, ...rows] };
}

const date = (ms: number | null): Date | null => (ms === null ? null : new Date(ms));
/** A change still waiting for its signconf's publication keeps the stored (decision) time. */
const changeTime = (ms: number | null): ChangeTime => (ms === Infinity ? 'keep' : date(ms));
const SIGNCONF_RECORDS: readonly SignconfRecordType[] = ['dnskey', 'rrsigdnskey', 'rrsig'];

/**
 * The key's records whose last change awaits publication after this save: those still waiting
 * (Infinity), and — when the save goes with a signconf to be published — those this step moved
 * to rumoured or unretentive, i.e. changed what the signer is asked to publish.
 */
function unpublishedAfter(old: RolloverKey, next: RolloverKey, publishes: boolean): SignconfRecordType[] {
  return SIGNCONF_RECORDS.filter((r) => {
    if (next.changedAt[r] === Infinity) return true;
    const moved = next.changedAt[r] !== old.changedAt[r] && (next.states[r] === 'rumoured' || next.states[r] === 'unretentive');
    return publishes && moved;
  });
}

function keyChanged(a: RolloverKey, b: RolloverKey): boolean {
  return JSON.stringify([a.goal, a.states, a.changedAt, a.dsAtParent, a.dsAtParentChangedAt]) !==
    JSON.stringify([b.goal, b.states, b.changedAt, b.dsAtParent, b.dsAtParentChangedAt]);
}

/**
 * Persist the difference between `before` and `after` (keys are matched by id). The audit entries
 * go into `auditSink` when given (the caller writes them with its own), else are written here.
 * With `publishes`, the save goes with a signconf whose publication is confirmed later
 * (publish.ts): the records it moves to rumoured or unretentive are marked unpublished until then.
 */
export async function saveZoneState(
  tx: Queryable,
  fence: Fence,
  zone: string,
  before: ZoneState,
  after: ZoneState,
  actions: readonly Action[],
  actor: string,
  now: Date,
  auditSink?: AuditEntry[],
  opts: { publishes: boolean } = { publishes: false },
): Promise<void> {
  const afterById = new Map(after.keys.map((k) => [k.id, k]));
  const updates: Array<{ id: number; update: ZoneKeyUpdate }> = [];
  for (const old of before.keys) {
    const next = afterById.get(old.id);
    if (!next) {
      await purgeZoneKey(tx, Number(old.id));
      continue;
    }
    if (!keyChanged(old, next)) continue;
    updates.push({
      id: Number(old.id),
      update: {
        goal: next.goal,
        states: next.states,
        changedAt: {
          ds: changeTime(next.changedAt.ds),
          dnskey: changeTime(next.changedAt.dnskey),
          rrsigdnskey: changeTime(next.changedAt.rrsigdnskey),
          rrsig: changeTime(next.changedAt.rrsig),
        },
        dsAtParent: next.dsAtParent,
        dsAtParentChangedAt: date(next.dsAtParentChangedAt),
        at: now,
        unpublished: unpublishedAfter(old, next, opts.publishes),
      },
    });
  }
  await updateZoneKeys(tx, updates);
  if (JSON.stringify([before.rollRequested, before.ttls, before.retire ?? false]) !== JSON.stringify([after.rollRequested, after.ttls, after.retire ?? false])) {
    await setZoneRollover(tx, zone, { rollRequested: after.rollRequested, publishedTtls: after.ttls, retire: after.retire ?? false });
  }
  const tags = new Map(before.keys.map((k) => [k.id, k.keyTag]));
  const entries = auditSink ?? [];
  for (const a of actions) {
    if (a.type === 'create-key' || a.type === 'write-signconf') continue;
    const keyTag = 'keyId' in a ? tags.get(a.keyId) : undefined;
    entries.push({ actor, event: a.type, zone, detail: { ...a, ...(keyTag === undefined ? {} : { keyTag }) } });
  }
  if (!auditSink) await auditAll(tx, fence, entries);
}
