// The DS-at-parent workflow: what the core asks for when a DS record is introduced or withdrawn, and
// the pure updates for the answers the caller brings back (hook ran, operator said ds-seen / ds-gone).
// Contract: the core only ever moves dsAtParent to 'submit' (asking for the DS) or 'retract' (asking
// for its removal). 'submitted', 'seen' and 'retracted' come from outside through markSubmitted,
// markSeen and markGone; the core never assumes them. A DS becomes omnipresent only in 'seen', hidden
// only in 'retracted' (or 'unsubmitted' when it was never asked for), and its timers count from that
// answer (timing.ts).
//
//   unsubmitted ──(DS rumoured: ds-submit)──► submit ──(hook ran)──► submitted ──(ds-seen)──► seen
//   seen / submitted / submit ──(DS unretentive: ds-retract)──► retract ──(ds-gone)──► retracted
//   retract / retracted ──(DS rumoured again: ds-submit)──► submit

import type { Action, DsAtParent, RecordState, RolloverKey, ZoneState } from './types.js';

/** The request (if any) that goes with moving `key`'s DS to `to` at `at`. */
export function dsRequestFor(key: RolloverKey, to: RecordState, at: number): Action | null {
  if (to === 'rumoured' && (key.dsAtParent === 'unsubmitted' || key.dsAtParent === 'retract' || key.dsAtParent === 'retracted')) {
    return { type: 'ds-submit', keyId: key.id, keyTag: key.keyTag, at };
  }
  if (to === 'unretentive' && (key.dsAtParent === 'submit' || key.dsAtParent === 'submitted' || key.dsAtParent === 'seen')) {
    return { type: 'ds-retract', keyId: key.id, keyTag: key.keyTag, at };
  }
  return null;
}

export class DsWorkflowError extends Error {}

function update(zone: ZoneState, keyId: string, allowed: DsAtParent[], to: DsAtParent, at: number): ZoneState {
  const key = zone.keys.find((k) => k.id === keyId);
  if (!key) throw new DsWorkflowError(`no key ${keyId} in this zone`);
  if (!allowed.includes(key.dsAtParent)) {
    throw new DsWorkflowError(`key ${key.keyTag}: DS is '${key.dsAtParent}', expected ${allowed.map((s) => `'${s}'`).join(' or ')}`);
  }
  return {
    ...zone,
    keys: zone.keys.map((k) => (k.id === keyId ? { ...k, dsAtParent: to, dsAtParentChangedAt: at } : k)),
  };
}

/** The submit hook ran, or the operator confirmed the submission (`key ds-submit`). */
export const markSubmitted = (zone: ZoneState, keyId: string, at: number): ZoneState =>
  update(zone, keyId, ['submit'], 'submitted', at);

/** The operator saw the DS at the parent (`key ds-seen`). `at` is when it was seen. */
export const markSeen = (zone: ZoneState, keyId: string, at: number): ZoneState =>
  update(zone, keyId, ['submit', 'submitted'], 'seen', at);

/** The operator saw the DS disappear from the parent (`key ds-gone`). `at` is when it was gone. */
export const markGone = (zone: ZoneState, keyId: string, at: number): ZoneState =>
  update(zone, keyId, ['retract'], 'retracted', at);
