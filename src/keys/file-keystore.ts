// A keystore over one directory: each private key is `<dir>/<locator>.pem`, PKCS#8 PEM preceded by a
// `DNSSEC-Algorithm: N` line (RFC 7468 §2 permits text before the boundary). The algorithm has to be
// stored because an RSA key alone does not say whether it signs RSASHA256 or RSASHA512.
// Contract: the directory is 0700 and each key file 0600; a directory open to group or others is refused,
// not repaired, so the operator learns about it. Writes are atomic (O_EXCL temp file, fsync, rename,
// fsync directory). Errors name files and locators, never key material.

import { constants, type Stats } from 'node:fs';
import { chmod, mkdir, open, readdir, stat, unlink } from 'node:fs/promises';
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { join, resolve } from 'node:path';
import type { Algorithm } from '../policy/policy.js';
import { algorithmInfo, isSupportedAlgorithm } from '../dnssec/algorithms.js';
import { publicKeyFieldFromKeyObject } from '../dnssec/dnskey.js';
import { sign as dnssecSign } from '../dnssec/signature.js';
import { fsyncDirectory, writeFileAtomic } from '../util/atomic-file.js';
import { generateKeyPair, keyBits, selfTest } from './generate.js';
import {
  assertLocator, KeyNotFoundError, KeystoreError, newLocator,
  type ExportedPrivateKey, type GeneratedKey, type Keystore,
} from './keystore.js';

const KEY_FILE = /^([0-9a-f]{32})\.pem$/;
const HEADER = 'DNSSEC-Algorithm:';

export interface FileKeystoreOptions {
  /** Create the directory (mode 0700) when it does not exist; default true. */
  create?: boolean;
}

export class FileKeystore implements Keystore {
  protected constructor(readonly name: string, readonly directory: string) {}

  static async open(name: string, directory: string, options: FileKeystoreOptions = {}): Promise<FileKeystore> {
    const dir = resolve(directory);
    await prepareDirectory(dir, options.create ?? true);
    return new this(name, dir);
  }

  async generate(algorithm: Algorithm, bits: number): Promise<GeneratedKey> {
    const pair = await generateKeyPair(algorithm, bits);
    let locator = newLocator();
    while (await this.has(locator)) locator = newLocator();
    await this.writeKey(locator, algorithm, pair.privateKey);
    try {
      // Test what was stored, not what is in memory: the key that signs later is the one read from disk.
      const stored = await this.load(locator);
      const reread = publicKeyFieldFromKeyObject(stored.algorithm, stored.privateKey);
      if (stored.algorithm !== algorithm || !Buffer.from(reread).equals(Buffer.from(pair.publicKey))) {
        throw new KeystoreError(`key ${locator} read back from ${this.directory} differs from the generated key`);
      }
      await selfTest(algorithm, pair.publicKey, (data) => this.signWithKey(algorithm, stored.privateKey, data));
    } catch (err) {
      await this.destroy(locator).catch(() => undefined);
      throw err;
    }
    return { locator, algorithm, bits: pair.bits, publicKey: pair.publicKey };
  }

  async publicKey(locator: string): Promise<Uint8Array> {
    const { algorithm, privateKey } = await this.load(locator);
    return publicKeyFieldFromKeyObject(algorithm, privateKey);
  }

  async sign(locator: string, data: Uint8Array): Promise<Uint8Array> {
    const { algorithm, privateKey } = await this.load(locator);
    return this.signWithKey(algorithm, privateKey, data);
  }

  async has(locator: string): Promise<boolean> {
    assertLocator(locator);
    try {
      return (await stat(this.keyPath(locator))).isFile();
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return false;
      throw err;
    }
  }

  async list(): Promise<string[]> {
    const names = await readdir(this.directory);
    return names.flatMap((n) => KEY_FILE.exec(n)?.[1] ?? []).sort();
  }

  async destroy(locator: string): Promise<void> {
    assertLocator(locator);
    try {
      await unlink(this.keyPath(locator));
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return;
      throw err;
    }
    await fsyncDirectory(this.directory);
  }

  async exportPrivate(locator: string): Promise<ExportedPrivateKey> {
    return this.load(locator);
  }

