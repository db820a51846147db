// Recording what `key ds-check` confirmed: the same fenced transaction `key ds-seen` / `key ds-gone`
// use (operator-input.ts: the core's markSeen / markGone, saveZoneState, an audit entry per key, the
// zone made due at once), with the evidence (servers asked, what each served, when) in the audit
// entry. Contract: one transaction per zone under the caller's fence; a key whose DS state moved
// since it was checked (someone answered by hand, a run went on) or that is gone is left alone and
// reported as skipped: the evidence was gathered for the state it was in, not for the new one.

import { markGone, markSeen } from '../rollover/index.js';
import { audit } from '../store/audit.js';
import type { Db } from '../store/db.js';
import { fenced, type Fence } from '../store/lease.js';
import { getPolicy } from '../store/policies.js';
import { getZone, setNextRun } from '../store/zones.js';
import { EnforcerError, EXIT } from '../util/exit-codes.js';
import { loadZoneState, saveZoneState } from './zone-state.js';
import { wantedFor, type DsWanted } from './ds-check-waiting.js';

export interface Confirmation {
  keyId: string;
  keyTag: number;
  wants: DsWanted;
  /** The DS state the check saw; the record is made only if the key is still in it. */
  checkedState: string;
  /** What goes into the audit entry: servers asked, their answers, when. */
  evidence: Record<string, unknown>;
}

export type RecordOutcome = { keyId: string; recorded: true; from: string; to: string } | { keyId: string; recorded: false; why: string };

export async function recordConfirmations(
  db: Db, fence: Fence, zoneName: string, confirmations: readonly Confirmation[], now: Date, actor: string,
): Promise<RecordOutcome[]> {
  return fenced(db, fence, async (tx) => {
    const zone = await getZone(tx, zoneName);
    if (!zone) return confirmations.map((c) => ({ keyId: c.keyId, recorded: false as const, why: `zone ${zoneName} no longer exists` }));
    const policy = await getPolicy(tx, zone.policy);
    if (!policy) throw new EnforcerError(`zone ${zoneName}: policy ${zone.policy} is missing`, EXIT.ERROR);
    const { state, rows } = await loadZoneState(tx, zoneName, policy);
    const locatorOf = new Map(rows.map((r) => [String(r.id), r.locator]));
    let next = state;
    const outcomes: RecordOutcome[] = [];
    const entries: Array<{ c: Confirmation; from: string; to: string }> = [];
    for (const c of confirmations) {
      const key = next.keys.find((k) => k.id === c.keyId);
      if (!key) {
        outcomes.push({ keyId: c.keyId, recorded: false, why: 'the key is no longer in the zone' });
        continue;
      }
      if (key.dsAtParent !== c.checkedState || wantedFor(key.dsAtParent) !== c.wants) {
        outcomes.push({ keyId: c.keyId, recorded: false, why: `its DS state changed from '${c.checkedState}' to '${key.dsAtParent}' during the check` });
        continue;
      }
      next = c.wants === 'ds-seen' ? markSeen(next, key.id, now.getTime()) : markGone(next, key.id, now.getTime());
      const to = next.keys.find((k) => k.id === key.id)!.dsAtParent;
      entries.push({ c, from: key.dsAtParent, to });
      outcomes.push({ keyId: c.keyId, recorded: true, from: key.dsAtParent, to });
    }
    if (entries.length === 0) return outcomes;
    await saveZoneState(tx, fence, zoneName, state, next, [], actor, now);
    for (const { c, from, to } of entries) {
      await audit(tx, fence, {
        actor, event: c.wants, zone: zoneName, keyLocator: locatorOf.get(c.keyId) ?? null,
        detail: { keyTag: c.keyTag, from, to, evidence: c.evidence },
      });
    }
    await setNextRun(tx, zoneName, null);
    return outcomes;
  });
}
