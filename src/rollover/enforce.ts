// The rollover core's entry point: enforce(zone, policy, now) returns the actions that bring the
// zone's keys closer to their goals, what is being waited for, and the next time it must run.
// Contract: pure — a function of its arguments only; it performs nothing. The caller applies the
// actions (apply.ts shows how), persists them, runs the DS hooks, writes the signconf when asked,
// and calls again at nextRunAt, on operator input (ds-seen, ds-gone, roll request, policy change),
// or at once when `rerun` is set (after creating the keys asked for). All transitions returned by one
// call happen at `now` and must reach the signer together, in one signconf.
//
// Steps (OpenDNSSEC's enforcer.c update(): updatePolicy, updateZone, removeDeadKeys, set_key_flags):
//   1. TTLs: note a changed policy TTL; a lowered one keeps counting until cached copies expire.
//   2. Roll start (roll-start.ts): goals, new keys, roll requests.
//   3. Fixed point: keep applying every allowed record move at `now` until none is left. A move is
//      allowed when the DS workflow has the operator's answer, the roll type's order permits it
//      (roll-order.ts), it keeps the validity rules (rules.ts), and caches have caught up (timing.ts).
//      Skipped when step 2 asks for new keys: every move waits for the rerun with the new keys, so that
//      a hand-over to a new key reaches the signer in one signconf (rules.ts's "signed throughout"
//      assumes a takeover and the stop it covers for at the same instant are published together).
//   4. Purge keys dead for longer than <Purge>.
//   5. Ask for a signconf when any key's Publish/KSK/ZSK flag or the DNSKEY TTL changed.
//   6. Explain every move not made, and schedule the earliest time one becomes possible.

import type { Policy } from '../policy/policy.js';
import { applyAction } from './apply.js';
import { dsRequestFor } from './ds-parent.js';
import * as explain from './explain.js';
import { goingInsecure } from './policy-view.js';
import { orderApproval } from './roll-order.js';
import { rollStart } from './roll-start.js';
import { dnssecApproval } from './rules.js';
import { signconfFlags, sameFlags } from './signconf-flags.js';
import { nextStates } from './state-machine.js';
import { earliest, lastChange, nextPublishedTtl, policyTtl } from './timing.js';
import type { Action, EnforceResult, RecordState, RecordType, RolloverKey, Wait, ZoneState } from './types.js';
import { RECORD_TYPES, TTL_KINDS } from './types.js';

/**
 * A bound on fixed-point rounds: every round moves at least one record, each record towards its goal,
 * and no record makes more than a few moves at one instant.
 */
const roundsFor = (keys: number) => 16 * keys + 4;

type Verdict = { ok: true } | { ok: false; wait: Wait };

function keyWait(k: RolloverKey, record: RecordType, from: RecordState, to: RecordState, w: Pick<Wait, 'kind' | 'until' | 'since' | 'message'>): Wait {
  return { keyId: k.id, record, from, to, ...w };
}

/** Whether `key`'s `record` may move to `to` at `now`, checked in OpenDNSSEC's order. */
function judge(zone: ZoneState, policy: Policy, key: RolloverKey, record: RecordType, to: RecordState, now: number): Verdict {
  const from = key.states[record];
  const timing = earliest(zone, policy, key, record, to);
  if (timing.kind === 'ds-seen' || timing.kind === 'ds-gone') {
    return { ok: false, wait: keyWait(key, record, from, to, { kind: timing.kind, until: null, since: timing.since, message: explain.operatorMessage(key, timing.kind, timing.since) }) };
  }
  const order = orderApproval(zone.keys, key, record, to, policy);
  if (!order.ok) {
    return { ok: false, wait: keyWait(key, record, from, to, { kind: 'policy', until: null, since: null, message: explain.policyMessage(key, record, from, to, order.message) }) };
  }
  const rules = dnssecApproval(zone.keys, key, record, to, now, goingInsecure(policy, zone.retire));
  if (!rules.ok) {
    return { ok: false, wait: keyWait(key, record, from, to, { kind: 'rule', until: null, since: null, message: explain.ruleMessage(zone.keys, key, record, from, to, rules.broken) }) };
  }
  if (timing.kind === 'signer') {
    const other = zone.keys.find((k) => k.id === timing.keyId);
    return { ok: false, wait: keyWait(key, record, from, to, { kind: 'signer', until: null, since: null, message: explain.signerMessage(key, record, from, to, other) }) };
  }
  if (timing.kind === 'time' && timing.at === Infinity) {
    return { ok: false, wait: keyWait(key, record, from, to, { kind: 'published', until: null, since: null, message: explain.publicationMessage(key, record, from, to) }) };
  }
  if (timing.kind === 'time' && timing.at > now) {
    return { ok: false, wait: keyWait(key, record, from, to, { kind: 'time', until: timing.at, since: lastChange(key, record), message: explain.timeMessage(key, record, from, to, timing.at, timing.basis) }) };
  }
  return { ok: true };
}

