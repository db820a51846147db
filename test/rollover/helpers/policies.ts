// Policies for the rollover tests: a readable base (OpenDNSSEC-like numbers) and small edits.

import type { KeyPolicy, KeyRole, Policy } from '../../../src/policy/policy.js';

export const SEC = 1000;
export const HOUR = 3600;
export const DAY = 86_400;

export function keyPolicy(role: KeyRole, over: Partial<KeyPolicy> = {}): KeyPolicy {
  const rollType = role === 'KSK' ? 'KskDoubleSignature' : role === 'ZSK' ? 'ZskPrePublication' : 'CskPrePublication';
  return {
    role,
    algorithm: 13,
    length: 256,
    lifetime: role === 'ZSK' ? 90 * DAY : 365 * DAY,
    repository: 'SoftHSM',
    standby: 0,
    manualRollover: false,
    rfc5011: false,
    rollType,
    ...over,
  };
}

/** KSK + ZSK, algorithm 13, distinct round numbers so each formula's terms are visible in the times. */
export function basePolicy(over: Partial<Policy> = {}, keys?: KeyPolicy[]): Policy {
  const p: Policy = {
    name: 'test',
    description: 'rollover test policy',
    passthrough: false,
    signatures: {
      resign: 2 * HOUR,
      refresh: 3 * DAY,
      validityDefault: 14 * DAY,
      validityDenial: 14 * DAY,
      validityKeyset: null,
      jitter: 12 * HOUR,
      inceptionOffset: HOUR,
      maxZoneTtl: DAY,
    },
    denial: { type: 'NSEC' },
    keys: {
      ttl: HOUR,
      retireSafety: 2 * HOUR,
      publishSafety: 3 * HOUR,
      shareKeys: false,
      purge: 14 * DAY,
      list: keys ?? [keyPolicy('KSK'), keyPolicy('ZSK')],
    },
    zone: { propagationDelay: 5 * HOUR, soaTtl: HOUR, soaMinimum: 300, soaSerial: 'unixtime' },
    parent: { registrationDelay: 4 * HOUR, propagationDelay: 6 * HOUR, dsTtl: 2 * HOUR, soaTtl: DAY, soaMinimum: HOUR },
    ...over,
  };
  // An explicit key list wins over the one in `over.keys`.
  return keys ? withKeys(p, keys) : p;
}

export function withKeys(p: Policy, list: KeyPolicy[]): Policy {
  return { ...p, keys: { ...p.keys, list } };
}
