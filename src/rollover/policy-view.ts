// What the rollover core needs to know about a policy and a key's role: which policy key (slot) a
// zone key belongs to, which of its records apply, and what its roll type asks to keep to a minimum.
// Contract: pure functions of a Policy and a key.
//
// Roll types map to OpenDNSSEC's "minimize" flags (enforcer/src/db/policy_key_ext.c): a minimised
// record is introduced only after the key's other records have done their part, so that record
// changes as few times as possible:
//   KskDoubleRRset  none        DS, DNSKEY and its signature introduced at once
//   KskDoubleDS     DNSKEY      new DS first; the DNSKEY swap happens when both DS are everywhere
//   KskDoubleSignature DS       new DNSKEY first (double-signed key set); one DS swap at the parent
//   ZskDoubleSignature none     DNSKEY and signatures at once  } with ods-signer both run as
//   ZskPrePublication  RRSIG    DNSKEY first, then signatures  } pre-publication: see rules.ts
//   ZskDoubleRrsig     DNSKEY   signatures first, then DNSKEY  } (rule 3) and roll-order.ts
//   CskDoubleRRset none, CskSingleSignature RRSIG, CskDoubleDS DNSKEY, CskDoubleSignature DS,
//   CskPrePublication DS+RRSIG.

import type { KeyPolicy, KeyRole, Policy } from '../policy/policy.js';
import type { KeyStates, RecordType, RolloverKey } from './types.js';

export interface Minimize {
  ds: boolean;
  dnskey: boolean;
  rrsig: boolean;
}

const NONE: Minimize = { ds: false, dnskey: false, rrsig: false };

export function minimizeFor(rollType: KeyPolicy['rollType']): Minimize {
  switch (rollType) {
    case 'KskDoubleRRset':
    case 'ZskDoubleSignature':
    case 'CskDoubleRRset':
      return NONE;
    case 'KskDoubleDS':
    case 'ZskDoubleRrsig':
    case 'CskDoubleDS':
      return { ds: false, dnskey: true, rrsig: false };
    case 'KskDoubleSignature':
    case 'CskDoubleSignature':
      return { ds: true, dnskey: false, rrsig: false };
    case 'ZskPrePublication':
    case 'CskSingleSignature':
      return { ds: false, dnskey: false, rrsig: true };
    case 'CskPrePublication':
      return { ds: true, dnskey: false, rrsig: true };
  }
}

/** OpenDNSSEC's default roll type per role, for keys no policy key describes any more. */
const DEFAULT_ROLL: Record<KeyRole, KeyPolicy['rollType']> = {
  KSK: 'KskDoubleSignature',
  ZSK: 'ZskPrePublication',
  CSK: 'CskPrePublication',
};

export const signsKeySet = (role: KeyRole): boolean => role !== 'ZSK';
export const signsZone = (role: KeyRole): boolean => role !== 'KSK';

/** Whether a record exists for a key of this role at all (else it is NA). */
export function applies(role: KeyRole, record: RecordType): boolean {
  if (record === 'ds' || record === 'rrsigdnskey') return signsKeySet(role);
  if (record === 'rrsig') return signsZone(role);
  return true;
}

export function initialStates(role: KeyRole): KeyStates {
  return {
    ds: applies(role, 'ds') ? 'hidden' : 'na',
    dnskey: 'hidden',
    rrsigdnskey: applies(role, 'rrsigdnskey') ? 'hidden' : 'na',
    rrsig: applies(role, 'rrsig') ? 'hidden' : 'na',
  };
}

export const flagsFor = (role: KeyRole): 256 | 257 => (role === 'ZSK' ? 256 : 257);

/** A policy key and a zone key describe the same slot (OpenDNSSEC's key_matches_pkey). */
export function matchesSlot(key: Pick<RolloverKey, 'role' | 'algorithm' | 'bits' | 'repository'>, kp: KeyPolicy): boolean {
  return key.role === kp.role && key.algorithm === kp.algorithm && key.bits === kp.length && key.repository === kp.repository;
}

function policyKeyFor(policy: Policy, key: RolloverKey): KeyPolicy | undefined {
  return policy.keys.list.find((kp) => matchesSlot(key, kp));
}

export function minimizeOf(policy: Policy, key: RolloverKey): Minimize {
  return minimizeFor(policyKeyFor(policy, key)?.rollType ?? DEFAULT_ROLL[key.role]);
}

/** The roll type that governs a key (its slot's, or the role default once no slot describes it). */
export function rollTypeOf(policy: Policy, key: RolloverKey): KeyPolicy['rollType'] {
  return policyKeyFor(policy, key)?.rollType ?? DEFAULT_ROLL[key.role];
}

/** No keys to keep: the zone is being taken out of DNSSEC, so rule 1 (stay secure) is off. */
export function goingInsecure(policy: Policy, retire: boolean | undefined): boolean {
  return retire === true || policy.keys.list.length === 0;
}
