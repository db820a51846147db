// One zone's step in a run: ask the rollover core what to do now, create the keys it asks for
// (from the pool, or the policy's shared key), then persist every state change, keep the NSEC3
// salt fresh and write the signconf when its content changed or the file on disk is not the one
// recorded, all in one fenced transaction. A failure leaves the zone exactly as it was.

import { randomBytes } from 'node:crypto';
import type { Policy } from '../policy/policy.js';
import { apply, assumePublished, enforce, initialStates, type Action, type ZoneState } from '../rollover/index.js';
import { auditAll, type AuditEntry } from '../store/audit.js';
import type { Db, Queryable } from '../store/db.js';
import { insertZoneKey, sharedKeyFor, type HsmKeyRow, type ZoneKeyRow } from '../store/keys.js';
import { fenced, type Fence } from '../store/lease.js';
import { signconfRecordsOf, type SignconfRecord } from '../store/signconf-records.js';
import { finishZoneStep, recordPublishedTtlsOnce, type ZoneRow } from '../store/zones.js';
import { renderSignconf } from '../signconf/render.js';
import { signconfPathFor } from '../signconf/paths.js';
import { contentHash } from '../signconf/metadata.js';
import { fileMatches, writeSignconf } from '../signconf/write.js';
import { flagsFor, tagOf } from '../keys/pool.js';
import { EnforcerError, EXIT } from '../util/exit-codes.js';
import { PoolQueue } from './pool-queue.js';
import type { PublicationTicket } from './publication.js';
import { loadZoneStates, saveZoneState, withNewKeys, type LoadedZone } from './zone-state.js';

export interface ZoneStepResult {
  zone: string;
  keysAllocated: number;
  /** State-changing actions applied (transitions, goals, DS requests, purges, TTL changes). */
  actions: number;
  resalted: boolean;
  signconfWritten: boolean;
  nextRunAt: Date | null;
  /** DS requests the operator (or the configured hook) must act on. */
  dsRequests: Array<{ type: 'ds-submit' | 'ds-retract'; keyTag: number }>;
  /** The signconf put in place by this step, to be confirmed as published (publication.ts); null when none was written. */
  publication: PublicationTicket | null;
}

/** Re-examine a zone at least this often even when nothing is scheduled. */
const MAX_SLEEP_SECONDS = 24 * 3600;

type CreateKey = Extract<Action, { type: 'create-key' }>;

export class PoolEmptyError extends EnforcerError {
  constructor(readonly zone: string, what: string) {
    super(`zone ${zone}: no unused ${what} key in the pool`, EXIT.ERROR);
  }
}

/**
 * Give the zone the keys the core asked for: the policy's shared key, or unused pool keys. Returns
 * the new rows; their audit entries go into `audits`. `existing` are the zone's keys: the run
 * holds the run lock, so nothing else changes them during its step.
 */
async function createKeys(
  tx: Queryable,
  policy: Policy,
  zone: string,
  existing: readonly ZoneKeyRow[],
  creates: CreateKey[],
  now: Date,
  actor: string,
  audits: AuditEntry[],
  pool: PoolQueue,
): Promise<ZoneKeyRow[]> {
  const tags = new Set(existing.map((k) => k.keyTag));
  const used = new Set(existing.map((k) => k.hsmKeyId));
  const added: ZoneKeyRow[] = [];
  for (const c of creates) {
    const slot = { policy: policy.name, role: c.role, algorithm: c.algorithm, bits: c.bits, repository: c.repository };
    const shared = policy.keys.shareKeys ? await sharedKeyFor(tx, slot) : null;
    const usable = shared && !used.has(shared.id) ? [shared] : [];
    const fits = (k: HsmKeyRow) => !tags.has(tagOf(c.role, k.algorithm, k.publicKey));
    const pick = usable.length > 0 ? usable.find(fits) : await pool.take(tx, slot, fits);
    if (!pick) throw new PoolEmptyError(zone, `${c.role} algorithm ${c.algorithm}`);
    const keyTag = tagOf(c.role, pick.algorithm, pick.publicKey);
    tags.add(keyTag);
    used.add(pick.id);
    const isShared = pick === usable[0];
    added.push(
      await insertZoneKey(tx, { zone, role: c.role, flags: flagsFor(c.role), keyTag, goal: 'omnipresent', states: initialStates(c.role), at: now }, pick, !isShared),
    );
    audits.push({ actor, event: 'key allocated', zone, keyLocator: pick.locator, detail: { role: c.role, keyTag, reason: c.reason, shared: isShared } });
  }
  return added;
}

