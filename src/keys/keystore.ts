// The keystore interface: where private keys live and how the enforcer asks for signatures.
// Contract: callers deal in locators, DNSKEY public key fields and DNSSEC wire signatures only — never
// files, PEM or PKCS#11 handles — so a PKCS#11 store can sit behind the same interface. A locator is a
// random 128-bit id in 32 lower-case hex digits, like a PKCS#11 CKA_ID, and is safe to use in a path
// only after `assertLocator`.

import { randomBytes, type KeyObject } from 'node:crypto';
import type { Algorithm } from '../policy/policy.js';

export interface GeneratedKey {
  locator: string;
  algorithm: Algorithm;
  bits: number;
  /** DNSKEY public key field. */
  publicKey: Uint8Array;
}

/** Something in a keystore that is not one of its keys, for `key list --orphans`. */
export interface StrayObject {
  /** The object's id (hex), or '-' when it has none. */
  id: string;
  problem: string;
}

/** Private key material handed out only for BIND-format export (never by HSM-backed stores). */
export interface ExportedPrivateKey {
  algorithm: Algorithm;
  privateKey: KeyObject;
}

export interface Keystore {
  /** The repository name from kasp.xml. */
  readonly name: string;
  /** Generates, stores and self-tests a key; a key failing the self-test is destroyed and an error thrown. */
  generate(algorithm: Algorithm, bits: number): Promise<GeneratedKey>;
  publicKey(locator: string): Promise<Uint8Array>;
  /** DNSSEC wire-format signature over `data` with the algorithm the key was generated for. */
  sign(locator: string, data: Uint8Array): Promise<Uint8Array>;
  has(locator: string): Promise<boolean>;
  /** Every locator present, for orphan detection. */
  list(): Promise<string[]>;
  destroy(locator: string): Promise<void>;
  exportPrivate?(locator: string): Promise<ExportedPrivateKey>;
  /** Throws a KeystoreError, before anything is created, when keys of this algorithm and size cannot be made here. */
  checkAlgorithm?(algorithm: Algorithm, bits: number): Promise<void>;
  /** Objects that are not complete keys of this store (e.g. half a PKCS#11 key pair), for orphan reports. */
  strays?(): Promise<StrayObject[]>;
  /** Releases what the store holds open (sessions, a loaded module); the store is unusable afterwards. */
  close?(): Promise<void>;
}

const LOCATOR = /^[0-9a-f]{32}$/;

export function isLocator(value: unknown): value is string {
  return typeof value === 'string' && LOCATOR.test(value);
}

export function assertLocator(value: unknown): asserts value is string {
  if (!isLocator(value)) {
    // JSON.stringify keeps control characters and path tricks visible in logs without interpreting them.
    const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 80)) : typeof value;
    throw new KeystoreError(`invalid key locator ${shown}: expected 32 lower-case hex digits`);
  }
}

export function newLocator(): string {
  return randomBytes(16).toString('hex');
}

export class KeystoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeystoreError';
  }
}

export class KeyNotFoundError extends KeystoreError {
  constructor(readonly keystore: string, readonly locator: string) {
    super(`key ${locator} not found in keystore ${keystore}`);
    this.name = 'KeyNotFoundError';
  }
}
