// The DNSKEY RRset a server serves at a zone apex, and the cryptographic check of its RRSIGs.
// Contract: pure functions of a decoded answer and `now`. DNSKEY RDATA is rebuilt from the decoded fields
// (it holds no names, so this is exactly the wire RDATA); signed data comes from rrsig.ts (RFC 4034 §6
// canonical order). Which signatures the database requires is compare.ts's business, not this module's.

import { createHash } from 'node:crypto';
import type dnsPacket from 'dns-packet';
import { isSupportedAlgorithm } from '../dnssec/algorithms.js';
import { DNSSEC_PROTOCOL, encodeDnskeyRdata } from '../dnssec/dnskey.js';
import { keyTag } from '../dnssec/key-tag.js';
import { fqdn, nameLabels } from '../dnssec/name.js';
import { rrsigSignedData, type RrsigFields } from '../dnssec/rrsig.js';
import { verify } from '../dnssec/signature.js';
import { signatureWindow, type SignatureWindow } from './rrsig-time.js';
import { TYPE_DNSKEY } from './wire-check.js';
import { sameName } from './names.js';

export interface LiveKey {
  flags: number;
  protocol: number;
  algorithm: number;
  publicKey: Uint8Array;
  /** Complete DNSKEY RDATA; keys are identified by this, since key tags can collide. */
  rdata: Uint8Array;
  keyTag: number;
}

export interface LiveRrsig {
  fields: RrsigFields;
  signature: Uint8Array;
}

export interface LiveDnskeySet {
  zone: string;
  /** TTL of the RRset as served (the smallest, should the records disagree); null when empty. */
  ttl: number | null;
  keys: LiveKey[];
  /** RRSIGs at the apex covering DNSKEY. */
  rrsigs: LiveRrsig[];
}

export function liveDnskeySet(zone: string, message: dnsPacket.Packet): LiveDnskeySet {
  const apex = fqdn(zone);
  const keys = new Map<string, LiveKey>();
  const rrsigs: LiveRrsig[] = [];
  let ttl: number | null = null;
  for (const rr of message.answers ?? []) {
    if (!sameName(rr.name, apex) || ('class' in rr && rr.class !== undefined && rr.class !== 'IN')) continue;
    if (rr.type === 'DNSKEY') {
      // dns-packet refuses protocol ≠ 3 while decoding, so every key here has the DNSSEC protocol.
      const key = { flags: rr.data.flags, protocol: DNSSEC_PROTOCOL, algorithm: rr.data.algorithm, publicKey: new Uint8Array(rr.data.key) };
      const rdata = encodeDnskeyRdata(key);
      keys.set(hex(rdata), { ...key, rdata, keyTag: tagOf(rdata) });
      ttl = ttl === null ? (rr.ttl ?? 0) : Math.min(ttl, rr.ttl ?? 0);
    } else if (rr.type === 'RRSIG' && rr.data.typeCovered === 'DNSKEY') {
      const d = rr.data;
      rrsigs.push({
        fields: {
          typeCovered: TYPE_DNSKEY, algorithm: d.algorithm, labels: d.labels, originalTtl: d.originalTTL,
          expiration: d.expiration, inception: d.inception, keyTag: d.keyTag, signerName: d.signersName,
        },
        signature: new Uint8Array(d.signature),
      });
    }
  }
  return { zone: apex, ttl, keys: [...keys.values()], rrsigs };
}

export type RrsigStatus =
  | 'valid'
  /** The signature does not verify with any served key of that tag and algorithm, or its fields are wrong. */
  | 'bad'
  | 'expired'
  | 'not-yet-valid'
  /** No served DNSKEY has the RRSIG's key tag and algorithm. */
  | 'no-key'
  | 'unsupported-algorithm';

export interface RrsigCheck {
  keyTag: number;
  algorithm: number;
  status: RrsigStatus;
  /** RDATA (hex) of the served key the signature verified with; null when none did. */
  signerRdata: string | null;
  window: SignatureWindow;
}

/** Memo of signature verifications, shared across servers serving the same RRset (they usually do). */
export type VerifyCache = Map<string, boolean>;

export function checkRrsigs(set: LiveDnskeySet, now: Date, cache: VerifyCache = new Map()): RrsigCheck[] {
  const rrset = set.keys.map((k) => ({ owner: set.zone, type: TYPE_DNSKEY, rdata: k.rdata }));
  return set.rrsigs.map((sig) => {
    const f = sig.fields;
    const window = signatureWindow(f.inception, f.expiration, now);
    const base = { keyTag: f.keyTag, algorithm: f.algorithm, window };
    const candidates = set.keys.filter((k) => k.keyTag === f.keyTag && k.algorithm === f.algorithm);
    if (candidates.length === 0) return { ...base, status: 'no-key', signerRdata: null };
    if (!isSupportedAlgorithm(f.algorithm)) return { ...base, status: 'unsupported-algorithm', signerRdata: null };
    // RFC 4035 §5.3.1: the signer must be the zone itself, and an apex RRset is never a wildcard expansion.
    if (!sameName(f.signerName, set.zone) || f.labels !== nameLabels(set.zone).length) return { ...base, status: 'bad', signerRdata: null };
    const data = rrsigSignedData(f, rrset);
    const signer = candidates.find((k) => cachedVerify(cache, f.algorithm, k.publicKey, data, sig.signature));
    if (!signer) return { ...base, status: 'bad', signerRdata: null };
    const status: RrsigStatus = window.status === 'current' ? 'valid' : window.status;
    return { ...base, status, signerRdata: hex(signer.rdata) };
  });
}

function cachedVerify(cache: VerifyCache, alg: number, key: Uint8Array, data: Uint8Array, sig: Uint8Array): boolean {
  const id = createHash('sha256').update(Uint8Array.of(alg)).update(lenPrefixed(key)).update(lenPrefixed(sig)).update(data).digest('hex');
  let ok = cache.get(id);
  if (ok === undefined) {
    ok = verify(alg, key, data, sig);
    cache.set(id, ok);
  }
  return ok;
}

function lenPrefixed(b: Uint8Array): Uint8Array {
  const out = new Uint8Array(2 + b.length);
  out[0] = b.length >> 8;
  out[1] = b.length & 0xff;
  out.set(b, 2);
  return out;
}

/** Key tag; algorithm 1 keys (never valid for us, but a server may serve one) use RFC 4034 B.1. */
export function tagOf(rdata: Uint8Array): number {
  if (rdata[3] === 1) return rdata.length >= 3 ? (rdata[rdata.length - 3]! << 8) | rdata[rdata.length - 2]! : 0;
  return keyTag(rdata);
}

export function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}
