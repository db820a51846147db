// FileKeystore: modes, atomic writes, locator validation, round trips after reopening, refusal of unsafe directories.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KeyObject } from 'node:crypto';
import type { Algorithm } from '../../src/policy/policy.js';
import { verify } from '../../src/dnssec/signature.js';
import { FileKeystore } from '../../src/keys/file-keystore.js';
import { SelfTestError } from '../../src/keys/generate.js';
import { isLocator, KeyNotFoundError, KeystoreError } from '../../src/keys/keystore.js';
import { writeFileAtomic } from '../../src/util/atomic-file.js';

let base: string;
let dir: string;

beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), 'enforcer-fks-'));
  dir = join(base, 'keys');
});

afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

const mode = async (p: string) => (await stat(p)).mode & 0o777;

describe('directory', () => {
  it('is created 0700 when absent', async () => {
    await FileKeystore.open('default', dir);
    expect(await mode(dir)).toBe(0o700);
  });

  it('is not created when create is false', async () => {
    await expect(FileKeystore.open('default', dir, { create: false })).rejects.toThrow(KeystoreError);
  });

  it.each([0o755, 0o750, 0o701, 0o707])('is refused with mode %o, naming the directory and its mode', async (m) => {
    await mkdir(dir, { mode: 0o700 });
    await chmod(dir, m);
    const err = await rejection(FileKeystore.open('default', dir));
    expect(err).toBeInstanceOf(KeystoreError);
    expect(err.message).toContain(dir);
    expect(err.message).toContain('0' + m.toString(8));
    expect(await mode(dir)).toBe(m); // refused, not silently repaired
  });

  it('is refused when it is a file', async () => {
    await writeFile(dir, 'not a directory', { mode: 0o600 });
    await expect(FileKeystore.open('default', dir)).rejects.toThrow(/not a directory/);
  });
});

describe('keys', () => {
  it.each([13, 14, 15, 16] as Algorithm[])('algorithm %i: 0600 file, listed, same public key after reopening, signs', async (alg) => {
    const bits = { 13: 256, 14: 384, 15: 256, 16: 456 }[alg as 13 | 14 | 15 | 16];
    const ks = await FileKeystore.open('default', dir);
    const key = await ks.generate(alg, bits);
    expect(isLocator(key.locator)).toBe(true);
    expect(key.bits).toBe(bits);
    expect(await mode(join(dir, `${key.locator}.pem`))).toBe(0o600);
    expect(await mode(dir)).toBe(0o700);
    expect(await ks.list()).toEqual([key.locator]);
    expect(await readdir(dir)).toEqual([`${key.locator}.pem`]); // no temp files left behind

    const again = await FileKeystore.open('default', dir);
    expect(await again.has(key.locator)).toBe(true);
    expect(await again.publicKey(key.locator)).toEqual(key.publicKey);
    const data = new TextEncoder().encode('reopened');
    expect(verify(alg, key.publicKey, data, await again.sign(key.locator, data))).toBe(true);
    expect((await again.exportPrivate(key.locator)).algorithm).toBe(alg);
  });

  it('stores the DNSSEC algorithm, so an RSASHA512 key signs with SHA-512 after reopening', async () => {
    const ks = await FileKeystore.open('default', dir);
    const key = await ks.generate(10, 1024);
    const text = await readFile(join(dir, `${key.locator}.pem`), 'utf8');
    expect(text.startsWith('DNSSEC-Algorithm: 10\n-----BEGIN PRIVATE KEY-----\n')).toBe(true);
    const data = Uint8Array.of(1, 2, 3);
    const sig = await (await FileKeystore.open('default', dir)).sign(key.locator, data);
    expect(verify(10, key.publicKey, data, sig)).toBe(true);
    expect(await (await FileKeystore.open('default', dir)).bits(key.locator)).toBe(1024);
  }, 30_000);

  it('keeps many keys apart and lists them all, ignoring other files', async () => {
    const ks = await FileKeystore.open('default', dir);
    const keys = await Promise.all([13, 13, 15, 15, 14].map((a) => ks.generate(a as Algorithm, a === 14 ? 384 : 256)));
    await writeFile(join(dir, 'README'), 'x', { mode: 0o600 });
    await writeFile(join(dir, '.0123456789abcdef0123456789abcdef.pem.abc.tmp'), 'x', { mode: 0o600 });
    expect(await ks.list()).toEqual(keys.map((k) => k.locator).sort());
  });

  it('destroys keys; destroying twice is harmless; using a destroyed key is KeyNotFound', async () => {
    const ks = await FileKeystore.open('default', dir);
    const key = await ks.generate(15, 256);
    await ks.destroy(key.locator);
    await ks.destroy(key.locator);
    expect(await ks.has(key.locator)).toBe(false);
    expect(await ks.list()).toEqual([]);
    await expect(ks.sign(key.locator, Uint8Array.of(1))).rejects.toThrow(KeyNotFoundError);
  });
});