  /** Size of a stored key, as generate() reported it. */
  async bits(locator: string): Promise<number> {
    const { algorithm, privateKey } = await this.load(locator);
    return keyBits(algorithm, publicKeyFieldFromKeyObject(algorithm, privateKey));
  }

  /** The one place signatures are made; a seam for tests that need a broken signer. */
  protected signWithKey(algorithm: Algorithm, privateKey: KeyObject, data: Uint8Array): Uint8Array | Promise<Uint8Array> {
    return dnssecSign(algorithm, privateKey, data);
  }

  private keyPath(locator: string): string {
    assertLocator(locator);
    return join(this.directory, `${locator}.pem`);
  }

  private async writeKey(locator: string, algorithm: Algorithm, privateKey: KeyObject): Promise<void> {
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
    try {
      await writeFileAtomic(this.keyPath(locator), `${HEADER} ${algorithm}\n${pem}`, 0o600);
    } catch (err) {
      throw new KeystoreError(`could not store key ${locator} in ${this.directory}: ${describe(err)}`);
    }
  }

  private async load(locator: string): Promise<ExportedPrivateKey> {
    const path = this.keyPath(locator);
    let text: string;
    try {
      // O_NOFOLLOW: a symlink planted in the directory must not redirect us to another file.
      const fh = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
      try {
        const st = await fh.stat();
        if (!st.isFile()) throw new KeystoreError(`key file ${path} is not a regular file`);
        if ((st.mode & 0o077) !== 0) {
          throw new KeystoreError(`key file ${path} has mode ${modeString(st)}; it must be 0600`);
        }
        text = await fh.readFile('utf8');
      } finally {
        await fh.close();
      }
    } catch (err) {
      if (isErrno(err, 'ENOENT')) throw new KeyNotFoundError(this.name, locator);
      if (err instanceof KeystoreError) throw err;
      throw new KeystoreError(`could not read key file ${path}: ${describe(err)}`);
    }
    return parseKeyFile(text, path);
  }
}

function parseKeyFile(text: string, path: string): ExportedPrivateKey {
  const begin = text.indexOf('-----BEGIN');
  const header = begin >= 0 ? text.slice(0, begin) : '';
  const match = new RegExp(`^${HEADER}\\s*(\\d+)\\s*$`, 'm').exec(header);
  const algorithm = match ? Number(match[1]) : NaN;
  if (!isSupportedAlgorithm(algorithm)) throw new KeystoreError(`key file ${path} has no valid ${HEADER} line`);
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: text.slice(begin), format: 'pem' });
  } catch {
    throw new KeystoreError(`key file ${path} does not contain a readable PKCS#8 private key`);
  }
  try {
    publicKeyFieldFromKeyObject(algorithm, privateKey); // checks the key type matches the stated algorithm
  } catch {
    throw new KeystoreError(`key file ${path} holds a key that does not fit algorithm ${algorithm} (${algorithmInfo(algorithm).mnemonic})`);
  }
  return { algorithm, privateKey };
}

async function prepareDirectory(dir: string, create: boolean): Promise<void> {
  let st: Stats;
  try {
    st = await stat(dir);
  } catch (err) {
    if (!isErrno(err, 'ENOENT') || !create) throw new KeystoreError(`keystore directory ${dir} is not accessible: ${describe(err)}`);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await chmod(dir, 0o700);
    st = await stat(dir);
  }
  if (!st.isDirectory()) throw new KeystoreError(`keystore path ${dir} is not a directory`);
  if ((st.mode & 0o077) !== 0) {
    throw new KeystoreError(
      `keystore directory ${dir} has mode ${modeString(st)}; private keys need a directory only its owner can use ` +
        `(fix with: chmod 700 ${dir})`,
    );
  }
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid) {
    throw new KeystoreError(`keystore directory ${dir} is owned by uid ${st.uid}, not by this process (uid ${uid})`);
  }
}

function modeString(st: Stats): string {
  return '0' + (st.mode & 0o777).toString(8).padStart(3, '0');
}

function isErrno(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as NodeJS.ErrnoException).code === code;
}

function describe(err: unknown): string {
  if (typeof err === 'object' && err !== null && 'code' in err) return String((err as NodeJS.ErrnoException).code);
  return err instanceof Error ? err.name : 'unknown error';
}
