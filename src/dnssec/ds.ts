// DS RDATA (RFC 4034 §5): key tag, algorithm, digest type and the digest over
// canonical owner name || DNSKEY RDATA. Digest types: 2 SHA-256 (RFC 4509), 4 SHA-384 (RFC 6605).
// Contract: SHA-1 (type 1) is computed only when the caller names it; nothing here defaults to it.

import { createHash } from 'node:crypto';
import { canonicalNameWire } from './name.js';
import { keyTag } from './key-tag.js';

export type DigestType = 1 | 2 | 4;
export const DIGEST_SHA1 = 1;
export const DIGEST_SHA256 = 2;
export const DIGEST_SHA384 = 4;

const HASH: Record<DigestType, string> = { 1: 'sha1', 2: 'sha256', 4: 'sha384' };
const MNEMONIC: Record<DigestType, string> = { 1: 'SHA-1', 2: 'SHA-256', 4: 'SHA-384' };

export interface Ds {
  keyTag: number;
  algorithm: number;
  digestType: number;
  digest: Uint8Array;
}

export class DsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DsError';
  }
}

export function isDigestType(n: number): n is DigestType {
  return n === 1 || n === 2 || n === 4;
}

export function digestTypeMnemonic(n: number): string {
  return isDigestType(n) ? MNEMONIC[n] : String(n);
}

export function dsDigest(owner: string, dnskeyRdata: Uint8Array, digestType: DigestType): Uint8Array {
  if (!isDigestType(digestType)) throw new DsError(`unsupported DS digest type ${String(digestType)}`);
  const h = createHash(HASH[digestType]);
  h.update(canonicalNameWire(owner));
  h.update(dnskeyRdata);
  return new Uint8Array(h.digest());
}

/** DS for a DNSKEY; the digest type is required so that SHA-1 can only ever be a deliberate choice. */
export function makeDs(owner: string, dnskeyRdata: Uint8Array, digestType: DigestType): Ds {
  return {
    keyTag: keyTag(dnskeyRdata),
    algorithm: dnskeyRdata[3]!,
    digestType,
    digest: dsDigest(owner, dnskeyRdata, digestType),
  };
}

export function encodeDsRdata(ds: Ds): Uint8Array {
  const out = new Uint8Array(4 + ds.digest.length);
  out[0] = ds.keyTag >> 8;
  out[1] = ds.keyTag & 0xff;
  out[2] = ds.algorithm;
  out[3] = ds.digestType;
  out.set(ds.digest, 4);
  return out;
}

export function decodeDsRdata(rdata: Uint8Array): Ds {
  if (rdata.length < 5) throw new DsError('DS RDATA too short');
  return {
    keyTag: (rdata[0]! << 8) | rdata[1]!,
    algorithm: rdata[2]!,
    digestType: rdata[3]!,
    digest: rdata.slice(4),
  };
}

/** True when a DS (e.g. one seen at the parent) points at this DNSKEY. */
export function dsMatches(ds: Ds, owner: string, dnskeyRdata: Uint8Array): boolean {
  if (!isDigestType(ds.digestType) || ds.algorithm !== dnskeyRdata[3]) return false;
  if (ds.keyTag !== keyTag(dnskeyRdata)) return false;
  return Buffer.from(dsDigest(owner, dnskeyRdata, ds.digestType)).equals(Buffer.from(ds.digest));
}