describe('locators', () => {
  const bad = ['../x', '../../etc/passwd', 'ABCDEF0123456789ABCDEF0123456789', '0123456789abcdef0123456789abcde', '', '/tmp/x',
    '0123456789abcdef0123456789abcdef/../../x', '0123456789abcdef0123456789abcdef\n'];

  it.each(bad)('refuses %j everywhere a locator meets a path', async (locator) => {
    const ks = await FileKeystore.open('default', dir);
    await expect(ks.has(locator)).rejects.toThrow(KeystoreError);
    await expect(ks.publicKey(locator)).rejects.toThrow(KeystoreError);
    await expect(ks.sign(locator, Uint8Array.of(1))).rejects.toThrow(KeystoreError);
    await expect(ks.destroy(locator)).rejects.toThrow(KeystoreError);
    await expect(ks.exportPrivate(locator)).rejects.toThrow(KeystoreError);
  });
});

describe('unsafe or damaged key files', () => {
  it('refuses a key file readable by others', async () => {
    const ks = await FileKeystore.open('default', dir);
    const key = await ks.generate(13, 256);
    await chmod(join(dir, `${key.locator}.pem`), 0o644);
    await expect(ks.sign(key.locator, Uint8Array.of(1))).rejects.toThrow(/mode 0644/);
  });

  it('refuses to follow a symlink in place of a key file', async () => {
    const ks = await FileKeystore.open('default', dir);
    const key = await ks.generate(13, 256);
    const elsewhere = join(base, 'elsewhere.pem');
    await writeFile(elsewhere, await readFile(join(dir, `${key.locator}.pem`)), { mode: 0o600 });
    const other = '0123456789abcdef0123456789abcdef';
    await symlink(elsewhere, join(dir, `${other}.pem`));
    await expect(ks.publicKey(other)).rejects.toThrow(KeystoreError);
  });

  it('refuses a key whose stated algorithm does not match, without echoing the file', async () => {
    const ks = await FileKeystore.open('default', dir);
    const key = await ks.generate(13, 256);
    const path = join(dir, `${key.locator}.pem`);
    const text = await readFile(path, 'utf8');
    await writeFile(path, text.replace('DNSSEC-Algorithm: 13', 'DNSSEC-Algorithm: 14'), { mode: 0o600 });
    const err = await rejection(ks.publicKey(key.locator));
    expect(err).toBeInstanceOf(KeystoreError);
    expect(err.message).toMatch(/does not fit algorithm 14 \(ECDSAP384SHA384\)/);
    expect(err.message).not.toContain('BEGIN');
  });

  it('refuses a damaged PEM without echoing its contents', async () => {
    const ks = await FileKeystore.open('default', dir);
    const key = await ks.generate(15, 256);
    const path = join(dir, `${key.locator}.pem`);
    const text = await readFile(path, 'utf8');
    const body = text.split('\n')[2]!;
    await writeFile(path, text.replace(body, body.slice(0, 10) + '!!!!' + body.slice(14)), { mode: 0o600 });
    const err = await rejection(ks.sign(key.locator, Uint8Array.of(1)));
    expect(err).toBeInstanceOf(KeystoreError);
    expect(err.message).not.toContain(body.slice(0, 10));
  });
});

describe('self-test during generate', () => {
  class BrokenSignerKeystore extends FileKeystore {
    protected override signWithKey(_algorithm: Algorithm, _key: KeyObject, data: Uint8Array): Uint8Array {
      return new Uint8Array(64).fill(data[0] ?? 0);
    }
  }

  it('destroys a key that fails the self-test and throws', async () => {
    const ks = await BrokenSignerKeystore.open('default', dir);
    await expect(ks.generate(13, 256)).rejects.toThrow(SelfTestError);
    expect(await ks.list()).toEqual([]);
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('atomic writes', () => {
  it('leave no temp file behind when the final rename fails', async () => {
    await mkdir(dir, { mode: 0o700 });
    const target = join(dir, 'occupied');
    await mkdir(target);
    await expect(writeFileAtomic(target, 'data', 0o600)).rejects.toThrow();
    expect(await readdir(dir)).toEqual(['occupied']);
  });

  it('replace an existing file in one step with the requested mode', async () => {
    await mkdir(dir, { mode: 0o700 });
    const target = join(dir, 'file');
    await writeFile(target, 'old', { mode: 0o644 });
    await writeFileAtomic(target, 'new', 0o600);
    expect(await readFile(target, 'utf8')).toBe('new');
    expect(await mode(target)).toBe(0o600);
    expect(await readdir(dir)).toEqual(['file']);
  });
});

/** The error a promise rejects with; fails the test when it resolves. */
async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the promise to reject');
}
