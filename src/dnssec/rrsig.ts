// The octets an RRSIG signature covers (RFC 4034 §3.1.8.1, §6): RRSIG RDATA without the signature, then
// the RRset in canonical form and order. Contract: callers pass each RR's RDATA already in canonical form
// (embedded names of the RFC 4034 §6.2 types lower-cased); this module orders, de-duplicates, and handles
// wildcard owners (RFC 4035 §5.3.2). Used to verify RRSIGs seen on the wire with signature.ts.

import { canonicalNameWire, nameLabels } from './name.js';

export const CLASS_IN = 1;

export interface RrsigFields {
  typeCovered: number;
  algorithm: number;
  labels: number;
  originalTtl: number;
  /** Seconds since the epoch, modulo 2^32 as on the wire. */
  expiration: number;
  inception: number;
  keyTag: number;
  signerName: string;
}

export interface RrForSigning {
  owner: string;
  type: number;
  class?: number;
  rdata: Uint8Array;
}

export function encodeRrsigPrefix(f: RrsigFields): Uint8Array {
  const signer = canonicalNameWire(f.signerName);
  const out = Buffer.alloc(18 + signer.length);
  out.writeUInt16BE(f.typeCovered, 0);
  out.writeUInt8(f.algorithm, 2);
  out.writeUInt8(f.labels, 3);
  out.writeUInt32BE(f.originalTtl >>> 0, 4);
  out.writeUInt32BE(f.expiration >>> 0, 8);
  out.writeUInt32BE(f.inception >>> 0, 12);
  out.writeUInt16BE(f.keyTag, 16);
  out.set(signer, 18);
  return new Uint8Array(out);
}

export function rrsigSignedData(f: RrsigFields, rrset: readonly RrForSigning[]): Uint8Array {
  if (rrset.length === 0) throw new Error('cannot build signed data for an empty RRset');
  const first = rrset[0]!;
  const cls = first.class ?? CLASS_IN;
  const owner = signedOwner(first.owner, f.labels);
  for (const rr of rrset) {
    if (rr.type !== first.type || (rr.class ?? CLASS_IN) !== cls || nameLabels(rr.owner).join('.') !== nameLabels(first.owner).join('.')) {
      throw new Error('records do not form one RRset');
    }
  }
  const header = Buffer.alloc(8);
  header.writeUInt16BE(first.type, 0);
  header.writeUInt16BE(cls, 2);
  header.writeUInt32BE(f.originalTtl >>> 0, 4);
  const sorted = uniqueSorted(rrset.map((rr) => Buffer.from(rr.rdata)));
  const parts: Buffer[] = [Buffer.from(encodeRrsigPrefix(f))];
  for (const rdata of sorted) {
    const len = Buffer.alloc(2);
    len.writeUInt16BE(rdata.length, 0);
    parts.push(Buffer.from(owner), header, len, rdata);
  }
  return new Uint8Array(Buffer.concat(parts));
}

/** A wildcard expansion is signed as "*." + the rightmost `labels` labels of the owner. */
function signedOwner(owner: string, labels: number): Uint8Array {
  const all = nameLabels(owner);
  const count = all[0] === '*' ? all.length - 1 : all.length;
  if (labels > count) throw new Error(`RRSIG labels ${labels} exceed the owner's ${count}`);
  if (labels === count) return canonicalNameWire(all.join('.'));
  return canonicalNameWire(['*', ...all.slice(all.length - labels)].join('.'));
}

function uniqueSorted(rdatas: Buffer[]): Buffer[] {
  const sorted = [...rdatas].sort(Buffer.compare);
  return sorted.filter((r, i) => i === 0 || !r.equals(sorted[i - 1]!));
}
