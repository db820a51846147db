// Raw DNSSEC signatures (the RRSIG signature field) per algorithm.
// Contract: `verify` needs only the DNSKEY public key field, so it serves both our key self-tests and the
// validation of RRSIGs seen on the wire; it returns false for any malformed key or signature and throws only
// for algorithms we do not implement. ECDSA signatures are r || s (RFC 6605 §4); EdDSA is PureEdDSA (RFC 8080).
// ECDSA/EdDSA verification uses @noble/curves and signing uses node:crypto, so a self-test crosses two
// independent implementations.

import { sign as nodeSign, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { p256, p384 } from '@noble/curves/nist.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { ed448 } from '@noble/curves/ed448.js';
import type { Algorithm } from '../policy/policy.js';
import { algorithmInfo } from './algorithms.js';
import { decodeRsaPublicKey, keyObjectFromPublicKeyField, rsaModulusBits } from './dnskey.js';

const RSA_MAX_BITS = 4096; // RFC 3110 §2

export function verify(algorithm: number, publicKeyField: Uint8Array, data: Uint8Array, signature: Uint8Array): boolean {
  const info = algorithmInfo(algorithm);
  try {
    switch (info.family) {
      case 'rsa':
        return verifyRsa(info.number, publicKeyField, data, signature);
      case 'ecdsa': {
        if (publicKeyField.length !== info.publicKeyBytes || signature.length !== info.signatureBytes) return false;
        const curve = info.number === 13 ? p256 : p384;
        const sec1 = new Uint8Array(1 + publicKeyField.length);
        sec1[0] = 0x04;
        sec1.set(publicKeyField, 1);
        // prehash: noble hashes with the curve's own hash (SHA-256 / SHA-384), which is what RFC 6605 pairs them with.
        // lowS: false because DNSSEC signers (OpenSSL) emit either half; rejecting high S would fail valid zones.
        return curve.verify(signature, data, sec1, { prehash: true, lowS: false, format: 'compact' });
      }
      case 'eddsa': {
        if (publicKeyField.length !== info.publicKeyBytes || signature.length !== info.signatureBytes) return false;
        const curve = info.number === 15 ? ed25519 : ed448;
        // Strict RFC 8032 decoding (not ZIP-215), matching the OpenSSL-based validators.
        return curve.verify(signature, data, publicKeyField, { zip215: false });
      }
    }
  } catch {
    return false;
  }
}

function verifyRsa(algorithm: Algorithm, field: Uint8Array, data: Uint8Array, signature: Uint8Array): boolean {
  const info = algorithmInfo(algorithm);
  const { modulus } = decodeRsaPublicKey(field);
  const bits = rsaModulusBits(modulus);
  if (bits < info.verifyMinBits || bits > RSA_MAX_BITS) return false;
  if (signature.length !== modulus.length) return false;
  const key = keyObjectFromPublicKeyField(algorithm, field);
  return nodeVerify(info.hash, data, key, signature);
}

/** DNSSEC wire-format signature with a node private key (RSASSA-PKCS1-v1_5, ECDSA r||s, or PureEdDSA). */
export function sign(algorithm: Algorithm, privateKey: KeyObject, data: Uint8Array): Uint8Array {
  const info = algorithmInfo(algorithm);
  switch (info.family) {
    case 'rsa':
      return new Uint8Array(nodeSign(info.hash, data, privateKey));
    case 'ecdsa':
      return new Uint8Array(nodeSign(info.hash, data, { key: privateKey, dsaEncoding: 'ieee-p1363' }));
    case 'eddsa':
      return new Uint8Array(nodeSign(null, data, privateKey));
  }
}
