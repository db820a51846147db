// How each DNSSEC algorithm maps onto PKCS#11: the key-pair generation mechanism and templates, the
// signing mechanism and what it is fed, and how the token's public key attributes become the DNSKEY
// public key field. Pure: no binding calls here.
//   RSA (8, 10)     CKM_RSA_PKCS over a DigestInfo we build (RFC 8017 §9.2), as OpenDNSSEC does, since
//                   every token has CKM_RSA_PKCS but not every token the hash-and-sign mechanisms.
//   ECDSA (13, 14)  CKM_ECDSA over the SHA-256 / SHA-384 digest; the token returns r || s (RFC 6605 §4).
//   EdDSA (15, 16)  CKM_EDDSA over the data itself (PureEdDSA, RFC 8080); R || S is the DNSSEC form.

import { createHash } from 'node:crypto';
import type { Algorithm } from '../policy/policy.js';
import { ALGORITHMS, algorithmInfo } from '../dnssec/algorithms.js';
import { encodeRsaPublicKey } from '../dnssec/dnskey.js';
import { CKA, CKK, CKM } from './pkcs11-constants.js';
import type { Attribute } from './pkcs11-binding.js';

export interface TokenAlgorithm {
  keyType: number;
  generate: number;
  sign: number;
  /** Extra attributes of the public key template (curve, modulus size, exponent). */
  publicParams(bits: number): Attribute[];
  /** Attributes to read from the public key object to build the DNSKEY field. */
  publicAttributes: number[];
}

// DER-encoded curve OIDs for CKA_EC_PARAMS: prime256v1, secp384r1, id-Ed25519, id-Ed448.
const CURVE_OID: Partial<Record<Algorithm, Buffer>> = {
  13: Buffer.from('06082a8648ce3d030107', 'hex'),
  14: Buffer.from('06052b81040022', 'hex'),
  15: Buffer.from('06032b6570', 'hex'),
  16: Buffer.from('06032b6571', 'hex'),
};

// DigestInfo prefixes (RFC 8017 §9.2 note 1) for SHA-256 and SHA-512.
const DIGEST_INFO: Record<'sha256' | 'sha512', Buffer> = {
  sha256: Buffer.from('3031300d060960864801650304020105000420', 'hex'),
  sha512: Buffer.from('3051300d060960864801650304020305000440', 'hex'),
};

export function tokenAlgorithm(algorithm: Algorithm): TokenAlgorithm {
  const info = algorithmInfo(algorithm);
  switch (info.family) {
    case 'rsa':
      return {
        keyType: CKK.RSA,
        generate: CKM.RSA_PKCS_KEY_PAIR_GEN,
        sign: CKM.RSA_PKCS,
        publicParams: (bits) => [
          { type: CKA.MODULUS_BITS, value: bits },
          { type: CKA.PUBLIC_EXPONENT, value: Buffer.from([0x01, 0x00, 0x01]) },
        ],
        publicAttributes: [CKA.MODULUS, CKA.PUBLIC_EXPONENT],
      };
    case 'ecdsa':
    case 'eddsa':
      return {
        keyType: info.family === 'ecdsa' ? CKK.EC : CKK.EC_EDWARDS,
        generate: info.family === 'ecdsa' ? CKM.EC_KEY_PAIR_GEN : CKM.EC_EDWARDS_KEY_PAIR_GEN,
        sign: info.family === 'ecdsa' ? CKM.ECDSA : CKM.EDDSA,
        publicParams: () => [{ type: CKA.EC_PARAMS, value: CURVE_OID[algorithm]! }],
        publicAttributes: [CKA.EC_POINT],
      };
  }
}

/** What the token's signing mechanism is given for `data`. */
export function signingInput(algorithm: Algorithm, data: Uint8Array): Buffer {
  const info = algorithmInfo(algorithm);
  switch (info.family) {
    case 'rsa': {
      const hash = info.hash === 'sha512' ? 'sha512' : 'sha256';
      return Buffer.concat([DIGEST_INFO[hash], createHash(hash).update(data).digest()]);
    }
    case 'ecdsa':
      return createHash(info.hash).update(data).digest();
    case 'eddsa':
      return Buffer.from(data);
  }
}

/**
 * The DNSKEY public key field from the public key object's attributes, or null when they do not
 * hold a key of this algorithm. CKA_EC_POINT is a DER OCTET STRING per the specification; some
 * tokens return the bare point, which is accepted too.
 */
export function publicKeyField(algorithm: Algorithm, attrs: Map<number, Buffer>): Uint8Array | null {
  const info = algorithmInfo(algorithm);
  if (info.family === 'rsa') {
    const modulus = attrs.get(CKA.MODULUS);
    const exponent = attrs.get(CKA.PUBLIC_EXPONENT);
    if (!modulus?.length || !exponent?.length) return null;
    return encodeRsaPublicKey({ exponent, modulus });
  }
  const point = attrs.get(CKA.EC_POINT);
  if (!point) return null;
  // ECDSA: the uncompressed point 04 || X || Y; the DNSKEY field is X || Y. EdDSA: the encoded key itself.
  const inner = info.family === 'ecdsa' ? info.publicKeyBytes! + 1 : info.publicKeyBytes!;
  let raw: Buffer;
  if (point.length === inner + 2 && point[0] === 0x04 && point[1] === inner) raw = point.subarray(2);
  else if (point.length === inner) raw = point;
  else return null;
  if (info.family === 'ecdsa') return raw[0] === 0x04 ? new Uint8Array(raw.subarray(1)) : null;
  return new Uint8Array(raw);
}

/** Octets to reserve for a signature: the modulus length for RSA (at most 4096 bits), fixed otherwise. */
export function signatureCapacity(algorithm: Algorithm): number {
  return algorithmInfo(algorithm).signatureBytes ?? 512;
}

/** The label given to both objects of a key pair: the locator (OpenDNSSEC labels keys by their id) and the algorithm. */
export function keyLabel(locator: string, algorithm: Algorithm): string {
  return `${locator} ${algorithmInfo(algorithm).mnemonic}`;
}

/** The algorithm a label written by `keyLabel` names, or null. */
export function algorithmFromLabel(label: string, locator: string): Algorithm | null {
  const [id, mnemonic, ...rest] = label.split(' ');
  if (id !== locator || rest.length > 0 || mnemonic === undefined) return null;
  return ALGORITHMS.find((a) => a.mnemonic === mnemonic)?.number ?? null;
}
