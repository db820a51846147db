// Reading a zone file the signer wrote: the key tags of its DNSKEYs and of its RRSIGs, and
// ldns-verify-zone's verdict on it.

import { execFile } from 'node:child_process';
import { dnskeyFor, encodeDnskeyRdata } from '../../src/dnssec/dnskey.js';
import { keyTag } from '../../src/dnssec/key-tag.js';

export interface SignedZone {
  dnskeys: number[];
  dnskeySigners: number[];
  zoneSigners: number[];
  rrsigs: Array<{ covered: string; tag: number }>;
}

/** Key tags of the DNSKEYs, of the RRSIGs over the DNSKEY set, and of the RRSIGs over everything else. */
export function parseSigned(text: string): SignedZone {
  const dnskeys: number[] = [];
  const rrsigs: Array<{ covered: string; tag: number }> = [];
  for (const line of text.split('\n')) {
    const f = line.replace(/;.*$/, '').trim().split(/\s+/);
    const type = f[3];
    if (type === 'DNSKEY') {
      const [flags, , alg] = [Number(f[4]), f[5], Number(f[6])];
      dnskeys.push(keyTag(encodeDnskeyRdata(dnskeyFor(flags, alg as never, Buffer.from(f.slice(7).join(''), 'base64')))));
    } else if (type === 'RRSIG') {
      rrsigs.push({ covered: f[4]!, tag: Number(f[10]) });
    }
  }
  if (dnskeys.length === 0) throw new Error('no DNSKEY in the signed zone');
  const tags = (rs: typeof rrsigs) => sorted([...new Set(rs.map((r) => r.tag))]);
  return {
    dnskeys: sorted(dnskeys),
    dnskeySigners: tags(rrsigs.filter((r) => r.covered === 'DNSKEY')),
    zoneSigners: tags(rrsigs.filter((r) => r.covered !== 'DNSKEY')),
    rrsigs,
  };
}

export const sorted = (a: number[]): number[] => [...a].sort((x, y) => x - y);

export function same(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

export function verifyZone(file: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile('ldns-verify-zone', [file], { timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, output: stdout + stderr });
    });
  });
}
