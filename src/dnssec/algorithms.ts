// The DNSSEC signing algorithms this enforcer generates and validates (RFC 8624 "MUST/RECOMMENDED" set).
// Contract: a static table keyed by IANA algorithm number; nothing here touches keys or bytes.
// Key sizes are what we will *generate*; verification of foreign keys uses `verifyMinBits`.

import type { Algorithm } from '../policy/policy.js';

export type HashName = 'sha256' | 'sha384' | 'sha512';
export type KeyFamily = 'rsa' | 'ecdsa' | 'eddsa';

export interface AlgorithmInfo {
  number: Algorithm;
  /** IANA mnemonic, as BIND and OpenDNSSEC print it. */
  mnemonic: string;
  family: KeyFamily;
  /** Hash used by the signature scheme; EdDSA hashes internally (PureEdDSA), so it is informational there. */
  hash: HashName;
  defaultBits: number;
  /** Sizes a policy may ask for. For curves the size is fixed; several spellings are tolerated (see Ed448). */
  allowedBits: readonly number[] | { min: number; max: number };
  /** Smallest key we accept when verifying someone else's signature (RFC 5702 §2 floors). */
  verifyMinBits: number;
  /** Signature octets; null for RSA, where it equals the modulus length. */
  signatureBytes: number | null;
  /** Public key field octets in the DNSKEY; null for RSA (variable). */
  publicKeyBytes: number | null;
}

const TABLE: Record<Algorithm, AlgorithmInfo> = {
  8: {
    number: 8, mnemonic: 'RSASHA256', family: 'rsa', hash: 'sha256',
    defaultBits: 2048, allowedBits: { min: 1024, max: 4096 }, verifyMinBits: 512,
    signatureBytes: null, publicKeyBytes: null,
  },
  10: {
    number: 10, mnemonic: 'RSASHA512', family: 'rsa', hash: 'sha512',
    defaultBits: 2048, allowedBits: { min: 1024, max: 4096 }, verifyMinBits: 1024,
    signatureBytes: null, publicKeyBytes: null,
  },
  13: {
    number: 13, mnemonic: 'ECDSAP256SHA256', family: 'ecdsa', hash: 'sha256',
    defaultBits: 256, allowedBits: [256], verifyMinBits: 256, signatureBytes: 64, publicKeyBytes: 64,
  },
  14: {
    number: 14, mnemonic: 'ECDSAP384SHA384', family: 'ecdsa', hash: 'sha384',
    defaultBits: 384, allowedBits: [384], verifyMinBits: 384, signatureBytes: 96, publicKeyBytes: 96,
  },
  15: {
    number: 15, mnemonic: 'ED25519', family: 'eddsa', hash: 'sha512',
    defaultBits: 256, allowedBits: [256], verifyMinBits: 256, signatureBytes: 64, publicKeyBytes: 32,
  },
  // BIND reports Ed448 keys as 456 bits (57 octets); kasp.xml files in the wild also say 448.
  16: {
    number: 16, mnemonic: 'ED448', family: 'eddsa', hash: 'sha512',
    defaultBits: 456, allowedBits: [456, 448], verifyMinBits: 456, signatureBytes: 114, publicKeyBytes: 57,
  },
};

export const ALGORITHMS: readonly AlgorithmInfo[] = Object.values(TABLE);

export function isSupportedAlgorithm(n: number): n is Algorithm {
  return Object.prototype.hasOwnProperty.call(TABLE, n);
}

export function algorithmInfo(n: number): AlgorithmInfo {
  if (!isSupportedAlgorithm(n)) throw new UnsupportedAlgorithmError(n);
  return TABLE[n];
}

/** Mnemonic for any algorithm number, including ones we do not implement (for display only). */
export function algorithmMnemonic(n: number): string {
  if (isSupportedAlgorithm(n)) return TABLE[n].mnemonic;
  return OTHER_MNEMONICS[n] ?? String(n);
}

const OTHER_MNEMONICS: Record<number, string> = {
  1: 'RSAMD5', 3: 'DSA', 5: 'RSASHA1', 6: 'DSA-NSEC3-SHA1', 7: 'RSASHA1-NSEC3-SHA1', 12: 'ECCGOST',
};

export function isAllowedBits(algorithm: Algorithm, bits: number): boolean {
  const allowed = TABLE[algorithm].allowedBits;
  if (Array.isArray(allowed)) return allowed.includes(bits);
  const range = allowed as { min: number; max: number };
  return Number.isInteger(bits) && bits >= range.min && bits <= range.max;
}

export class UnsupportedAlgorithmError extends Error {
  constructor(readonly algorithm: number) {
    super(`DNSSEC algorithm ${algorithm} (${algorithmMnemonic(algorithm)}) is not supported`);
    this.name = 'UnsupportedAlgorithmError';
  }
}
