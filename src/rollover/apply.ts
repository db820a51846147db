// Applying the core's actions to a zone state, purely. enforce uses it on its working copy; plan,
// tests and the database integration use it to know the state the actions lead to.
// Contract: apply(state, actions, newKey?) returns a new ZoneState and never mutates its input.
// create-key needs `newKey` to give the key its identity (id, key tag); without it, create-key throws.
// write-signconf changes nothing in the state (it is an instruction to the caller).

import type { Action, RolloverKey, ZoneState } from './types.js';
import { flagsFor, initialStates } from './policy-view.js';

export type CreateKeyAction = Extract<Action, { type: 'create-key' }>;

/** Gives a new key its identity. `n` counts create-key actions within one apply call. */
export type NewKeyIdentity = (action: CreateKeyAction, n: number) => { id: string; keyTag: number };

export class ApplyError extends Error {}

function withKey(zone: ZoneState, keyId: string, f: (k: RolloverKey) => RolloverKey): ZoneState {
  if (!zone.keys.some((k) => k.id === keyId)) throw new ApplyError(`no key ${keyId} in this zone`);
  return { ...zone, keys: zone.keys.map((k) => (k.id === keyId ? f(k) : k)) };
}

export function newKey(a: CreateKeyAction, id: string, keyTag: number): RolloverKey {
  return {
    id,
    role: a.role,
    algorithm: a.algorithm,
    bits: a.bits,
    repository: a.repository,
    flags: flagsFor(a.role),
    keyTag,
    goal: 'omnipresent',
    states: initialStates(a.role),
    changedAt: { ds: null, dnskey: null, rrsigdnskey: null, rrsig: null },
    dsAtParent: 'unsubmitted',
    dsAtParentChangedAt: null,
    introducedAt: a.at,
  };
}

export function applyAction(zone: ZoneState, a: Action, identity?: NewKeyIdentity, n = 0): ZoneState {
  switch (a.type) {
    case 'create-key': {
      if (!identity) throw new ApplyError('create-key needs a key identity from the caller');
      const { id, keyTag } = identity(a, n);
      if (zone.keys.some((k) => k.id === id)) throw new ApplyError(`key id ${id} already in this zone`);
      return { ...zone, keys: [...zone.keys, newKey(a, id, keyTag)] };
    }
    case 'set-goal':
      return withKey(zone, a.keyId, (k) => ({ ...k, goal: a.goal }));
    case 'transition':
      return withKey(zone, a.keyId, (k) => {
        if (k.states[a.record] !== a.from) {
          throw new ApplyError(`key ${k.keyTag}: ${a.record} is ${k.states[a.record]}, not ${a.from}`);
        }
        return { ...k, states: { ...k.states, [a.record]: a.to }, changedAt: { ...k.changedAt, [a.record]: a.at } };
      });
    case 'ds-submit':
      return withKey(zone, a.keyId, (k) => ({ ...k, dsAtParent: 'submit', dsAtParentChangedAt: a.at }));
    case 'ds-retract':
      return withKey(zone, a.keyId, (k) => ({ ...k, dsAtParent: 'retract', dsAtParentChangedAt: a.at }));
    case 'purge-key':
      withKey(zone, a.keyId, (k) => k);
      return { ...zone, keys: zone.keys.filter((k) => k.id !== a.keyId) };
    case 'clear-roll-request': {
      const rollRequested = { ...zone.rollRequested };
      delete rollRequested[a.role];
      return { ...zone, rollRequested };
    }
    case 'ttl-change':
      return { ...zone, ttls: { ...zone.ttls, [a.kind]: { ttl: a.to, cachedUntil: a.cachedUntil } } };
    case 'write-signconf':
      return zone;
  }
}

export function apply(zone: ZoneState, actions: readonly Action[], identity?: NewKeyIdentity): ZoneState {
  let n = 0;
  let out = zone;
  for (const a of actions) {
    out = applyAction(out, a, identity, n);
    if (a.type === 'create-key') n++;
  }
  return out;
}
