// A keystore in a PKCS#11 token (an HSM, or SoftHSM), the layout OpenDNSSEC's signer expects: each
// key is a private and a public key object on the token with CKA_ID = the locator's 16 octets and a
// label starting with the locator. Keys are generated inside the token (C_GenerateKeyPair); the private
// key is sensitive and never extractable, so the private half never exists outside the token. The
// DNSKEY is built from the public key object read back from the token, and a new key must sign and
// verify (through the token) before it is handed out; a key failing any check is destroyed.
// Contract: see Keystore. Every error names the keystore, the token and the module.

import type { Algorithm } from '../policy/policy.js';
import { algorithmInfo } from '../dnssec/algorithms.js';
import { keyBits, selfTest } from './generate.js';
import { assertLocator, isLocator, KeyNotFoundError, KeystoreError, newLocator, type GeneratedKey, type Keystore, type StrayObject } from './keystore.js';
import type { Attribute, Handle } from './pkcs11-binding.js';
import { algorithmFromLabel, keyLabel, publicKeyField, signatureCapacity, signingInput, tokenAlgorithm } from './pkcs11-algorithms.js';
import { CKA, CKF, CKK, CKO, MECHANISM_NAMES } from './pkcs11-constants.js';
import { call, Pkcs11Token, type TokenSettings } from './pkcs11-token.js';

export class Pkcs11Keystore implements Keystore {
  private readonly checked = new Map<string, Promise<void>>();

  private constructor(readonly name: string, private readonly token: Pkcs11Token) {}

  static async open(settings: TokenSettings, env?: Record<string, string | undefined>): Promise<Pkcs11Keystore> {
    return new Pkcs11Keystore(settings.keystore, await Pkcs11Token.open(settings, env));
  }

  private get where(): string {
    return this.token.description;
  }

  /** Refuses, before anything is created, an algorithm or size the token cannot generate and sign with. */
  checkAlgorithm(algorithm: Algorithm, bits: number): Promise<void> {
    const key = `${algorithm}/${bits}`;
    let p = this.checked.get(key);
    if (!p) {
      p = Promise.resolve().then(() => this.checkMechanisms(algorithm, bits));
      this.checked.set(key, p);
    }
    return p;
  }

  async generate(algorithm: Algorithm, bits: number): Promise<GeneratedKey> {
    await this.checkAlgorithm(algorithm, bits);
    const t = tokenAlgorithm(algorithm);
    return this.token.withSession(async (session) => {
      // 128 random bits, as OpenDNSSEC's own key ids: no lookup for a clash first, which on SoftHSM
      // costs a scan of every object on the token for each new key.
      const locator = newLocator();
      const id = Buffer.from(locator, 'hex');
      const label = keyLabel(locator, algorithm);
      let pair: { publicKey: Handle; privateKey: Handle };
      try {
        pair = await this.token.lib.C_GenerateKeyPairAsync(
          session,
          { mechanism: t.generate },
          [
            { type: CKA.CLASS, value: CKO.PUBLIC_KEY }, { type: CKA.KEY_TYPE, value: t.keyType },
            { type: CKA.TOKEN, value: true }, { type: CKA.PRIVATE, value: false },
            { type: CKA.ID, value: id }, { type: CKA.LABEL, value: label },
            { type: CKA.VERIFY, value: true }, { type: CKA.ENCRYPT, value: false }, { type: CKA.WRAP, value: false },
            ...t.publicParams(bits),
          ],
          [
            { type: CKA.CLASS, value: CKO.PRIVATE_KEY }, { type: CKA.KEY_TYPE, value: t.keyType },
            { type: CKA.TOKEN, value: true }, { type: CKA.PRIVATE, value: true },
            { type: CKA.ID, value: id }, { type: CKA.LABEL, value: label },
            { type: CKA.SENSITIVE, value: true }, { type: CKA.EXTRACTABLE, value: false },
            { type: CKA.SIGN, value: true }, { type: CKA.DECRYPT, value: false }, { type: CKA.UNWRAP, value: false },
            { type: CKA.DERIVE, value: false },
          ],
        );
      } catch (e) {
        throw new KeystoreError(`${this.where}: C_GenerateKeyPair for a ${algorithmInfo(algorithm).mnemonic} key failed: ${reason(e)}`);
      }
      try {
        this.checkPrivateKey(session, pair.privateKey, locator);
        const publicKey = this.readPublicKey(session, pair.publicKey, algorithm, locator);
        const size = keyBits(algorithm, publicKey);
        if (algorithmInfo(algorithm).family === 'rsa' && size !== bits) {
          throw new KeystoreError(`${this.where}: asked for a ${bits}-bit RSA key, the token made one of ${size} bits`);
        }
        await selfTest(algorithm, publicKey, (data) => this.signWith(session, pair.privateKey, algorithm, data));
        return { locator, algorithm, bits: size, publicKey };
      } catch (e) {
        try {
          this.destroyObjects(session, [pair.privateKey, pair.publicKey]);
        } catch {
          // left as a stray pair for `key list --orphans`; the original error is the one to report
        }
        throw e;
      }
    });
  }

