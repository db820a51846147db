// What a signer reads from a zone's signconf file on disk: each key's Publish / KSK / ZSK flags by
// locator, and the TTLs and signature timing it publishes with. Contract: reads only the file's
// text (the shape src/signconf/render.ts writes); a missing element is an error, never a default.
// policyAsPublished() gives the policy a resolver model must assume for what the signer serves:
// the store's policy, with every value the signer takes from the signconf replaced by the file's.

import { parseDuration } from '../../../src/policy/duration.js';
import type { Policy } from '../../../src/policy/policy.js';

export interface FileFlags {
  publish: boolean;
  ksk: boolean;
  zsk: boolean;
}

export interface SignconfFile {
  keys: Map<string, FileFlags>;
  keysTtl: number;
  resign: number;
  refresh: number;
  validityDefault: number;
  validityDenial: number;
  jitter: number;
  maxZoneTtl: number | null;
  /** NSEC3 TTL; null with NSEC. */
  nsec3Ttl: number | null;
  soaTtl: number;
  soaMinimum: number;
}

function element(xml: string, path: string, re: RegExp): string {
  const m = re.exec(xml);
  if (!m) throw new Error(`signconf file has no ${path}`);
  return m[1]!;
}

export function parseSignconfFile(xml: string): SignconfFile {
  const d = (path: string, re: RegExp) => parseDuration(element(xml, path, re));
  const keysBlock = element(xml, 'Keys', /<Keys>([\s\S]*?)<\/Keys>/);
  const keys = new Map<string, FileFlags>();
  for (const m of keysBlock.matchAll(/<Key>([\s\S]*?)<\/Key>/g)) {
    const body = m[1]!;
    const locator = element(body, 'Key/Locator', /<Locator>([0-9a-f]+)<\/Locator>/);
    keys.set(locator, { publish: body.includes('<Publish/>'), ksk: body.includes('<KSK/>'), zsk: body.includes('<ZSK/>') });
  }
  const nsec3 = /<NSEC3>([\s\S]*?)<\/NSEC3>/.exec(xml);
  const maxZoneTtl = /<MaxZoneTTL>([^<]+)<\/MaxZoneTTL>/.exec(xml);
  const soa = element(xml, 'SOA', /<SOA>([\s\S]*?)<\/SOA>/);
  return {
    keys,
    keysTtl: parseDuration(element(keysBlock, 'Keys/TTL', /<TTL>([^<]+)<\/TTL>/)),
    resign: d('Signatures/Resign', /<Resign>([^<]+)<\/Resign>/),
    refresh: d('Signatures/Refresh', /<Refresh>([^<]+)<\/Refresh>/),
    validityDefault: d('Validity/Default', /<Default>([^<]+)<\/Default>/),
    validityDenial: d('Validity/Denial', /<Denial>([^<]+)<\/Denial>/),
    jitter: d('Signatures/Jitter', /<Jitter>([^<]+)<\/Jitter>/),
    maxZoneTtl: maxZoneTtl ? parseDuration(maxZoneTtl[1]!) : null,
    nsec3Ttl: nsec3 ? parseDuration(element(nsec3[1]!, 'NSEC3/TTL', /<TTL>([^<]+)<\/TTL>/)) : null,
    soaTtl: parseDuration(element(soa, 'SOA/TTL', /<TTL>([^<]+)<\/TTL>/)),
    soaMinimum: parseDuration(element(soa, 'SOA/Minimum', /<Minimum>([^<]+)<\/Minimum>/)),
  };
}

/**
 * The policy in force for what the signer publishes: the store's `policy` (delays, parent, safety
 * margins: facts the signconf does not carry) with the signconf's TTLs and signature timing.
 */
export function policyAsPublished(policy: Policy, file: SignconfFile): Policy {
  const denial: Policy['denial'] =
    file.nsec3Ttl === null ? { type: 'NSEC' } : policy.denial.type === 'NSEC3' ? { ...policy.denial, ttl: file.nsec3Ttl } : {
      type: 'NSEC3', ttl: file.nsec3Ttl, optOut: false, resalt: 0, algorithm: 1, iterations: 0, saltLength: 0,
    };
  return {
    ...policy,
    signatures: {
      ...policy.signatures,
      resign: file.resign,
      refresh: file.refresh,
      validityDefault: file.validityDefault,
      validityDenial: file.validityDenial,
      jitter: file.jitter,
      maxZoneTtl: file.maxZoneTtl,
    },
    denial,
    keys: { ...policy.keys, ttl: file.keysTtl },
    zone: { ...policy.zone, soaTtl: file.soaTtl, soaMinimum: file.soaMinimum },
  };
}
