// Operator answers and requests that feed the rollover core: the DS workflow (ds-submit,
// ds-seen, ds-retract, ds-gone) and manual roll requests. Each is one fenced transaction that
// changes only what the answer says, records it in the audit log, and makes the zone due at once
// so the next run continues the roll. Nothing here decides a transition itself. `key ds-retract`
// leaves the DS state as it is (the core waits for ds-gone) but marks the key's retract command as
// done: the operator passed the retraction on by hand, as `key ds-submit` does for a submission.

import { markGone, markSeen, markSubmitted, DsWorkflowError, type RolloverKey, type ZoneState } from '../rollover/index.js';
import type { KeyRole } from '../policy/policy.js';
import { audit } from '../store/audit.js';
import type { Db, Queryable } from '../store/db.js';
import { markDsRetractPassedOn } from '../store/ds-requests.js';
import { fenced, type Fence } from '../store/lease.js';
import { getPolicy } from '../store/policies.js';
import { getZone, getZoneRollover, setNextRun, setZoneRollover } from '../store/zones.js';
import { EnforcerError, EXIT } from '../util/exit-codes.js';
import { loadZoneState, saveZoneState } from './zone-state.js';

export type DsAnswer = 'ds-submit' | 'ds-seen' | 'ds-retract' | 'ds-gone';

export interface KeySelector {
  keyTag?: number;
  locator?: string;
  all?: boolean;
}

export interface DsAnswerResult {
  zone: string;
  keys: Array<{ keyTag: number; from: string; to: string }>;
}

/** Which DS-at-parent states each answer applies to (the others are left alone with --all). */
const APPLIES: Record<DsAnswer, string[]> = {
  'ds-submit': ['submit'],
  'ds-seen': ['submit', 'submitted'],
  'ds-retract': ['retract'],
  'ds-gone': ['retract'],
};

function answer(state: ZoneState, key: RolloverKey, what: DsAnswer, at: number): ZoneState {
  switch (what) {
    case 'ds-submit':
      return markSubmitted(state, key.id, at);
    case 'ds-seen':
      return markSeen(state, key.id, at);
    case 'ds-gone':
      return markGone(state, key.id, at);
    case 'ds-retract':
      // The retraction was passed on to the parent; the core waits for ds-gone either way.
      return state;
  }
}

export async function recordDsAnswer(db: Db, fence: Fence, zoneName: string, what: DsAnswer, sel: KeySelector, now: Date, actor: string): Promise<DsAnswerResult> {
  return fenced(db, fence, (tx) => applyDsAnswer(tx, fence, zoneName, what, sel, now, actor));
}

/**
 * recordDsAnswer inside the caller's fenced transaction (a DS command's outcome is recorded with
 * the answer it implies). `key ds-retract` also marks the keys' retract commands as no longer
 * pending: the operator passed the retraction on by hand.
 */
export async function applyDsAnswer(tx: Queryable, fence: Fence, zoneName: string, what: DsAnswer, sel: KeySelector, now: Date, actor: string): Promise<DsAnswerResult> {
  const zone = await getZone(tx, zoneName);
  if (!zone) throw new EnforcerError(`no such zone ${zoneName}`, EXIT.BAD_INPUT);
  const policy = await getPolicy(tx, zone.policy);
  if (!policy) throw new EnforcerError(`zone ${zoneName}: policy ${zone.policy} is missing`, EXIT.ERROR);
  const { state, rows } = await loadZoneState(tx, zoneName, policy);
  const locatorOf = new Map(rows.map((r) => [String(r.id), r.locator]));
  const chosen = state.keys.filter((k) => {
    if (k.role === 'ZSK') return false;
    if (sel.all) return APPLIES[what].includes(k.dsAtParent);
    return (sel.keyTag !== undefined && k.keyTag === sel.keyTag) || (sel.locator !== undefined && locatorOf.get(k.id) === sel.locator);
  });
  if (chosen.length === 0) {
    const which = sel.all ? `no key waiting for ${what}` : `no KSK or CSK ${sel.keyTag ?? sel.locator}`;
    throw new EnforcerError(`zone ${zoneName}: ${which}`, EXIT.BAD_INPUT);
  }
  let next = state;
  const out: DsAnswerResult = { zone: zoneName, keys: [] };
  for (const k of chosen) {
    try {
      next = answer(next, k, what, now.getTime());
    } catch (e) {
      if (e instanceof DsWorkflowError) throw new EnforcerError(`zone ${zoneName}: ${what} does not fit: ${e.message}`, EXIT.BAD_INPUT);
      throw e;
    }
    out.keys.push({ keyTag: k.keyTag, from: k.dsAtParent, to: next.keys.find((x) => x.id === k.id)!.dsAtParent });
  }
  await saveZoneState(tx, fence, zoneName, state, next, [], actor, now);
  if (what === 'ds-retract') await markDsRetractPassedOn(tx, chosen.map((k) => Number(k.id)));
  for (const k of out.keys) await audit(tx, fence, { actor, event: what, zone: zoneName, detail: k });
  await setNextRun(tx, zoneName, null);
  return out;
}

export async function requestRoll(db: Db, fence: Fence, zoneName: string, role: KeyRole, actor: string): Promise<void> {
  await fenced(db, fence, async (tx) => {
    const z = await getZoneRollover(tx, zoneName);
    if (!z) throw new EnforcerError(`no such zone ${zoneName}`, EXIT.BAD_INPUT);
    const zone = (await getZone(tx, zoneName))!;
    const policy = await getPolicy(tx, zone.policy);
    if (!policy?.keys.list.some((k) => k.role === role)) {
      throw new EnforcerError(`zone ${zoneName}: its policy ${zone.policy} has no ${role}`, EXIT.BAD_INPUT);
    }
    await setZoneRollover(tx, zoneName, { ...z, rollRequested: { ...z.rollRequested, [role]: true } });
    await audit(tx, fence, { actor, event: 'roll requested', zone: zoneName, detail: { role } });
    await setNextRun(tx, zoneName, null);
  });
}