/** Whether the zone needs a new NSEC3 salt now: none yet, the wrong length, or older than <Resalt>. */
export function saltDue(policy: Policy, zone: ZoneRow, now: Date): boolean {
  if (policy.denial.type !== 'NSEC3') return false;
  if (zone.nsec3Salt === null || zone.saltChangedAt === null) return true;
  if (zone.nsec3Salt.length !== policy.denial.saltLength * 2) return true;
  return zone.saltChangedAt.getTime() + policy.denial.resalt * 1000 <= now.getTime();
}

export interface ZoneStepDeps {
  db: Db;
  fence: Fence;
  signconfDirectory: string;
  now: Date;
  actor: string;
  force?: boolean;
  /** Unused pool keys read for the run's batch (without it, an empty queue: each key is claimed from the database). */
  pool?: PoolQueue;
}

/** What a zone step starts from, read for a whole batch of zones at once (readZoneInputs). */
export interface ZoneStepInput {
  zone: ZoneRow;
  loaded: LoadedZone;
  /** What the enforcer last wrote as the zone's signconf (null: nothing yet). */
  record: SignconfRecord | null;
}

/** The inputs of a batch's zone steps in three queries; zones whose policy is unknown are left out. */
export async function readZoneInputs(q: Queryable, zones: readonly ZoneRow[], policies: ReadonlyMap<string, Policy>): Promise<Map<string, ZoneStepInput>> {
  const states = await loadZoneStates(q, zones, policies);
  const records = await signconfRecordsOf(q, zones.map((z) => z.name));
  const out = new Map<string, ZoneStepInput>();
  for (const zone of zones) {
    const loaded = states.get(zone.name);
    if (loaded) out.set(zone.name, { zone, loaded, record: records.get(zone.name) ?? null });
  }
  return out;
}

/**
 * One zone's step from its `input`. The run holds the run lock, so the input read with the batch
 * is still the zone's state: only this step changes the zone while the run goes on.
 */
