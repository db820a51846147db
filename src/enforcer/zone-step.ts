// One zone's step in a run: give the zone the keys its policy asks for, keep its NSEC3 salt
// fresh, and write its signconf when the content changed or the file on disk is not the one
// recorded. Every database change is fenced; a failure leaves the zone as it was.
//
// Until the rollover engine drives record states, a zone that has no keys at all is introduced
// the way a new, still unsigned zone can be: every record of its new keys becomes rumoured at
// once (no resolver can hold a chain of trust to break yet), and the DS stays hidden until the
// DNSKEY is known everywhere. Keys missing from a zone that already has keys are added hidden.

import { randomBytes } from 'node:crypto';
import type { Policy } from '../policy/policy.js';
import { audit } from '../store/audit.js';
import type { Db, Queryable } from '../store/db.js';
import { insertZoneKey, markAllocated, poolKeys, sharedKeyFor, zoneKeys, type KeyStates, type ZoneKeyRow } from '../store/keys.js';
import { fenced, type Fence } from '../store/lease.js';
import { getSignconfRecord } from '../store/signconf-records.js';
import { setNextRun, setNsec3Salt, getZone, type ZoneRow } from '../store/zones.js';
import { renderSignconf } from '../signconf/render.js';
import { signconfPathFor } from '../signconf/paths.js';
import { contentHash } from '../signconf/metadata.js';
import { fileMatches, writeSignconf } from '../signconf/write.js';
import { flagsFor, slotOf, tagOf } from '../keys/pool.js';
import { EnforcerError, EXIT } from '../util/exit-codes.js';

export interface ZoneStepResult {
  zone: string;
  keysAllocated: number;
  resalted: boolean;
  signconfWritten: boolean;
  nextRunAt: Date | null;
}

/** Re-examine a zone at least this often even when nothing is scheduled. */
const MAX_SLEEP_SECONDS = 24 * 3600;

function initialStates(role: Policy['keys']['list'][number]['role'], firstKeys: boolean): KeyStates {
  const r = firstKeys ? 'rumoured' : 'hidden';
  return {
    ds: role === 'ZSK' ? 'na' : 'hidden',
    dnskey: r,
    rrsigdnskey: role === 'ZSK' ? 'na' : r,
    rrsig: role === 'KSK' ? 'na' : r,
  };
}

/** Which key slots of the policy the zone lacks (no key of that role and algorithm being introduced). */
export function missingSlots(policy: Policy, keys: ZoneKeyRow[]) {
  const have = keys.filter((k) => k.goal === 'omnipresent');
  return policy.keys.list.filter((kp) => !have.some((k) => k.role === kp.role && k.algorithm === kp.algorithm));
}

function saltDue(policy: Policy, zone: ZoneRow, now: Date): boolean {
  if (policy.denial.type !== 'NSEC3') return false;
  if (zone.nsec3Salt === null || zone.saltChangedAt === null) return true;
  if (zone.nsec3Salt.length !== policy.denial.saltLength * 2) return true;
  return zone.saltChangedAt.getTime() + policy.denial.resalt * 1000 <= now.getTime();
}

async function allocateKeys(tx: Queryable, fence: Fence, policy: Policy, zone: string, now: Date, actor: string): Promise<number> {
  const keys = await zoneKeys(tx, zone);
  const firstKeys = keys.length === 0;
  const tags = new Set(keys.map((k) => k.keyTag));
  let n = 0;
  for (const kp of missingSlots(policy, keys)) {
    const slot = slotOf(policy, kp);
    const shared = policy.keys.shareKeys ? await sharedKeyFor(tx, slot) : null;
    // Skip pool keys whose tag would collide with one the zone already has.
    const candidates = shared ? [shared] : await poolKeys(tx, slot, 8);
    const pick = candidates.find((c) => !tags.has(tagOf(kp.role, c.algorithm, c.publicKey)));
    if (!pick) throw new PoolEmptyError(zone, `${kp.role} algorithm ${kp.algorithm}`);
    const keyTag = tagOf(kp.role, pick.algorithm, pick.publicKey);
    tags.add(keyTag);
    if (!shared) await markAllocated(tx, pick.id);
    await insertZoneKey(tx, {
      zone,
      hsmKeyId: pick.id,
      role: kp.role,
      flags: flagsFor(kp.role),
      keyTag,
      goal: 'omnipresent',
      states: initialStates(kp.role, firstKeys),
      at: now,
    });
    await audit(tx, fence, { actor, event: 'key allocated', zone, keyLocator: pick.locator, detail: { role: kp.role, keyTag, shared: shared !== null } });
    n++;
  }
  return n;
}

