// The PKCS#11 keystore against a real SoftHSM token: keys of every algorithm generated inside the
// token with the attributes OpenDNSSEC's signer expects, the DNSKEY read back from the token, signatures
// made by the token that verify, and the errors an operator meets (wrong PIN, unknown token, missing
// module) naming the keystore without the PIN. The token's objects are inspected through the binding
// directly, not through the keystore, so the keystore cannot vouch for itself.

import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Algorithm } from '../../src/policy/policy.js';
import { verify } from '../../src/dnssec/signature.js';
import { KeyNotFoundError, KeystoreError } from '../../src/keys/keystore.js';
import { Pkcs11Keystore } from '../../src/keys/pkcs11-keystore.js';
import { CKA, CKO } from '../../src/keys/pkcs11-constants.js';
import type { TokenSettings } from '../../src/keys/pkcs11-token.js';
import { createSoftHsm, pkcs11Unavailable, rawSession, type SoftHsm } from '../helpers/softhsm.js';

const unavailable = pkcs11Unavailable();
const PIN = '480315';
let hsm: SoftHsm;
let ks: Pkcs11Keystore;
let settings: TokenSettings;

beforeAll(async () => {
  if (unavailable) return;
  hsm = createSoftHsm();
  // SoftHSM reads its configuration when the module is initialised: set it before the first open.
  process.env.SOFTHSM2_CONF = hsm.conf;
  hsm.addToken('enforcer-test', PIN);
  hsm.addToken('other-token', '1111');
  const pinFile = path.join(hsm.dir, 'pin');
  writeFileSync(pinFile, `${PIN}\n`, { mode: 0o600 });
  settings = { keystore: 'HSM', module: hsm.module, tokenLabel: 'enforcer-test', pin: { file: pinFile } };
  ks = await Pkcs11Keystore.open(settings);
});
afterAll(async () => {
  await ks?.close();
});
beforeEach((ctx) => {
  if (unavailable) ctx.skip(unavailable);
});

const rawToken = () => rawSession(hsm, 'enforcer-test');

const CASES: Array<[Algorithm, number]> = [
  [8, 1024],
  [10, 2048],
  [13, 256],
  [14, 384],
  [15, 256],
  [16, 456],
];

describe('PKCS#11 keystore (SoftHSM)', () => {
  it.each(CASES)('generates algorithm %i (%i bits) inside the token, non-extractable, and signs with it', async (algorithm, bits) => {
    const key = await ks.generate(algorithm, bits);
    expect(key).toMatchObject({ algorithm, bits });
    expect(await ks.has(key.locator)).toBe(true);
    expect(await ks.list()).toContain(key.locator);
    expect(Buffer.from(await ks.publicKey(key.locator))).toEqual(Buffer.from(key.publicKey));

    const raw = rawToken();
    try {
      const [priv] = raw.find(key.locator, CKO.PRIVATE_KEY);
      const [pub] = raw.find(key.locator, CKO.PUBLIC_KEY);
      expect(priv && pub).toBeTruthy();
      const a = raw.attrs(priv!, [CKA.TOKEN, CKA.SENSITIVE, CKA.EXTRACTABLE, CKA.NEVER_EXTRACTABLE, CKA.ALWAYS_SENSITIVE, CKA.SIGN, CKA.LABEL]);
      expect([a.get(CKA.TOKEN)![0], a.get(CKA.SENSITIVE)![0], a.get(CKA.EXTRACTABLE)![0]]).toEqual([1, 1, 0]);
      // Generated inside the token: never extractable, always sensitive.
      expect([a.get(CKA.NEVER_EXTRACTABLE)![0], a.get(CKA.ALWAYS_SENSITIVE)![0], a.get(CKA.SIGN)![0]]).toEqual([1, 1, 1]);
      expect(a.get(CKA.LABEL)!.toString()).toMatch(new RegExp(`^${key.locator} `));
      expect(raw.attrs(pub!, [CKA.TOKEN]).get(CKA.TOKEN)![0]).toBe(1);
    } finally {
      raw.close();
    }

    const data = new TextEncoder().encode(`data signed by the token for algorithm ${algorithm}`);
    const sig = await ks.sign(key.locator, data);
    expect(verify(algorithm, key.publicKey, data, sig)).toBe(true);
    expect(verify(algorithm, key.publicKey, data.slice(1), sig)).toBe(false);
  });

  it('destroys both halves of a key pair, and knows nothing of it afterwards', async () => {
    const key = await ks.generate(13, 256);
    await ks.destroy(key.locator);
    expect(await ks.has(key.locator)).toBe(false);
    expect(await ks.list()).not.toContain(key.locator);
    const raw = rawToken();
    try {
      expect([raw.find(key.locator, CKO.PRIVATE_KEY).length, raw.find(key.locator, CKO.PUBLIC_KEY).length]).toEqual([0, 0]);
    } finally {
      raw.close();
    }
    await expect(ks.sign(key.locator, new Uint8Array(8))).rejects.toBeInstanceOf(KeyNotFoundError);
    await expect(ks.has('not-a-locator')).rejects.toThrow(/invalid key locator/);
  });

  it('reports half a key pair as a stray object, not as a key', async () => {
    const key = await ks.generate(15, 256);
    expect(await ks.strays()).toEqual([]);
    const raw = rawToken();
    try {
      raw.lib.C_DestroyObject(raw.session, raw.find(key.locator, CKO.PRIVATE_KEY)[0]!);
    } finally {
      raw.close();
    }
    expect(await ks.list()).not.toContain(key.locator);
    expect(await ks.strays()).toEqual([{ id: key.locator, problem: expect.stringMatching(/^public key labelled .* without its private key$/) }]);
    await ks.destroy(key.locator);
    expect(await ks.strays()).toEqual([]);
  });

  it('refuses an RSA size the token cannot make, before creating anything', async () => {
    const before = await ks.list();
    await expect(ks.checkAlgorithm(8, 256)).rejects.toThrow(/keystore HSM .*cannot generate 256-bit RSA keys: CKM_RSA_PKCS_KEY_PAIR_GEN allows/);
    await expect(ks.generate(8, 256)).rejects.toThrow(KeystoreError);
    expect(await ks.list()).toEqual(before);
  });
});