  async publicKey(locator: string): Promise<Uint8Array> {
    return this.token.withSession((session) => {
      const { algorithm } = this.privateKey(session, locator);
      const [pub] = this.find(session, { id: locator, cls: CKO.PUBLIC_KEY });
      if (!pub) throw new KeystoreError(`${this.where}: key ${locator} has no public key object on the token`);
      return this.readPublicKey(session, pub, algorithm, locator);
    });
  }

  async sign(locator: string, data: Uint8Array): Promise<Uint8Array> {
    return this.token.withSession((session) => {
      const { handle, algorithm } = this.privateKey(session, locator);
      return this.signWith(session, handle, algorithm, data);
    });
  }

  async has(locator: string): Promise<boolean> {
    assertLocator(locator);
    return this.token.withSession((session) => this.find(session, { id: locator, cls: CKO.PRIVATE_KEY }).length > 0);
  }

  /** Locators of the private keys on the token. */
  async list(): Promise<string[]> {
    return (await this.objects()).filter((o) => o.cls === CKO.PRIVATE_KEY && isLocator(o.id)).map((o) => o.id).sort();
  }

  /** Token objects that are not one of this keystore's key pairs: a public half alone, an id that is no locator. */
  async strays(): Promise<StrayObject[]> {
    const objects = await this.objects();
    const privates = new Set(objects.filter((o) => o.cls === CKO.PRIVATE_KEY).map((o) => o.id));
    const publics = new Set(objects.filter((o) => o.cls === CKO.PUBLIC_KEY).map((o) => o.id));
    const out: StrayObject[] = [];
    for (const o of objects) {
      const kind = o.cls === CKO.PRIVATE_KEY ? 'private key' : o.cls === CKO.PUBLIC_KEY ? 'public key' : `object of class ${o.cls}`;
      const label = o.label ? ` labelled ${JSON.stringify(o.label)}` : '';
      if (!isLocator(o.id)) out.push({ id: o.id || '-', problem: `${kind}${label} whose CKA_ID is not a 16-octet key id` });
      else if (o.cls === CKO.PUBLIC_KEY && !privates.has(o.id)) out.push({ id: o.id, problem: `public key${label} without its private key` });
      else if (o.cls === CKO.PRIVATE_KEY && !publics.has(o.id)) out.push({ id: o.id, problem: `private key${label} without its public key (the signer needs both)` });
    }
    return out.sort((a, b) => a.id.localeCompare(b.id));
  }

  async destroy(locator: string): Promise<void> {
    assertLocator(locator);
    await this.token.withSession((session) => this.destroyObjects(session, this.find(session, { id: locator })));
  }

  close(): Promise<void> {
    return this.token.close();
  }

  private checkMechanisms(algorithm: Algorithm, bits: number): void {
    const lib = this.token.lib;
    const t = tokenAlgorithm(algorithm);
    const available = new Set(call(this.where, 'C_GetMechanismList', () => lib.C_GetMechanismList(this.token.slot)));
    const what = `${algorithmInfo(algorithm).mnemonic} (algorithm ${algorithm}) keys`;
    for (const [mech, flag, use] of [[t.generate, CKF.GENERATE_KEY_PAIR, 'generate'], [t.sign, CKF.SIGN, 'sign with']] as const) {
      const name = MECHANISM_NAMES[mech] ?? `mechanism 0x${mech.toString(16)}`;
      if (!available.has(mech)) throw new KeystoreError(`${this.where}: the token cannot ${use} ${what}: it lacks the mechanism ${name}`);
      const info = call(this.where, 'C_GetMechanismInfo', () => lib.C_GetMechanismInfo(this.token.slot, mech));
      if ((info.flags & flag) === 0) throw new KeystoreError(`${this.where}: the token cannot ${use} ${what}: ${name} does not allow it`);
      // Only RSA sizes are meaningful here; tokens report curve sizes inconsistently (bits of the field, or of the order).
      if (t.keyType === CKK.RSA && info.maxKeySize > 0 && (bits < info.minKeySize || bits > info.maxKeySize)) {
        throw new KeystoreError(`${this.where}: the token cannot ${use} ${bits}-bit RSA keys: ${name} allows ${info.minKeySize} to ${info.maxKeySize} bits`);
      }
    }
  }