export class PoolEmptyError extends EnforcerError {
  constructor(readonly zone: string, what: string) {
    super(`zone ${zone}: no unused ${what} key in the pool`, EXIT.ERROR);
  }
}

export interface ZoneStepDeps {
  db: Db;
  fence: Fence;
  signconfDirectory: string;
  now: Date;
  actor: string;
  force?: boolean;
}

export async function zoneStep(d: ZoneStepDeps, zoneName: string, policy: Policy): Promise<ZoneStepResult> {
  const { db, fence, now } = d;
  let zone = await getZone(db, zoneName);
  if (!zone) throw new EnforcerError(`zone ${zoneName} disappeared during the run`, EXIT.ERROR);
  const path = signconfPathFor(d.signconfDirectory, zone.name, zone.signconfPath);
  const result: ZoneStepResult = { zone: zone.name, keysAllocated: 0, resalted: false, signconfWritten: false, nextRunAt: null };

  // Step 1: state changes (keys, salt), one fenced transaction.
  const needKeys = missingSlots(policy, await zoneKeys(db, zone.name)).length > 0;
  const needSalt = saltDue(policy, zone, now);
  if (needKeys || needSalt) {
    await fenced(db, fence, async (tx) => {
      if (needKeys) result.keysAllocated = await allocateKeys(tx, fence, policy, zone!.name, now, d.actor);
      if (needSalt && policy.denial.type === 'NSEC3') {
        const salt = randomBytes(policy.denial.saltLength).toString('hex');
        await setNsec3Salt(tx, zone!.name, salt, now);
        await audit(tx, fence, { actor: d.actor, event: 'nsec3 salt changed', zone: zone!.name, detail: { length: policy.denial.saltLength } });
        result.resalted = true;
      }
    });
    zone = (await getZone(db, zoneName))!;
  }

  // Step 2: the signconf that follows from the state, written only when it differs.
  const keys = await zoneKeys(db, zone.name);
  const document = renderSignconf({
    zone: zone.name,
    policy,
    keys: keys.map((k) => ({ flags: k.flags, algorithm: k.algorithm, locator: k.locator, states: k.states })),
    nsec3Salt: zone.nsec3Salt,
  });
  const hash = contentHash(document);
  const record = await getSignconfRecord(db, zone.name);
  const upToDate = !d.force && record !== null && record.contentHash === hash && record.path === path && (await fileMatches(path, hash));
  result.nextRunAt = nextRun(policy, zone, now);
  const schedule = async (tx: Queryable) => {
    await setNextRun(tx, zone!.name, result.nextRunAt);
  };
  if (upToDate) {
    await fenced(db, fence, schedule);
  } else {
    await writeSignconf(db, fence, { zone: zone.name, path, document, writtenAt: now }, async (tx) => {
      await schedule(tx);
      await audit(tx, fence, { actor: d.actor, event: 'signconf written', zone: zone!.name, detail: { path, hash } });
    });
    result.signconfWritten = true;
  }
  return result;
}

function nextRun(policy: Policy, zone: ZoneRow, now: Date): Date {
  let at = now.getTime() + MAX_SLEEP_SECONDS * 1000;
  if (policy.denial.type === 'NSEC3' && zone.saltChangedAt) {
    at = Math.min(at, zone.saltChangedAt.getTime() + policy.denial.resalt * 1000);
  }
  return new Date(Math.max(at, now.getTime()));
}