describe('PKCS#11 keystore errors name the keystore and never show the PIN', () => {
  it('a wrong PIN', async () => {
    const file = path.join(hsm.dir, 'wrong-pin');
    writeFileSync(file, '999999', { mode: 0o600 });
    // other-token: this process is not logged in to it, so the token itself judges the PIN.
    const err = await Pkcs11Keystore.open({ ...settings, tokenLabel: 'other-token', pin: { file } }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(KeystoreError);
    expect((err as Error).message).toMatch(/^keystore HSM \(PKCS#11 token "other-token" in .*libsofthsm2\.so\): the token refused the PIN from the file .*wrong-pin \(CKR_PIN_INCORRECT\)/);
    expect((err as Error).message).not.toContain('999999');
  });

  it('a different PIN for a token this process is already logged in to', async () => {
    const err = await Pkcs11Keystore.open({ ...settings, keystore: 'HSM2', pin: { env: 'TEST_PIN' } }, { TEST_PIN: '000000' }).catch((e: Error) => e);
    expect((err as Error).message).toMatch(/^keystore HSM2 .*already logged in by another keystore of this process with a different PIN/);
    // The same PIN is fine: two repositories may share a token.
    const again = await Pkcs11Keystore.open({ ...settings, keystore: 'HSM2', pin: { env: 'TEST_PIN' } }, { TEST_PIN: PIN });
    expect((await again.list()).length).toBeGreaterThan(0);
    await again.close();
    expect((await ks.list()).length).toBeGreaterThan(0); // the first keystore's login survives the second's close
  });

  it('an unknown token label, listing the tokens present', async () => {
    await expect(Pkcs11Keystore.open({ ...settings, tokenLabel: 'nope' })).rejects.toThrow(
      /^keystore HSM \(PKCS#11 token "nope" in .*\): no token with this label \(tokens present: .*"enforcer-test".*"other-token".*\); check `tokenLabel`/,
    );
  });

  it('a module that does not exist', async () => {
    await expect(Pkcs11Keystore.open({ ...settings, module: '/nonexistent/libpkcs11.so' })).rejects.toThrow(
      /^keystore HSM .*: the PKCS#11 module \/nonexistent\/libpkcs11\.so does not exist; check `module`/,
    );
  });

  it('a file that is not a PKCS#11 module', async () => {
    const file = path.join(hsm.dir, 'not-a-module.so');
    writeFileSync(file, 'not an ELF file');
    await expect(Pkcs11Keystore.open({ ...settings, module: file })).rejects.toThrow(/^keystore HSM .*: the PKCS#11 module could not be loaded/);
  });

  it('a PIN file others can read', async () => {
    const file = path.join(hsm.dir, 'open-pin');
    writeFileSync(file, PIN);
    chmodSync(file, 0o640);
    await expect(Pkcs11Keystore.open({ ...settings, pin: { file } })).rejects.toThrow(/^keystore HSM: PIN file .*open-pin has mode 0640; it must be readable by its owner only/);
  });
});