  private async signWith(session: Handle, key: Handle, algorithm: Algorithm, data: Uint8Array): Promise<Uint8Array> {
    const lib = this.token.lib;
    call(this.where, 'C_SignInit', () => lib.C_SignInit(session, { mechanism: tokenAlgorithm(algorithm).sign }, key));
    try {
      return new Uint8Array(await lib.C_SignAsync(session, signingInput(algorithm, data), Buffer.alloc(signatureCapacity(algorithm))));
    } catch (e) {
      throw new KeystoreError(`${this.where}: C_Sign failed: ${reason(e)}`);
    }
  }

  /** The token must have kept the private key sensitive and non-extractable, whatever it was asked. */
  private checkPrivateKey(session: Handle, key: Handle, locator: string): void {
    const attrs = this.attributes(session, key, [CKA.SENSITIVE, CKA.EXTRACTABLE]);
    if (attrs.get(CKA.SENSITIVE)?.[0] !== 1 || attrs.get(CKA.EXTRACTABLE)?.[0] !== 0) {
      throw new KeystoreError(`${this.where}: the token made key ${locator} extractable or not sensitive; refusing to use it`);
    }
  }

  private readPublicKey(session: Handle, pub: Handle, algorithm: Algorithm, locator: string): Uint8Array {
    const field = publicKeyField(algorithm, this.attributes(session, pub, tokenAlgorithm(algorithm).publicAttributes));
    if (!field) throw new KeystoreError(`${this.where}: the public key of key ${locator} is not a ${algorithmInfo(algorithm).mnemonic} key`);
    return field;
  }

  private privateKey(session: Handle, locator: string): { handle: Handle; algorithm: Algorithm } {
    assertLocator(locator);
    const [handle] = this.find(session, { id: locator, cls: CKO.PRIVATE_KEY });
    if (!handle) throw new KeyNotFoundError(this.name, locator);
    const label = this.attributes(session, handle, [CKA.LABEL]).get(CKA.LABEL)?.toString('utf8') ?? '';
    const algorithm = algorithmFromLabel(label, locator);
    if (algorithm === null) {
      throw new KeystoreError(`${this.where}: key ${locator} has the label ${JSON.stringify(label)}, which does not name its DNSSEC algorithm`);
    }
    return { handle, algorithm };
  }

  private find(session: Handle, q: { id?: string; cls?: number }): Handle[] {
    const lib = this.token.lib;
    const template: Attribute[] = [{ type: CKA.TOKEN, value: true }];
    if (q.id !== undefined) template.push({ type: CKA.ID, value: Buffer.from(q.id, 'hex') });
    if (q.cls !== undefined) template.push({ type: CKA.CLASS, value: q.cls });
    call(this.where, 'C_FindObjectsInit', () => lib.C_FindObjectsInit(session, template));
    const out: Handle[] = [];
    try {
      for (;;) {
        const batch = call(this.where, 'C_FindObjects', () => lib.C_FindObjects(session, 64));
        if (batch.length === 0) break;
        out.push(...batch);
      }
    } finally {
      call(this.where, 'C_FindObjectsFinal', () => lib.C_FindObjectsFinal(session));
    }
    return out;
  }

  private attributes(session: Handle, object: Handle, types: number[]): Map<number, Buffer> {
    const got = call(this.where, 'C_GetAttributeValue', () => this.token.lib.C_GetAttributeValue(session, object, types.map((type) => ({ type }))));
    return new Map(got.map((a) => [a.type, a.value]));
  }

  private async objects(): Promise<Array<{ id: string; cls: number; label: string }>> {
    return this.token.withSession((session) =>
      this.find(session, {}).map((h) => {
        // One attribute at a time: an object without CKA_ID (a data object) fails the call for all of them.
        const one = (type: number): Buffer | undefined => {
          try {
            return this.token.lib.C_GetAttributeValue(session, h, [{ type }])[0]?.value;
          } catch {
            return undefined;
          }
        };
        const cls = one(CKA.CLASS);
        return {
          id: one(CKA.ID)?.toString('hex') ?? '',
          // CK_ULONG in the host's byte order (little-endian on the platforms Node.js runs PKCS#11 on).
          cls: cls && cls.length > 0 ? Number(cls.readUIntLE(0, Math.min(cls.length, 6))) : -1,
          label: one(CKA.LABEL)?.toString('utf8') ?? '',
        };
      }),
    );
  }

  private destroyObjects(session: Handle, handles: Handle[]): void {
    for (const h of handles) call(this.where, 'C_DestroyObject', () => this.token.lib.C_DestroyObject(session, h));
  }
}

function reason(e: unknown): string {
  return e instanceof KeystoreError ? e.message : e instanceof Error ? (/CKR_\w+/.exec(e.message)?.[0] ?? e.message.split('\n')[0]!) : 'unknown error';
}
