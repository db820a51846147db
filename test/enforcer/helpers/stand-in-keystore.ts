// Keystores whose keys are stand-ins: a fresh random locator and random public-key bytes of the
// right shape for the algorithm, made in microseconds. For tests that run the enforcer over many
// simulated months, where key material is not what is checked but RSA generation would take most
// of the time. Contract: every key the pool asks for is distinct (locator and, with overwhelming
// probability, key tag); nothing can be signed with them (sign() throws), and the enforcer's run
// never signs.

import { randomBytes } from 'node:crypto';
import type { Config } from '../../../src/config/config.js';
import type { Algorithm } from '../../../src/policy/policy.js';
import { Keystores } from '../../../src/keys/keystores.js';
import { newLocator, type GeneratedKey, type Keystore } from '../../../src/keys/keystore.js';

/** DNSKEY public key field of the shape RFC 3110 (RSA) or RFC 6605 / 8080 (curves) give it. */
function publicKeyField(algorithm: Algorithm, bits: number): Uint8Array {
  if (algorithm === 8 || algorithm === 10) {
    const modulus = randomBytes(bits / 8);
    modulus[0]! |= 0x80;
    return new Uint8Array([3, 0x01, 0x00, 0x01, ...modulus]);
  }
  const size = ({ 13: 64, 14: 96, 15: 32, 16: 57 } as Record<number, number>)[algorithm];
  if (size === undefined) throw new Error(`stand-in keystore: no shape for algorithm ${algorithm}`);
  return new Uint8Array(randomBytes(size));
}

class StandInKeystore implements Keystore {
  private readonly keys = new Map<string, Uint8Array>();
  constructor(readonly name: string) {}
  async generate(algorithm: Algorithm, bits: number): Promise<GeneratedKey> {
    const locator = newLocator();
    const publicKey = publicKeyField(algorithm, bits);
    this.keys.set(locator, publicKey);
    return { locator, algorithm, bits, publicKey };
  }
  async publicKey(locator: string): Promise<Uint8Array> {
    const k = this.keys.get(locator);
    if (!k) throw new Error(`stand-in keystore: no key ${locator}`);
    return k;
  }
  async sign(): Promise<Uint8Array> {
    throw new Error('stand-in keystore: keys of this store cannot sign');
  }
  async has(locator: string): Promise<boolean> {
    return this.keys.has(locator);
  }
  async list(): Promise<string[]> {
    return [...this.keys.keys()];
  }
  async destroy(locator: string): Promise<void> {
    this.keys.delete(locator);
  }
}

/** Keystores for `config` in which every repository is a stand-in keystore. */
export class StandInKeystores extends Keystores {
  private readonly stores = new Map<string, StandInKeystore>();
  constructor(config: Pick<Config, 'keystores' | 'file'>) {
    super(config);
  }
  override get(repository: string): Promise<Keystore> {
    let ks = this.stores.get(repository);
    if (!ks) {
      ks = new StandInKeystore(repository);
      this.stores.set(repository, ks);
    }
    return Promise.resolve(ks);
  }
}
