// The main job end to end, as `npm start` runs it: real process, real files, embedded database
// (and the same against the real PostgreSQL server).

import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, exampleSetup } from '../helpers/cli.js';
import { createPostgresDatabase } from '../helpers/databases.js';
import { readStamp } from '../../src/signconf/metadata.js';

function signconfs(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(path.join(dir, 'signconf')).sort()) out[f] = readFileSync(path.join(dir, 'signconf', f), 'utf8');
  return out;
}

function locators(xml: string): string[] {
  return [...xml.matchAll(/<Locator>([0-9a-f]+)<\/Locator>/g)].map((m) => m[1]!);
}

describe.each(['embedded', 'postgres'] as const)('enforcer run on the example (%s database)', (kind) => {
  const drops: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const d of drops) await d();
  });

  it('writes one valid signconf per zone, then reuses the same database and keys', async () => {
    let database: { url: string } | undefined;
    if (kind === 'postgres') {
      const pg = await createPostgresDatabase();
      drops.push(pg.drop);
      database = { url: pg.url };
    }
    const { dir, config } = exampleSetup(database);
    const first = await runCli(['--config', config, '--json', 'run']);
    expect(first.stderr).not.toMatch(/"level":(50|60)/);
    expect(first.code).toBe(0);
    const s1 = JSON.parse(first.stdout);
    expect(s1).toMatchObject({ role: 'active', epoch: 1, outcome: 'ok', zonesExamined: 3, signconfWritten: 3, keysGenerated: 5, errors: [] });

    const files = signconfs(dir);
    expect(Object.keys(files)).toEqual(['example.com.xml', 'example.net.xml', 'example.org.xml']);
    for (const [name, xml] of Object.entries(files)) {
      expect(XMLValidator.validate(xml)).toBe(true);
      const doc = new XMLParser({ ignoreAttributes: false }).parse(xml);
      expect(doc.SignerConfiguration.Zone['@_name']).toBe(name.replace(/\.xml$/, ''));
      const stamp = readStamp(xml);
      expect(stamp.stamp).toMatchObject({ epoch: 1, node: 'test-node' });
      expect(stamp.actualHash).toBe(stamp.stamp!.hash);
    }
    // KSK+ZSK for the default policy, a CSK for the lab policy; every key published.
    expect(locators(files['example.com.xml']!)).toHaveLength(2);
    expect(locators(files['example.org.xml']!)).toHaveLength(1);
    expect(files['example.com.xml']).toMatch(/<Flags>257<\/Flags>[\s\S]*<KSK\/>\s*<Publish\/>/);
    expect(files['example.com.xml']).toMatch(/<Flags>256<\/Flags>[\s\S]*<ZSK\/>\s*<Publish\/>/);

    // Key files: 0600 in a 0700 directory, one per generated key.
    const keyDir = path.join(dir, 'var', 'keys');
    expect(statSync(keyDir).mode & 0o777).toBe(0o700);
    const keyFiles = readdirSync(keyDir);
    expect(keyFiles).toHaveLength(5);
    for (const f of keyFiles) expect(statSync(path.join(keyDir, f)).mode & 0o777).toBe(0o600);

    const second = await runCli(['--config', config, '--json', 'run']);
    expect(second.code).toBe(0);
    const s2 = JSON.parse(second.stdout);
    expect(s2).toMatchObject({ role: 'active', epoch: 2, outcome: 'ok', keysGenerated: 0, signconfWritten: 0 });
    expect(signconfs(dir)).toEqual(files);
    expect(readdirSync(keyDir).sort()).toEqual(keyFiles.sort());

    // A forced rewrite keeps the keys and re-stamps the files under the new epoch.
    const forced = await runCli(['--config', config, '--json', 'run', '--force', '--zone', 'example.com']);
    expect(JSON.parse(forced.stdout)).toMatchObject({ epoch: 3, signconfWritten: 1, keysGenerated: 0 });
    const after = signconfs(dir);
    expect(locators(after['example.com.xml']!)).toEqual(locators(files['example.com.xml']!));
    expect(readStamp(after['example.com.xml']!).stamp?.epoch).toBe(3);

    // --force without --zone: every zone, due or not, rewritten (as `enforcer signconf`), keys unchanged.
    const all = await runCli(['--config', config, '--json', 'run', '--force']);
    expect(all.code, all.stderr).toBe(0);
    expect(JSON.parse(all.stdout)).toMatchObject({ epoch: 4, zonesExamined: 3, signconfWritten: 3, keysGenerated: 0 });
    const rewritten = signconfs(dir);
    for (const [name, xml] of Object.entries(rewritten)) {
      expect(readStamp(xml).stamp?.epoch, name).toBe(4);
      expect(locators(xml), name).toEqual(locators(files[name]!));
    }
    const viaSignconf = await runCli(['--config', config, '--json', 'signconf']);
    expect(viaSignconf.code, viaSignconf.stderr).toBe(0);
    expect(JSON.parse(viaSignconf.stdout)).toMatchObject({ epoch: 5, zonesExamined: 3, signconfWritten: 3, keysGenerated: 0 });
  }, 240_000); // five runs and migrations on the embedded database: slow where WebAssembly is
});
