// Presentation-format (zone file) lines for DNSKEY, CDNSKEY, DS and CDS, one record per line.
// Contract: output parses back in BIND, ldns and Knot. Conventions follow BIND: base64 public key
// without line breaks, DS digest in upper-case hex, and the optional `; KSK; alg = … ; key id = …`
// comment that `dig +multi` prints after a DNSKEY.

import { algorithmMnemonic } from './algorithms.js';
import { FLAG_SEP, type Dnskey, encodeDnskeyRdata } from './dnskey.js';
import { keyTag } from './key-tag.js';
import type { Ds } from './ds.js';
import { fqdn } from './name.js';

export interface LineOptions {
  /** Omitted TTL gives `owner IN TYPE …`, as BIND's .key files do without -L. */
  ttl?: number;
}

export interface DnskeyLineOptions extends LineOptions {
  type?: 'DNSKEY' | 'CDNSKEY';
  comment?: boolean;
}

export function dnskeyLine(owner: string, key: Dnskey, opts: DnskeyLineOptions = {}): string {
  const type = opts.type ?? 'DNSKEY';
  const rdata = `${key.flags} ${key.protocol} ${key.algorithm} ${Buffer.from(key.publicKey).toString('base64')}`;
  let line = `${head(owner, opts.ttl)} ${type} ${rdata}`;
  if (opts.comment) line += ` ${dnskeyComment(key)}`;
  return line;
}

/** `; KSK; alg = ECDSAP256SHA256 ; key id = 12345` (the spacing is BIND's, odd as it is). */
export function dnskeyComment(key: Dnskey): string {
  const role = (key.flags & FLAG_SEP) !== 0 ? 'KSK' : 'ZSK';
  const tag = keyTag(encodeDnskeyRdata(key));
  return `; ${role}; alg = ${algorithmMnemonic(key.algorithm)} ; key id = ${tag}`;
}

export interface DsLineOptions extends LineOptions {
  type?: 'DS' | 'CDS';
}

export function dsLine(owner: string, ds: Ds, opts: DsLineOptions = {}): string {
  const digest = Buffer.from(ds.digest).toString('hex').toUpperCase();
  return `${head(owner, opts.ttl)} ${opts.type ?? 'DS'} ${ds.keyTag} ${ds.algorithm} ${ds.digestType} ${digest}`;
}

function head(owner: string, ttl: number | undefined): string {
  if (ttl === undefined) return `${fqdn(owner)} IN`;
  if (!Number.isInteger(ttl) || ttl < 0 || ttl > 0x7fffffff) throw new RangeError(`bad TTL ${ttl}`);
  return `${fqdn(owner)} ${ttl} IN`;
}
