// A parent zone for the DS tests, served by test/helpers/dns-responder.ts: SOA and NS at the apex,
// addresses for its nameservers, and per child a delegation (NS) with whatever DS records the test
// wants the parent to serve. Without a delegation the child's name does not exist (NXDOMAIN).

import type dnsPacket from 'dns-packet';
import { DNSSEC_PROTOCOL, encodeDnskeyRdata } from '../../src/dnssec/dnskey.js';
import { makeDs, type DigestType } from '../../src/dnssec/ds.js';
import { fqdn } from '../../src/dnssec/name.js';
import type { ZoneContent, Behaviour } from './dns-responder.js';

export interface KeyLike {
  flags: number;
  algorithm: number;
  publicKey: Uint8Array;
}

export interface DsOptions {
  ttl?: number;
  digestType?: DigestType;
  /** Flip a bit of the digest: same tag and algorithm, but pointing at no key. */
  corrupt?: boolean;
  /** Serve this digest type number instead (e.g. 3, which the enforcer cannot compute). */
  claimDigestType?: number;
}

export function dsRecord(child: string, key: KeyLike, o: DsOptions = {}): dnsPacket.Answer {
  const ds = makeDs(child, encodeDnskeyRdata({ ...key, protocol: DNSSEC_PROTOCOL }), o.digestType ?? 2);
  const digest = Buffer.from(ds.digest);
  if (o.corrupt) digest[0]! ^= 1;
  return {
    type: 'DS', name: fqdn(child), ttl: o.ttl ?? 3600,
    data: { keyTag: ds.keyTag, algorithm: ds.algorithm, digestType: o.claimDigestType ?? ds.digestType, digest },
  };
}

export interface ParentZoneOptions {
  /** Nameserver names (relative to nothing: fully written) with their IPv4 addresses. */
  nameservers?: Record<string, string[]>;
  /** Child zone -> DS records served for it; every child listed is delegated. */
  children: Record<string, dnsPacket.Answer[]>;
  behaviour?: Behaviour;
}

export function parentZone(name: string, o: ParentZoneOptions): ZoneContent {
  const apex = fqdn(name);
  const nameservers = o.nameservers ?? { [`ns1.${apex}`]: [] };
  const records: dnsPacket.Answer[] = [
    {
      type: 'SOA', name: apex, ttl: 3600,
      data: { mname: Object.keys(nameservers)[0]!, rname: `hostmaster.${apex}`, serial: 1, refresh: 3600, retry: 600, expire: 604800, minimum: 300 },
    },
  ];
  for (const [ns, addresses] of Object.entries(nameservers)) {
    records.push({ type: 'NS', name: apex, ttl: 3600, data: fqdn(ns) });
    for (const a of addresses) records.push({ type: 'A', name: fqdn(ns), ttl: 3600, data: a });
  }
  for (const [child, ds] of Object.entries(o.children)) {
    records.push({ type: 'NS', name: fqdn(child), ttl: 3600, data: `ns1.${fqdn(child)}` }, ...ds);
  }
  return { name: apex, records, ...(o.behaviour ? { behaviour: o.behaviour } : {}) };
}