function isDead(k: RolloverKey): boolean {
  return k.goal === 'hidden' && RECORD_TYPES.every((r) => k.states[r] === 'hidden' || k.states[r] === 'na');
}

export function enforce(input: ZoneState, policy: Policy, now: number): EnforceResult {
  let zone = input;
  const actions: Action[] = [];
  const waits: Wait[] = [];
  const push = (a: Action) => {
    actions.push(a);
    if (a.type !== 'create-key') zone = applyAction(zone, a);
  };

  // 1. TTLs.
  let dnskeyTtlChanged = false;
  for (const kind of TTL_KINDS) {
    const prev = zone.ttls[kind];
    if (prev.ttl === policyTtl(policy, kind)) continue;
    const next = nextPublishedTtl(prev, policy, kind, now);
    push({ type: 'ttl-change', kind, from: prev.ttl, to: next.ttl, cachedUntil: next.cachedUntil, at: now });
    if (kind === 'dnskey') dnskeyTtlChanged = true;
  }

  // 2. Roll start.
  const roll = rollStart(zone, policy, now);
  roll.actions.forEach(push);
  waits.push(...roll.waits);

  // 3. Fixed point. Not while keys are being created: the caller reruns at once with them, and a move
  // may only be safe together with the new keys' moves (a signer handing over to a new key), which
  // must reach the signer in the same signconf — not one signconf early, with no successor in it.
  const creating = roll.actions.some((a) => a.type === 'create-key');
  const maxRounds = roundsFor(zone.keys.length);
  for (let round = 0, moved = !creating; moved; round++) {
    if (round >= maxRounds) throw new Error(`rollover core did not settle after ${maxRounds} rounds (bug)`);
    moved = false;
    for (const id of zone.keys.map((k) => k.id)) {
      for (const record of RECORD_TYPES) {
        const key = zone.keys.find((k) => k.id === id)!;
        const from = key.states[record];
        const to = nextStates(key.goal, record, from).find((s) => judge(zone, policy, key, record, s, now).ok);
        if (to === undefined) continue;
        const request = record === 'ds' ? dsRequestFor(key, to, now) : null;
        push({ type: 'transition', keyId: id, record, from, to, at: now });
        if (request) push(request);
        moved = true;
      }
    }
  }

  // 4. Purge.
  let nextPurgeAt: number | null = null;
  for (const k of zone.keys.filter(isDead)) {
    const deadSince = Math.max(...RECORD_TYPES.filter((r) => k.states[r] !== 'na').map((r) => lastChange(k, r)));
    if (policy.keys.purge === null) {
      waits.push({ keyId: k.id, record: null, from: null, to: null, kind: 'purge', until: null, since: deadSince, message: `${explain.keyLabel(k)}: dead since ${explain.iso(deadSince)}; the policy has no <Purge>, purge it by hand` });
      continue;
    }
    const at = deadSince + policy.keys.purge * 1000;
    if (at === Infinity) {
      waits.push({ keyId: k.id, record: null, from: null, to: null, kind: 'published', until: null, since: null, message: `${explain.keyLabel(k)}: dead once the signconf that withdrew it is published; purged ${policy.keys.purge} s after that` });
      continue;
    }
    if (at <= now) {
      push({ type: 'purge-key', keyId: k.id, at: now });
    } else {
      waits.push({ keyId: k.id, record: null, from: null, to: null, kind: 'purge', until: at, since: deadSince, message: `${explain.keyLabel(k)}: dead since ${explain.iso(deadSince)}; purged at ${explain.iso(at)}` });
      nextPurgeAt = nextPurgeAt === null ? at : Math.min(nextPurgeAt, at);
    }
  }

  // 5. Signconf.
  const reasons: string[] = [];
  if (!sameFlags(signconfFlags(input.keys), signconfFlags(zone.keys))) reasons.push('key flags changed');
  if (dnskeyTtlChanged) reasons.push('DNSKEY TTL changed');
  if (reasons.length > 0) actions.push({ type: 'write-signconf', reasons });

  // 6. Waits and schedule.
  for (const key of zone.keys) {
    for (const record of RECORD_TYPES) {
      // One wait per way the record could go (a superseded signer: hand-over or finishing first).
      for (const to of nextStates(key.goal, record, key.states[record])) {
        const verdict = judge(zone, policy, key, record, to, now);
        if (!verdict.ok) waits.push(verdict.wait);
      }
    }
  }
  const times = waits.map((w) => w.until).filter((t): t is number => t !== null && t > now);
  if (roll.nextRollAt !== null) times.push(roll.nextRollAt);
  if (nextPurgeAt !== null) times.push(nextPurgeAt);
  const nextRunAt = times.length > 0 ? Math.min(...times) : null;

  return { actions, state: zone, nextRunAt, waits, rerun: actions.some((a) => a.type === 'create-key') };
}
