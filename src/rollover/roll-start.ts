// When rolls start: which keys the policy wants (one per policy key, "slot"), which keys are to be
// retired, and when a new key is needed (OpenDNSSEC's updatePolicy).
// Contract: pure; returns set-goal / create-key / clear-roll-request actions, the waits that explain
// what is not happening yet, and the time of the next automatic roll.
//
// - A slot (role, algorithm, bits, repository) with no key being introduced gets a new key: the first
//   keys of a zone, or after a policy change (algorithm, size, repository, role layout). This happens
//   even with <ManualRollover/>, as in OpenDNSSEC.
// - A roll request for a role (operator `key rollover`) gives every slot of that role a new key.
// - Otherwise, unless <ManualRollover/>, a slot rolls when its newest key's lifetime is over; the
//   lifetime counts from when the key was introduced (OpenDNSSEC's inception).
// - A lifetime no longer than the caches a roll must wait out (KSK: DS TTL + DNSKEY TTL; ZSK: zone data
//   TTL + DNSKEY TTL) would roll without end; like OpenDNSSEC, no automatic roll is started then.
// - Once the new key exists, the older keys of its slot get goal hidden; so do keys no slot describes.
// - Going insecure (ZoneState.retire or a policy without keys): every key gets goal hidden, none is made.
// - Keys are never given goal omnipresent again once hidden: a reverted policy makes new keys.
// - <Standby> and <RFC5011> are read but not acted on, as in OpenDNSSEC 2.x's enforcer.

import type { KeyPolicy, KeyRole, Policy } from '../policy/policy.js';
import { goingInsecure, matchesSlot, signsKeySet, signsZone } from './policy-view.js';
import { zoneDataTtl } from './timing.js';
import type { Action, RolloverKey, Wait, ZoneState } from './types.js';
import { iso } from './explain.js';

export interface RollStart {
  actions: Action[];
  waits: Wait[];
  nextRollAt: number | null;
}

function lifetimeTooShort(p: Policy, kp: KeyPolicy): boolean {
  if (signsKeySet(kp.role) && p.parent.dsTtl + p.keys.ttl >= kp.lifetime) return true;
  if (signsZone(kp.role) && zoneDataTtl(p) + p.keys.ttl >= kp.lifetime) return true;
  return false;
}

const slotName = (kp: KeyPolicy) => `${kp.role} algorithm ${kp.algorithm} (${kp.length} bits, ${kp.repository})`;

function zoneWait(kind: Wait['kind'], until: number | null, message: string): Wait {
  return { keyId: null, record: null, from: null, to: null, kind, until, since: null, message };
}

export function rollStart(zone: ZoneState, policy: Policy, now: number): RollStart {
  const actions: Action[] = [];
  const waits: Wait[] = [];
  let nextRollAt: number | null = null;
  const live = zone.keys.filter((k) => k.goal === 'omnipresent');
  const retire = (k: RolloverKey, reason: string) => actions.push({ type: 'set-goal', keyId: k.id, goal: 'hidden', reason, at: now });

  if (goingInsecure(policy, zone.retire)) {
    const reason = zone.retire ? 'zone is being taken out of DNSSEC' : `policy ${policy.name} has no keys`;
    for (const k of live) retire(k, reason);
    return { actions, waits, nextRollAt };
  }

  for (const k of live) {
    if (!policy.keys.list.some((kp) => matchesSlot(k, kp))) retire(k, `no key of policy ${policy.name} describes it any more`);
  }

  const zoneSigners = policy.keys.list.filter((kp) => signsZone(kp.role)).map((kp) => kp.algorithm);
  for (const alg of new Set(zoneSigners.filter((a, i) => zoneSigners.indexOf(a) !== i))) {
    // ods-signer puts one signature per algorithm on an RRset, so the second key could never be
    // omnipresent; its roll would wait for ever (timing.ts).
    waits.push(zoneWait('config', null, `policy ${policy.name} has two zone-signing keys of algorithm ${alg}; the signer uses one per algorithm, so the other can never take over`));
  }

  const cleared = new Set<KeyRole>();
  const create = (kp: KeyPolicy, reason: Extract<Action, { type: 'create-key' }>['reason']) => {
    actions.push({ type: 'create-key', role: kp.role, algorithm: kp.algorithm, bits: kp.length, repository: kp.repository, reason, at: now });
    if (zone.rollRequested[kp.role] && !cleared.has(kp.role)) {
      cleared.add(kp.role);
      actions.push({ type: 'clear-roll-request', role: kp.role });
    }
  };

  for (const kp of policy.keys.list) {
    // Creation order; a stable sort keeps it for equal introduction times.
    const slot = live.filter((k) => matchesSlot(k, kp)).sort((a, b) => a.introducedAt - b.introducedAt);
    const newest = slot[slot.length - 1];
    for (const k of slot.slice(0, -1)) retire(k, `superseded by key ${newest!.keyTag}`);

    if (!newest) {
      create(kp, zone.keys.length === 0 ? 'initial' : 'policy');
    } else if (zone.rollRequested[kp.role]) {
      create(kp, 'manual');
    } else if (kp.manualRollover) {
      waits.push(zoneWait('manual', null, `${slotName(kp)}: <ManualRollover/>, rolls only on request`));
    } else if (kp.lifetime > 0) {
      const due = newest.introducedAt + kp.lifetime * 1000;
      if (due > now) {
        waits.push(zoneWait('roll', due, `${slotName(kp)}: key ${newest.keyTag} rolls at ${iso(due)} (lifetime)`));
        nextRollAt = nextRollAt === null ? due : Math.min(nextRollAt, due);
      } else if (lifetimeTooShort(policy, kp)) {
        waits.push(zoneWait('config', null, `${slotName(kp)}: lifetime ${kp.lifetime} s is too short for the TTLs it must wait out; not rolling`));
      } else {
        create(kp, 'lifetime');
      }
    }
  }
  return { actions, waits, nextRollAt };
}
