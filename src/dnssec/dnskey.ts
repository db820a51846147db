// DNSKEY RDATA (RFC 4034 §2) and the per-algorithm public key field inside it:
// RSA per RFC 3110 §2 (exponent length, exponent, modulus), ECDSA per RFC 6605 §4 (X || Y, no 0x04 prefix),
// EdDSA per RFC 8080 §3 (the raw public key). Contract: pure conversions between bytes, node KeyObjects and
// these encodings; the public key field is the one thing every other module (DS, tag, verify) works from.

import { createPublicKey, type KeyObject } from 'node:crypto';
import type { Algorithm } from '../policy/policy.js';
import { algorithmInfo } from './algorithms.js';

export const FLAGS_ZSK = 256;
export const FLAGS_KSK = 257;
export const FLAG_SEP = 0x0001;
export const FLAG_REVOKE = 0x0080;
export const FLAG_ZONE = 0x0100;
export const DNSSEC_PROTOCOL = 3;

export interface Dnskey {
  flags: number;
  protocol: number;
  algorithm: number;
  publicKey: Uint8Array;
}

export class DnskeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DnskeyError';
  }
}

export function encodeDnskeyRdata(key: Dnskey): Uint8Array {
  if (!Number.isInteger(key.flags) || key.flags < 0 || key.flags > 0xffff) throw new DnskeyError(`bad flags ${key.flags}`);
  if (!Number.isInteger(key.algorithm) || key.algorithm < 0 || key.algorithm > 255) throw new DnskeyError(`bad algorithm ${key.algorithm}`);
  const out = new Uint8Array(4 + key.publicKey.length);
  out[0] = key.flags >> 8;
  out[1] = key.flags & 0xff;
  out[2] = key.protocol;
  out[3] = key.algorithm;
  out.set(key.publicKey, 4);
  return out;
}

export function decodeDnskeyRdata(rdata: Uint8Array): Dnskey {
  if (rdata.length < 5) throw new DnskeyError('DNSKEY RDATA too short');
  return {
    flags: (rdata[0]! << 8) | rdata[1]!,
    protocol: rdata[2]!,
    algorithm: rdata[3]!,
    publicKey: rdata.slice(4),
  };
}

export function dnskeyFor(flags: number, algorithm: Algorithm, publicKey: Uint8Array): Dnskey {
  return { flags, protocol: DNSSEC_PROTOCOL, algorithm, publicKey };
}

// ---- RSA (RFC 3110 §2) ----

export interface RsaPublicParts {
  exponent: Uint8Array;
  modulus: Uint8Array;
}

export function encodeRsaPublicKey(parts: RsaPublicParts): Uint8Array {
  const e = stripLeadingZeros(parts.exponent);
  const n = stripLeadingZeros(parts.modulus);
  if (e.length === 0 || n.length === 0) throw new DnskeyError('RSA exponent and modulus must be non-zero');
  if (e.length > 0xffff) throw new DnskeyError('RSA exponent too long');
  const header = e.length <= 255 ? Uint8Array.of(e.length) : Uint8Array.of(0, e.length >> 8, e.length & 0xff);
  return concat(header, e, n);
}

export function decodeRsaPublicKey(field: Uint8Array): RsaPublicParts {
  if (field.length < 1) throw new DnskeyError('empty RSA public key');
  let eLen = field[0]!;
  let offset = 1;
  if (eLen === 0) {
    if (field.length < 3) throw new DnskeyError('truncated RSA exponent length');
    eLen = (field[1]! << 8) | field[2]!;
    offset = 3;
  }
  if (eLen === 0 || field.length <= offset + eLen) throw new DnskeyError('truncated RSA public key');
  const exponent = field.slice(offset, offset + eLen);
  const modulus = field.slice(offset + eLen);
  // RFC 3110: leading zero octets are not allowed; a zero-led modulus would also misreport the key size.
  if (exponent[0] === 0 || modulus[0] === 0) throw new DnskeyError('RSA exponent or modulus has a leading zero octet');
  return { exponent, modulus };
}

/** Modulus length in bits, as BIND and OpenDNSSEC report an RSA key's size. */
export function rsaModulusBits(modulus: Uint8Array): number {
  const m = stripLeadingZeros(modulus);
  if (m.length === 0) return 0;
  return (m.length - 1) * 8 + (32 - Math.clz32(m[0]!));
}

// ---- KeyObject <-> public key field ----

/** DNSKEY public key field for a node public or private KeyObject of the given algorithm. */
export function publicKeyFieldFromKeyObject(algorithm: Algorithm, key: KeyObject): Uint8Array {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  const jwk = pub.export({ format: 'jwk' });
  const info = algorithmInfo(algorithm);
  switch (info.family) {
    case 'rsa':
      if (jwk.kty !== 'RSA' || !jwk.n || !jwk.e) throw new DnskeyError(`key is not an RSA key (algorithm ${algorithm})`);
      return encodeRsaPublicKey({ exponent: b64url(jwk.e), modulus: b64url(jwk.n) });
    case 'ecdsa': {
      const crv = algorithm === 13 ? 'P-256' : 'P-384';
      if (jwk.kty !== 'EC' || jwk.crv !== crv || !jwk.x || !jwk.y) throw new DnskeyError(`key is not a ${crv} key (algorithm ${algorithm})`);
      return fixedLength(concat(b64url(jwk.x), b64url(jwk.y)), info.publicKeyBytes!);
    }
    case 'eddsa': {
      const crv = algorithm === 15 ? 'Ed25519' : 'Ed448';
      if (jwk.kty !== 'OKP' || jwk.crv !== crv || !jwk.x) throw new DnskeyError(`key is not an ${crv} key (algorithm ${algorithm})`);
      return fixedLength(b64url(jwk.x), info.publicKeyBytes!);
    }
  }
}

/** A node public KeyObject from a DNSKEY public key field (validates the encoding and the point). */
export function keyObjectFromPublicKeyField(algorithm: Algorithm, field: Uint8Array): KeyObject {
  const info = algorithmInfo(algorithm);
  let jwk: Record<string, string>;
  switch (info.family) {
    case 'rsa': {
      const { exponent, modulus } = decodeRsaPublicKey(field);
      jwk = { kty: 'RSA', n: toB64url(modulus), e: toB64url(exponent) };
      break;
    }
    case 'ecdsa': {
      const half = info.publicKeyBytes! / 2;
      fixedLength(field, info.publicKeyBytes!);
      jwk = {
        kty: 'EC', crv: algorithm === 13 ? 'P-256' : 'P-384',
        x: toB64url(field.subarray(0, half)), y: toB64url(field.subarray(half)),
      };
      break;
    }
    case 'eddsa':
      fixedLength(field, info.publicKeyBytes!);
      jwk = { kty: 'OKP', crv: algorithm === 15 ? 'Ed25519' : 'Ed448', x: toB64url(field) };
      break;
  }
  try {
    return createPublicKey({ key: jwk, format: 'jwk' });
  } catch {
    throw new DnskeyError(`public key field is not a valid ${info.mnemonic} key`);
  }
}

// ---- small byte helpers ----

function fixedLength(bytes: Uint8Array, length: number): Uint8Array {
  if (bytes.length !== length) throw new DnskeyError(`public key must be ${length} octets, got ${bytes.length}`);
  return bytes;
}

function stripLeadingZeros(bytes: Uint8Array): Uint8Array {
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) i++;
  return bytes.subarray(i);
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function b64url(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s, 'base64url'));
}

function toB64url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}
