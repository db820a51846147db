// Reads the example-record files in test/fixtures/vectors (format described in their README).
// Only the record types the RFC examples use are understood: DNSKEY, DS, A, MX, RRSIG.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { canonicalNameWire } from '../../src/dnssec/name.js';
import type { RrsigFields, RrForSigning } from '../../src/dnssec/rrsig.js';

export const VECTOR_DIR = fileURLToPath(new URL('../fixtures/vectors/', import.meta.url));

export interface VectorRecord {
  owner: string;
  ttl: number;
  type: string;
  rdata: string[];
  line: string;
}

export interface VectorFile {
  privateKey?: Uint8Array;
  records: VectorRecord[];
  /** RRSIG rdata from an `; erratum-4935-original:` comment. */
  originalRrsig?: string[];
}

export function readVector(name: string): VectorFile {
  const text = readFileSync(VECTOR_DIR + name, 'utf8');
  const out: VectorFile = { records: [] };
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('; erratum-4935-original:')) {
      out.originalRrsig = line.slice('; erratum-4935-original:'.length).trim().split(/\s+/);
      continue;
    }
    if (line === '' || line.startsWith(';')) continue;
    if (line.startsWith('PrivateKey:')) {
      out.privateKey = new Uint8Array(Buffer.from(line.slice('PrivateKey:'.length).trim(), 'base64'));
      continue;
    }
    const [owner, ttl, cls, type, ...rdata] = line.split(/\s+/);
    if (cls !== 'IN' || !owner || !ttl || !type) throw new Error(`cannot parse vector line: ${line}`);
    out.records.push({ owner, ttl: Number(ttl), type, rdata, line });
  }
  return out;
}

export function only(file: VectorFile, type: string): VectorRecord {
  const found = file.records.filter((r) => r.type === type);
  if (found.length !== 1) throw new Error(`expected one ${type} record, found ${found.length}`);
  return found[0]!;
}

const TYPES: Record<string, number> = { A: 1, MX: 15, DS: 43, RRSIG: 46, DNSKEY: 48 };

export function typeNumber(mnemonic: string): number {
  const n = TYPES[mnemonic];
  if (n === undefined) throw new Error(`unknown type ${mnemonic}`);
  return n;
}

/** RRSIG rdata fields (presentation order) to the structure rrsig.ts takes, plus the signature. */
export function parseRrsig(rdata: string[]): { fields: RrsigFields; signature: Uint8Array } {
  const [covered, alg, labels, ttl, exp, inc, tag, signer, ...sig] = rdata;
  return {
    fields: {
      typeCovered: typeNumber(covered!),
      algorithm: Number(alg),
      labels: Number(labels),
      originalTtl: Number(ttl),
      expiration: rrsigTime(exp!),
      inception: rrsigTime(inc!),
      keyTag: Number(tag),
      signerName: signer!,
    },
    signature: new Uint8Array(Buffer.from(sig.join(''), 'base64')),
  };
}

/** RFC 4034 §3.2: YYYYMMDDHHmmSS in UTC, or a plain number of seconds. */
function rrsigTime(s: string): number {
  if (/^\d{14}$/.test(s)) {
    const [y, mo, d, h, mi, se] = [s.slice(0, 4), s.slice(4, 6), s.slice(6, 8), s.slice(8, 10), s.slice(10, 12), s.slice(12, 14)].map(Number);
    return Date.UTC(y!, mo! - 1, d!, h!, mi!, se!) / 1000;
  }
  return Number(s);
}

/** Canonical RDATA for the data types in the examples. */
export function recordForSigning(r: VectorRecord): RrForSigning {
  let rdata: Uint8Array;
  switch (r.type) {
    case 'A':
      rdata = Uint8Array.from(r.rdata[0]!.split('.').map(Number));
      break;
    case 'MX': {
      const pref = Number(r.rdata[0]);
      const exchange = canonicalNameWire(r.rdata[1]!);
      rdata = new Uint8Array(2 + exchange.length);
      rdata[0] = pref >> 8;
      rdata[1] = pref & 0xff;
      rdata.set(exchange, 2);
      break;
    }
    default:
      throw new Error(`no canonical RDATA for ${r.type}`);
  }
  return { owner: r.owner, type: typeNumber(r.type), rdata };
}
