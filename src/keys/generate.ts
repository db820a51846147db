// Key pair generation for the file keystore, and the self-test every new key must pass.
// Contract: ECDSA/EdDSA secrets come from @noble/curves' randomSecretKey (CSPRNG); RSA comes from
// node:crypto's asynchronous generateKeyPair so a 4096-bit key does not stall the event loop.
// Every private key leaves this module as a node KeyObject, the form the file keystore stores (PKCS#8).

import { createPrivateKey, generateKeyPair as nodeGenerateKeyPair, randomBytes, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { p256, p384 } from '@noble/curves/nist.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { ed448 } from '@noble/curves/ed448.js';
import type { Algorithm } from '../policy/policy.js';
import { algorithmInfo, isAllowedBits } from '../dnssec/algorithms.js';
import { publicKeyFieldFromKeyObject, rsaModulusBits, decodeRsaPublicKey } from '../dnssec/dnskey.js';
import { verify } from '../dnssec/signature.js';

const generateRsa = promisify(nodeGenerateKeyPair);

export interface KeyPair {
  algorithm: Algorithm;
  bits: number;
  privateKey: KeyObject;
  /** DNSKEY public key field. */
  publicKey: Uint8Array;
}

export class KeyGenerationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyGenerationError';
  }
}

export class SelfTestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SelfTestError';
  }
}

export async function generateKeyPair(algorithm: Algorithm, bits: number): Promise<KeyPair> {
  const info = algorithmInfo(algorithm);
  if (!isAllowedBits(algorithm, bits)) {
    throw new KeyGenerationError(`${info.mnemonic} keys cannot be ${bits} bits`);
  }
  let privateKey: KeyObject;
  if (info.family === 'rsa') {
    const pair = await generateRsa('rsa', { modulusLength: bits, publicExponent: 65537 });
    privateKey = pair.privateKey;
  } else {
    privateKey = curvePrivateKey(algorithm);
  }
  const publicKey = publicKeyFieldFromKeyObject(algorithm, privateKey);
  return { algorithm, bits: keyBits(algorithm, publicKey), privateKey, publicKey };
}

/** Size the way BIND and OpenDNSSEC report it: modulus bits for RSA, the table's figure for curves. */
export function keyBits(algorithm: Algorithm, publicKeyField: Uint8Array): number {
  const info = algorithmInfo(algorithm);
  if (info.family === 'rsa') return rsaModulusBits(decodeRsaPublicKey(publicKeyField).modulus);
  return info.defaultBits;
}

function curvePrivateKey(algorithm: Algorithm): KeyObject {
  // The secret leaves this function only inside the KeyObject; the JWK is just the import vehicle.
  switch (algorithm) {
    case 13:
    case 14: {
      const curve = algorithm === 13 ? p256 : p384;
      const d = curve.utils.randomSecretKey();
      const point = curve.getPublicKey(d, false); // 0x04 || X || Y
      const half = (point.length - 1) / 2;
      try {
        return createPrivateKey({
          format: 'jwk',
          key: {
            kty: 'EC', crv: algorithm === 13 ? 'P-256' : 'P-384',
            d: b64url(d), x: b64url(point.subarray(1, 1 + half)), y: b64url(point.subarray(1 + half)),
          },
        });
      } finally {
        d.fill(0); // best effort: the KeyObject holds the only copy we keep
      }
    }
    case 15:
    case 16: {
      const curve = algorithm === 15 ? ed25519 : ed448;
      const seed = curve.utils.randomSecretKey();
      try {
        return createPrivateKey({
          format: 'jwk',
          key: { kty: 'OKP', crv: algorithm === 15 ? 'Ed25519' : 'Ed448', d: b64url(seed), x: b64url(curve.getPublicKey(seed)) },
        });
      } finally {
        seed.fill(0);
      }
    }
    default:
      throw new KeyGenerationError(`algorithm ${algorithm} is not a curve algorithm`);
  }
}

export type Signer = (data: Uint8Array) => Uint8Array | Promise<Uint8Array>;

/**
 * Signs a fresh random message and verifies it from the DNSKEY public key field alone. A key that fails
 * would publish a DNSKEY that validates nothing, so callers destroy it. Messages never contain key material.
 */
export async function selfTest(algorithm: Algorithm, publicKeyField: Uint8Array, signer: Signer): Promise<void> {
  const message = new Uint8Array(randomBytes(64));
  let signature: Uint8Array;
  try {
    signature = await signer(message);
  } catch (err) {
    throw new SelfTestError(`self-test signing failed for a new ${algorithmInfo(algorithm).mnemonic} key: ${errorName(err)}`);
  }
  if (!verify(algorithm, publicKeyField, message, signature)) {
    throw new SelfTestError(`self-test signature of a new ${algorithmInfo(algorithm).mnemonic} key does not verify`);
  }
  // A verifier that accepts everything would make the test above meaningless; a flipped bit must fail.
  const tampered = message.slice();
  tampered[0]! ^= 1;
  if (verify(algorithm, publicKeyField, tampered, signature)) {
    throw new SelfTestError(`self-test verifier accepted a signature over different data (${algorithmInfo(algorithm).mnemonic})`);
  }
}

// Only the error's class name: the message of a crypto failure could in principle echo key material.
function errorName(err: unknown): string {
  return err instanceof Error ? err.name : 'unknown error';
}

function b64url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}
