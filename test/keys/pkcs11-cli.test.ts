// The PKCS#11 keystore through the real CLI on the real PostgreSQL server and a SoftHSM token: `run`
// generates the example's keys in the token; `key list --orphans` reports token objects the database
// does not know; and a wrong PIN, a missing module or a token without the mechanism stops the command
// with an error naming the keystore, leaving the database (every table) and the token unchanged.

import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Pkcs11Keystore } from '../../src/keys/pkcs11-keystore.js';
import { CKO } from '../../src/keys/pkcs11-constants.js';
import type { TokenSettings } from '../../src/keys/pkcs11-token.js';
import { EXIT } from '../../src/util/exit-codes.js';
import { exampleSetup, runCli } from '../helpers/cli.js';
import { createPostgresDatabase } from '../helpers/databases.js';
import { snapshotDatabase, snapshotDirectory } from '../helpers/db-snapshot.js';
import { createSoftHsm, pkcs11Unavailable, rawSession, type SoftHsm } from '../helpers/softhsm.js';

const unavailable = pkcs11Unavailable();
const PIN = '527164';

describe('PKCS#11 keystore through the CLI', () => {
  let hsm: SoftHsm;
  let url: string;
  let drop: (() => Promise<void>) | undefined;
  let dir: string;
  let config: string;
  let settings: TokenSettings;

  /** A variant of the configuration with the keystore entry's lines replaced. */
  function variant(name: string, keystore: string[]): string {
    const file = path.join(dir, name);
    writeFileSync(file, readFileSync(config, 'utf8').replace(/keystores:\n(?: {2,}.*\n)+/, ['keystores:', ...keystore, ''].join('\n')));
    return file;
  }
  const pkcs11Entry = (overrides: { module?: string; pinFile?: string } = {}) => [
    '  SoftHSM:',
    '    type: pkcs11',
    `    module: ${overrides.module ?? hsm.module}`,
    '    tokenLabel: OpenDNSSEC',
    `    pinFile: ${overrides.pinFile ?? 'hsm.pin'}`,
  ];
  const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, { ...hsm.env, ...env });

  /** Every object on the token, as the keystore sees them (a fresh session each time). */
  async function tokenContents(): Promise<{ keys: string[]; strays: unknown[] }> {
    const ks = await Pkcs11Keystore.open(settings);
    try {
      return { keys: await ks.list(), strays: await ks.strays() };
    } finally {
      await ks.close();
    }
  }

  beforeAll(async () => {
    if (unavailable) return;
    hsm = createSoftHsm();
    process.env.SOFTHSM2_CONF = hsm.conf;
    hsm.addToken('OpenDNSSEC', PIN);
    const pg = await createPostgresDatabase();
    ({ url, drop } = pg);
    ({ dir, config } = exampleSetup({ url }));
    writeFileSync(path.join(dir, 'hsm.pin'), `${PIN}\n`, { mode: 0o600 });
    writeFileSync(config, readFileSync(variant('pkcs11.yaml', pkcs11Entry()), 'utf8'));
    settings = { keystore: 'SoftHSM', module: hsm.module, tokenLabel: 'OpenDNSSEC', pin: { file: path.join(dir, 'hsm.pin') } };
    const r = await cli(['--config', config, 'run']);
    expect(r.code, r.stderr).toBe(0);
  });
  afterAll(async () => {
    await drop?.();
  });
  beforeEach((ctx) => {
    if (unavailable) ctx.skip(unavailable);
  });

  it('generated every key of the example in the token, and the signconf names them', async () => {
    const keys = JSON.parse((await cli(['--config', config, '--json', 'key', 'list'])).stdout) as Array<{ locator: string; algorithm: number }>;
    expect(keys.map((k) => k.algorithm).sort()).toEqual([13, 13, 13, 13, 15]);
    const token = await tokenContents();
    expect(token.strays).toEqual([]);
    for (const k of keys) expect(token.keys).toContain(k.locator);
    const signconf = readFileSync(path.join(dir, 'signconf', 'example.org.xml'), 'utf8');
    expect(signconf).toContain(`<Locator>${keys.find((k) => k.algorithm === 15)!.locator}</Locator>`);
    const orphans = await cli(['--config', config, '--json', 'key', 'list', '--orphans']);
    expect(JSON.parse(orphans.stdout)).toEqual([]);
  });

  it('key list --orphans reports a token key the database does not know, and half a key pair', async () => {
    const ks = await Pkcs11Keystore.open(settings);
    const [whole, half] = [await ks.generate(13, 256), await ks.generate(15, 256)];
    await ks.close();
    // Leave only the public half of the second key, as an interrupted deletion could.
    const raw = rawSession(hsm, 'OpenDNSSEC', PIN);
    try {
      raw.lib.C_DestroyObject(raw.session, raw.find(half.locator, CKO.PRIVATE_KEY)[0]!);
    } finally {
      raw.close();
    }

    const r = await cli(['--config', config, '--json', 'key', 'list', '--orphans']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([
      { repository: 'SoftHSM', locator: whole.locator, problem: 'in keystore, unknown to the database (never used)' },
      { repository: 'SoftHSM', locator: half.locator, problem: expect.stringMatching(/^in keystore, unknown to the database: public key labelled "[0-9a-f]{32} ED25519" without its private key$/) },
    ]);
    const text = await cli(['--config', config, 'key', 'list', '--orphans']);
    expect(text.stdout).toMatch(new RegExp(`SoftHSM\\s+${whole.locator}\\s+in keystore, unknown to the database`));
    const ks2 = await Pkcs11Keystore.open(settings);
    await ks2.destroy(whole.locator);
    await ks2.destroy(half.locator);
    await ks2.close();
    expect(JSON.parse((await cli(['--config', config, '--json', 'key', 'list', '--orphans'])).stdout)).toEqual([]);
  });

  const failures: Array<[string, () => { config: string; env?: Record<string, string> }, RegExp]> = [
    [
      'a wrong PIN',
      () => {
        writeFileSync(path.join(dir, 'wrong.pin'), '111111\n', { mode: 0o600 });
        return { config: variant('wrong-pin.yaml', pkcs11Entry({ pinFile: 'wrong.pin' })) };
      },
      /^enforcer: keystore SoftHSM \(PKCS#11 token "OpenDNSSEC" in .*\): the token refused the PIN from the file .*wrong\.pin \(CKR_PIN_INCORRECT\)/m,
    ],
    [
      'a missing module',
      () => ({ config: variant('no-module.yaml', pkcs11Entry({ module: '/nonexistent/libsofthsm2.so' })) }),
      /^enforcer: keystore SoftHSM \(PKCS#11 token "OpenDNSSEC" in \/nonexistent\/libsofthsm2\.so\): the PKCS#11 module \/nonexistent\/libsofthsm2\.so does not exist/m,
    ],
    [
      'a token without CKM_EC_KEY_PAIR_GEN',
      () => ({ config, env: { SOFTHSM2_CONF: hsm.confWithout(['CKM_EC_KEY_PAIR_GEN']) } }),
      /^enforcer: keystore SoftHSM \(PKCS#11 token "OpenDNSSEC" in .*\): the token cannot generate ECDSAP256SHA256 \(algorithm 13\) keys: it lacks the mechanism CKM_EC_KEY_PAIR_GEN/m,
    ],
    [
      'a token without CKM_ECDSA',
      () => ({ config, env: { SOFTHSM2_CONF: hsm.confWithout(['CKM_ECDSA']) } }),
      /: the token cannot sign with ECDSAP256SHA256 \(algorithm 13\) keys: it lacks the mechanism CKM_ECDSA$/m,
    ],
  ];
  it.each(failures)('key generate with %s: exit 3 naming the keystore; database and token unchanged', async (_what, setup, message) => {
    const { config: cfg, env } = setup();
    const dbBefore = await snapshotDatabase(url);
    const tokenBefore = await tokenContents();
    const r = await cli(['--config', cfg, 'key', 'generate', '--policy', 'default', '--count', '8'], env);
    expect(r.code, r.stderr).toBe(EXIT.BAD_INPUT);
    expect(r.stderr).toMatch(message);
    expect(r.stdout + r.stderr).not.toContain(PIN);
    expect(await snapshotDatabase(url)).toEqual(dbBefore);
    expect(await tokenContents()).toEqual(tokenBefore);
  });

  it('run with a wrong PIN when a new zone needs keys: the zone fails naming the keystore; no key state changes', async () => {
    writeFileSync(path.join(dir, 'wrong.pin'), '111111\n', { mode: 0o600 });
    const cfg = variant('wrong-pin-run.yaml', pkcs11Entry({ pinFile: 'wrong.pin' }));
    const zl = path.join(dir, 'zonelist.xml');
    writeFileSync(zl, readFileSync(zl, 'utf8').replace('</ZoneList>', '<Zone name="example.edu"><Policy>default</Policy></Zone></ZoneList>'));
    const before = await snapshotDatabase(url);
    const signconfBefore = snapshotDirectory(path.join(dir, 'signconf'));
    const tokenBefore = await tokenContents();
    const r = await cli(['--config', cfg, 'run']);
    expect(r.code, r.stdout + r.stderr).toBe(EXIT.PARTIAL);
    expect(r.stdout).toMatch(/error: \*: key generation for default\/KSK\/13\/256\/SoftHSM failed: keystore SoftHSM \(PKCS#11 token "OpenDNSSEC" in .*\): the token refused the PIN/);
    expect(r.stdout + r.stderr).not.toContain('111111');
    const after = await snapshotDatabase(url);
    for (const table of ['hsm_key', 'zone_key', 'signconf_record']) expect(after[table], table).toEqual(before[table]);
    expect(snapshotDirectory(path.join(dir, 'signconf'))).toEqual(signconfBefore);
    expect(await tokenContents()).toEqual(tokenBefore);
    // With the right PIN the next run makes the new zone's keys.
    const ok = await cli(['--config', config, 'run']);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect((await tokenContents()).keys.length).toBe(tokenBefore.keys.length + 2);
  });
});
