// BIND-format key files: names, layout, RSA components, timestamps, and file modes.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPrivateKey } from 'node:crypto';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeDnskeyRdata, publicKeyFieldFromKeyObject } from '../../src/dnssec/dnskey.js';
import { keyTag } from '../../src/dnssec/key-tag.js';
import { generateKeyPair } from '../../src/keys/generate.js';
import { bindKeyFiles, bindKeyFilesFromKeystore, bindTimestamp, writeBindKeyFiles } from '../../src/keys/bind-export.js';
import { FileKeystore } from '../../src/keys/file-keystore.js';
import type { Keystore } from '../../src/keys/keystore.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'enforcer-bind-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function fields(content: string): Map<string, string> {
  return new Map(content.trim().split('\n').map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]));
}

describe('bindKeyFiles', () => {
  it('names and lays out an ECDSA KSK the way dnssec-keygen does', async () => {
    const pair = await generateKeyPair(13, 256);
    const when = new Date(Date.UTC(2024, 0, 1, 0, 0, 0));
    const files = bindKeyFiles({ zone: 'Example.COM', flags: 257, algorithm: 13, privateKey: pair.privateKey, ttl: 3600, created: when, publish: when, activate: when });
    const tag = keyTag(encodeDnskeyRdata({ flags: 257, protocol: 3, algorithm: 13, publicKey: pair.publicKey }));
    expect(files.keyTag).toBe(tag);
    expect(files.basename).toBe(`Kexample.com.+013+${String(tag).padStart(5, '0')}`);
    expect(files.key.name).toBe(`${files.basename}.key`);
    expect(files.private.name).toBe(`${files.basename}.private`);
    expect(files.key.content.split('\n')).toEqual([
      `; This is a key-signing key, keyid ${tag}, for example.com.`,
      '; Created: 20240101000000 (Mon Jan  1 00:00:00 2024)',
      '; Publish: 20240101000000 (Mon Jan  1 00:00:00 2024)',
      '; Activate: 20240101000000 (Mon Jan  1 00:00:00 2024)',
      `example.com. 3600 IN DNSKEY 257 3 13 ${Buffer.from(pair.publicKey).toString('base64')}`,
      '',
    ]);
    const priv = fields(files.private.content);
    expect([...priv.keys()]).toEqual(['Private-key-format', 'Algorithm', 'PrivateKey', 'Created', 'Publish', 'Activate']);
    expect(priv.get('Private-key-format')).toBe('v1.3');
    expect(priv.get('Algorithm')).toBe('13 (ECDSAP256SHA256)');
    expect(Buffer.from(priv.get('PrivateKey')!, 'base64').length).toBe(32);
    expect(priv.get('Created')).toBe('20240101000000');
  });

  it('writes a ZSK without timestamps or TTL', async () => {
    const pair = await generateKeyPair(16, 456);
    const files = bindKeyFiles({ zone: 'example.net', flags: 256, algorithm: 16, privateKey: pair.privateKey });
    expect(files.key.content).toMatch(/^; This is a zone-signing key, keyid \d+, for example\.net\.\nexample\.net\. IN DNSKEY 256 3 16 \S+\n$/);
    expect(files.private.content).toMatch(/^Private-key-format: v1\.3\nAlgorithm: 16 \(ED448\)\nPrivateKey: \S+\n$/);
    expect(Buffer.from(fields(files.private.content).get('PrivateKey')!, 'base64').length).toBe(57);
  });

  it('writes every RSA component, and they rebuild the same key', async () => {
    const pair = await generateKeyPair(8, 1024);
    const files = bindKeyFiles({ zone: 'example.org', flags: 257, algorithm: 8, privateKey: pair.privateKey });
    const f = fields(files.private.content);
    expect([...f.keys()]).toEqual(['Private-key-format', 'Algorithm', 'Modulus', 'PublicExponent', 'PrivateExponent',
      'Prime1', 'Prime2', 'Exponent1', 'Exponent2', 'Coefficient']);
    expect(f.get('PublicExponent')).toBe('AQAB');
    const u = (k: string) => Buffer.from(f.get(k)!, 'base64').toString('base64url');
    const rebuilt = createPrivateKey({ format: 'jwk', key: {
      kty: 'RSA', n: u('Modulus'), e: u('PublicExponent'), d: u('PrivateExponent'), p: u('Prime1'), q: u('Prime2'),
      dp: u('Exponent1'), dq: u('Exponent2'), qi: u('Coefficient'),
    } });
    expect(publicKeyFieldFromKeyObject(8, rebuilt)).toEqual(pair.publicKey);
  });

  it('formats timestamps in UTC', () => {
    expect(bindTimestamp(new Date(Date.UTC(2031, 11, 31, 23, 59, 58)))).toBe('20311231235958');
  });
});

describe('writeBindKeyFiles and keystore export', () => {
  it('writes .private 0600 and .key 0644, from a key in the file keystore', async () => {
    const ks = await FileKeystore.open('default', join(dir, 'ks'));
    const key = await ks.generate(15, 256);
    const files = await bindKeyFilesFromKeystore(ks, key.locator, { zone: 'example.com', flags: 257 });
    const out = join(dir, 'out');
    await FileKeystore.open('scratch', out); // a 0700 directory
    const { keyPath, privatePath } = await writeBindKeyFiles(out, files);
    expect((await stat(privatePath)).mode & 0o777).toBe(0o600);
    expect((await stat(keyPath)).mode & 0o777).toBe(0o644);
    expect((await readdir(out)).sort()).toEqual([files.key.name, files.private.name].sort());
  });

  it('refuses keystores without private export', async () => {
    const hsm = { name: 'hsm' } as unknown as Keystore; // only the optional method's absence matters here
    await expect(bindKeyFilesFromKeystore(hsm, '0'.repeat(32), { zone: 'x', flags: 257 })).rejects.toThrow(/cannot export/);
  });
});
