// `check keystore` through the real CLI against real PostgreSQL and real key files: the standby sharing
// the active node's keystore, one without the keys, one whose key file under a locator is another key,
// and unused pool keys the standby lacks.

import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { checkEnv, perfdataOf, type CheckEnv } from './setup.js';

describe('check keystore', () => {
  let env: CheckEnv;
  let keysDir: string;
  beforeAll(async () => {
    env = await checkEnv();
    keysDir = path.join(env.dir, 'var', 'keys');
  });
  afterAll(async () => env?.close());

  /** A copy of the keystore (0700, files 0600), edited, and a node-b configuration using it. */
  const copyStore = (edit: (dir: string) => void = () => undefined): string => {
    const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'check-keys-')), 'keys');
    mkdirSync(dir, { mode: 0o700 });
    for (const f of readdirSync(keysDir)) {
      copyFileSync(path.join(keysDir, f), path.join(dir, f));
      chmodSync(path.join(dir, f), 0o600);
    }
    edit(dir);
    return env.config(`standby-${path.basename(path.dirname(dir))}.yaml`, (t) => t.replace('directory: var/keys', `directory: ${dir}`));
  };

  it('is OK when every key in use is present, the same key, and signs', async () => {
    const r = await env.check(env.standby, ['keystore']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const distinct = new Set(env.keys.map((k) => k.locator)).size;
    expect(r.line).toMatch(new RegExp(`^KEYSTORE OK - all ${distinct} keys in use present and signing \\| `));
    expect(perfdataOf(r.line)).toMatchObject({ keystore_keys: distinct, keystore_missing: 0, keystore_unusable: 0 });
  });

  it('is CRITICAL, one line per zone key, when this node lacks the keys', async () => {
    const empty = copyStore((dir) => {
      for (const f of readdirSync(dir)) writeFileSync(path.join(dir, f), '');
    });
    const none = env.config('standby-nokeys.yaml', (t) => t.replace('directory: var/keys', `directory: ${mkdtempSync(path.join(os.tmpdir(), 'check-nokeys-'))}`));
    const r = await env.check(none, ['keystore', '--max-lines', '100']);
    expect(r.code).toBe(2);
    const distinct = new Set(env.keys.map((k) => k.locator)).size;
    expect(r.line).toMatch(new RegExp(`^KEYSTORE CRITICAL - ${distinct} of ${distinct} keys in use not usable on node-b \\(${distinct} missing or different, 0 not signing\\)`));
    const k = env.keys[0]!;
    expect(r.stdout).toContain(`\nCRITICAL ${k.zone}: key ${k.keyTag} (${k.role}, locator ${k.locator}): not in keystore SoftHSM; this node could not sign with it after a takeover\n`);
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(1 + env.keys.length);
    // Empty files under the right names are no better.
    const e = await env.check(empty, ['keystore']);
    expect(e.code).toBe(2);
    expect(e.stdout).toMatch(/\.pem has no valid DNSSEC-Algorithm: line; this node could not sign with it after a takeover\n/);
  });

  it('is CRITICAL when a locator holds another key', async () => {
    const [a, b] = env.keys.filter((k) => k.role === 'ZSK');
    const swapped = copyStore((dir) => copyFileSync(path.join(keysDir, `${b!.locator}.pem`), path.join(dir, `${a!.locator}.pem`)));
    const r = await env.check(swapped, ['keystore']);
    expect(r.code).toBe(2);
    expect(r.stdout.split('\n')[1]).toBe(
      `CRITICAL ${a!.zone}: key ${a!.keyTag} (ZSK, locator ${a!.locator}): keystore SoftHSM holds a different key under this locator; this node could not sign with it after a takeover`,
    );
    expect(perfdataOf(r.line)).toMatchObject({ keystore_missing: 1 });
  });

  it('is WARNING when unused pool keys are missing: a roll after a takeover would allocate them', async () => {
    const before = copyStore();
    const gen = await runCli(['--config', env.active, 'key', 'generate', '--policy', 'lab', '--count', '1']);
    expect(gen.code, gen.stderr).toBe(0);
    const r = await env.check(before, ['keystore']);
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n')[1]).toMatch(/^WARNING pool key [0-9a-f]{32} \(policy lab, CSK\): not in keystore SoftHSM; a roll after a takeover would allocate it$/);
    expect(perfdataOf(r.line)).toMatchObject({ keystore_pool: 1, keystore_pool_missing: 1 });
    expect((await env.check(env.standby, ['keystore'])).code).toBe(0);
  });

  it('is WARNING naming a stale key temp file (it may hold a private key) and its age, never its content', async () => {
    const locator = env.keys[0]!.locator;
    const stale = path.join(keysDir, `.${locator}.pem.0123456789ab.tmp`);
    const secret = 'PRETEND-PRIVATE-KEY-MATERIAL';
    writeFileSync(stale, `DNSSEC-Algorithm: 13\n-----BEGIN PRIVATE KEY-----\n${secret}\n`, { mode: 0o600 });
    const old = new Date(Date.now() - 26 * 3600 * 1000);
    utimesSync(stale, old, old);
    try {
      const r = await env.check(env.standby, ['keystore']);
      expect(r.code, r.stdout).toBe(1);
      expect(r.line).toMatch(/^KEYSTORE WARNING - all \d+ keys in use present and signing(, [^;|]*)?; 1 stale temp file \| /);
      expect(perfdataOf(r.line)).toMatchObject({ keystore_stale_temp_files: 1, keystore_missing: 0 });
      expect(r.stdout.split('\n')[1]).toMatch(
        new RegExp(`^WARNING stale temp file \\.${locator}\\.pem\\.0123456789ab\\.tmp in the keystore SoftHSM directory ${keysDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(1d2h old, \\d+ bytes\\): left by an interrupted write;`),
      );
      expect(r.stdout + r.stderr).not.toContain(secret);
      expect(existsSync(stale)).toBe(true);
    } finally {
      rmSync(stale, { force: true });
    }
    expect((await env.check(env.standby, ['keystore'])).code).toBe(0);
  });
});