export async function zoneStep(d: ZoneStepDeps, input: ZoneStepInput, policy: Policy): Promise<ZoneStepResult> {
  const { db, fence, now, actor } = d;
  const zone = input.zone;
  const path = signconfPathFor(d.signconfDirectory, zone.name, zone.signconfPath);

  // Keys first, each batch in its own fenced transaction, then ask the core again (same `now`).
  let keysAllocated = 0;
  const pool = d.pool ?? new PoolQueue();
  let loaded = input.loaded;
  let result = enforce(loaded.state, policy, now.getTime());
  for (let round = 0; result.rerun; round++) {
    if (round >= 3) throw new EnforcerError(`zone ${zone.name}: the rollover core keeps asking for new keys`, EXIT.ERROR);
    const creates = result.actions.filter((a): a is CreateKey => a.type === 'create-key');
    // A roll request is answered by the key it asked for: clear it in the same transaction, or the
    // next call would ask for yet another key.
    const clears = result.actions.filter((a) => a.type === 'clear-roll-request');
    const before = loaded.state;
    const cleared = clears.length > 0 ? apply(before, clears) : before;
    const current = loaded;
    const added = await fenced(db, fence, async (tx) => {
      const audits: AuditEntry[] = [];
      const rows = await createKeys(tx, policy, zone.name, current.rows, creates, now, actor, audits, pool);
      if (clears.length > 0) await saveZoneState(tx, fence, zone.name, before, cleared, clears, actor, now, audits);
      await auditAll(tx, fence, audits);
      return rows;
    });
    keysAllocated += added.length;
    loaded = withNewKeys(loaded, cleared, added);
    result = enforce(loaded.state, policy, now.getTime());
  }

  const changes = result.actions.filter((a) => a.type !== 'write-signconf');
  const newSalt = saltDue(policy, zone, now) && policy.denial.type === 'NSEC3' ? randomBytes(policy.denial.saltLength).toString('hex') : null;
  const rowsById = new Map(loaded.rows.map((r) => [String(r.id), r]));
  const document = renderSignconf({
    zone: zone.name,
    policy,
    keys: result.state.keys.map((k) => ({ flags: k.flags, algorithm: k.algorithm, locator: rowsById.get(k.id)!.locator, states: k.states })),
    nsec3Salt: newSalt ?? zone.nsec3Salt,
  });
  const hash = contentHash(document);
  const record = input.record;
  // A signconf not yet confirmed as published is written again and its publication retried.
  const published = record !== null && record.publishedAt !== null;
  const upToDate = !d.force && published && record.contentHash === hash && record.path === path && (await fileMatches(path, hash));
  const nextRunAt = new Date(Math.max(now.getTime(), Math.min(scheduledRun(result.state, policy, now), saltDueAt(policy, newSalt ? now : zone.saltChangedAt), now.getTime() + MAX_SLEEP_SECONDS * 1000)));

  const state = loaded.state;
  const persist = async (tx: Queryable, last: AuditEntry[], publishes: boolean) => {
    const audits: AuditEntry[] = [];
    if (changes.length > 0) await saveZoneState(tx, fence, zone.name, state, result.state, changes, actor, now, audits, { publishes });
    // The TTLs this step publishes, the first time: the baseline a later policy edit is compared with.
    if (!loaded.ttlsRecorded) await recordPublishedTtlsOnce(tx, zone.name, result.state.ttls);
    if (newSalt !== null) audits.push({ actor, event: 'nsec3 salt changed', zone: zone.name, detail: { length: newSalt.length / 2 } });
    // Until its publication is confirmed the zone stays due, so a crash or a failed notification
    // is retried by the next run; the confirmation sets the real next run.
    await finishZoneStep(tx, zone.name, publishes ? now : nextRunAt, newSalt === null ? null : { salt: newSalt, at: now });
    await auditAll(tx, fence, [...audits, ...last]);
  };
  if (upToDate) {
    await fenced(db, fence, (tx) => persist(tx, [], false));
  } else {
    await writeSignconf(db, fence, { zone: zone.name, path, document, writtenAt: now }, (tx) =>
      persist(tx, [{ actor, event: 'signconf written', zone: zone.name, detail: { path, hash } }], true),
    );
  }
  return {
    zone: zone.name,
    keysAllocated,
    actions: changes.length,
    resalted: newSalt !== null,
    signconfWritten: !upToDate,
    nextRunAt,
    dsRequests: result.actions.flatMap((a) => (a.type === 'ds-submit' || a.type === 'ds-retract' ? [{ type: a.type, keyTag: a.keyTag }] : [])),
    publication: upToDate ? null : { zone: zone.name, path, hash, decidedAt: now, nextRunAt },
  };
}

/**
 * When the zone needs the core again, counting changes that still wait for their publication as
 * published now (they are, within a run when it succeeds; the confirmation shifts the time by the
 * delay). Without this a zone whose changes are pending would sleep until its next roll.
 */
function scheduledRun(state: ZoneState, policy: Policy, now: Date): number {
  return enforce(assumePublished(state, now.getTime()), policy, now.getTime()).nextRunAt ?? Infinity;
}

function saltDueAt(policy: Policy, changedAt: Date | null): number {
  if (policy.denial.type !== 'NSEC3' || changedAt === null) return Infinity;
  return changedAt.getTime() + policy.denial.resalt * 1000;
}
