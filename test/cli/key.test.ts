// Key commands through the real CLI on the real PostgreSQL server: listing, DS/DNSKEY export (one
// zone, several, all), pool generation, and orphans (a key a crash left in the keystore is
// reported, never used).

import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dnskeyFor, encodeDnskeyRdata } from '../../src/dnssec/dnskey.js';
import { makeDs } from '../../src/dnssec/ds.js';
import { FileKeystore } from '../../src/keys/file-keystore.js';
import { exampleSetup, runCli } from '../helpers/cli.js';
import { createPostgresDatabase } from '../helpers/databases.js';

describe('key commands', () => {
  let drop: () => Promise<void>;
  let dir: string;
  let config: string;
  const cli = async (...args: string[]) => {
    const r = await runCli(['--config', config, '--json', ...args]);
    if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}`);
    return JSON.parse(r.stdout);
  };

  beforeAll(async () => {
    const pg = await createPostgresDatabase();
    drop = pg.drop;
    ({ dir, config } = exampleSetup({ url: pg.url }));
    await cli('run');
  });
  afterAll(async () => drop());

  it('lists every key of every zone with its role, tag and record states', async () => {
    const keys = await cli('key', 'list');
    expect(keys.map((k: { zone: string; role: string }) => `${k.zone}/${k.role}`)).toEqual([
      'example.com/KSK', 'example.com/ZSK', 'example.net/KSK', 'example.net/ZSK', 'example.org/CSK',
    ]);
    const csk = keys.find((k: { role: string }) => k.role === 'CSK');
    expect(csk).toMatchObject({ algorithm: 15, state: 'publish', dsAtParent: 'unsubmitted', records: { ds: 'hidden', dnskey: 'rumoured', rrsigdnskey: 'rumoured', rrsig: 'rumoured' } });
    // Two keys of one zone never share a tag.
    const com = keys.filter((k: { zone: string }) => k.zone === 'example.com');
    expect(new Set(com.map((k: { keyTag: number }) => k.keyTag)).size).toBe(2);
  });

  it('exports DNSKEY and DS records that match the stored keys', async () => {
    const list = await cli('key', 'list', '--zone', 'example.com');
    const ksk = list.find((k: { role: string }) => k.role === 'KSK');
    const dnskeys: string[] = await cli('key', 'export', '--zone', 'example.com');
    expect(dnskeys).toHaveLength(2);
    expect(dnskeys[0]).toMatch(new RegExp(`^example\\.com\\. 3600 IN DNSKEY 257 3 13 \\S+ ; KSK; alg = ECDSAP256SHA256 ; key id = ${ksk.keyTag}$`));
    const b64 = dnskeys[0]!.split(' ')[7]!;
    const ds: string[] = await cli('key', 'export', '--zone', 'example.com', '--ds');
    const expected = makeDs('example.com', encodeDnskeyRdata(dnskeyFor(257, 13, Buffer.from(b64, 'base64'))), 2);
    expect(ds).toEqual([`example.com. 3600 IN DS ${ksk.keyTag} 13 2 ${Buffer.from(expected.digest).toString('hex').toUpperCase()}`]);
    const ds384: string[] = await cli('key', 'export', '--zone', 'example.com', '--ds', '--digest', 'sha384');
    expect(ds384[0]).toMatch(/ IN DS \d+ 13 4 [0-9A-F]{96}$/);
  });

  it('exports several zones, or every zone, in one call: the single-zone records in zone order', async () => {
    const zones = ['example.com', 'example.net', 'example.org'];
    const raw = (...args: string[]) => runCli(['--config', config, ...args]);
    const one = async (zone: string, ...extra: string[]) => (await raw('key', 'export', '--zone', zone, ...extra)).stdout;

    // Text: the same lines one call per zone prints, one after the other; each names its zone.
    const all = await raw('key', 'export', '--all');
    expect(all.code, all.stderr).toBe(0);
    const each = await Promise.all(zones.map((z) => one(z)));
    expect(all.stdout).toBe(each.join(''));
    expect(all.stdout.trimEnd().split('\n').map((l) => l.split(' ')[0])).toEqual(['example.com.', 'example.com.', 'example.net.', 'example.net.', 'example.org.']);
    const ds = await raw('key', 'export', '--zone', 'example.net', '--zone', 'Example.COM.', '--ds');
    expect(ds.code, ds.stderr).toBe(0);
    expect(ds.stdout).toBe((await one('example.net', '--ds')) + (await one('example.com', '--ds')));
    // The variadic form too: --zone A B.
    expect((await raw('key', 'export', '--ds', '--zone', 'example.net', 'example.com')).stdout).toBe(ds.stdout);

    // JSON: one object per zone; a single --zone keeps its array of records.
    const json = await cli('key', 'export', '--all');
    expect(json).toEqual(await Promise.all(zones.map(async (zone) => ({ zone, records: await cli('key', 'export', '--zone', zone) }))));
    expect(await cli('key', 'export', '--zone', 'example.org', '--zone', 'example.com', '--ds')).toEqual([
      { zone: 'example.org', records: await cli('key', 'export', '--zone', 'example.org', '--ds') },
      { zone: 'example.com', records: await cli('key', 'export', '--zone', 'example.com', '--ds') },
    ]);

    // BIND files for every zone's keys in one directory.
    const out = path.join(dir, 'bind-all');
    const bind = await cli('key', 'export', '--all', '--format', 'bind', '--out', out);
    expect(bind.map((z: { zone: string }) => z.zone)).toEqual(zones);
    expect(bind.flatMap((z: { files: string[] }) => z.files).map((f: string) => path.basename(f)).sort()).toEqual(readdirSync(out).sort());
    expect(readdirSync(out)).toHaveLength(10);

    // Refusals, before anything is printed: no zone, --all with --zone, an unknown zone, --keytag with several zones.
    for (const [args, code, message] of [
      [['key', 'export'], 2, /give --zone NAME \(one or more\) or --all/],
      [['key', 'export', '--all', '--zone', 'example.com'], 2, /--all or --zone, not both/],
      [['key', 'export', '--zone', 'example.com', '--zone', 'nowhere.example', '--zone', 'gone.example'], 3, /no such zone nowhere\.example, gone\.example/],
      [['key', 'export', '--all', '--keytag', '1'], 2, /--keytag needs exactly one --zone/],
    ] as const) {
      const r = await raw(...args);
      expect(r.code, r.stderr).toBe(code);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(message);
    }
  });

  it('fills the pool ahead of need and counts what a period needs', async () => {
    const r = await cli('key', 'generate', '--policy', 'default', '--count', '3');
    expect(r).toEqual([
      { role: 'KSK', algorithm: 13, bits: 256, target: 3, generated: 3 },
      { role: 'ZSK', algorithm: 13, bits: 256, target: 3, generated: 3 },
    ]);
    // ZSK lifetime 90 days: a year needs 5 per zone, two zones use the policy; three already there.
    const y = await cli('key', 'generate', '--policy', 'default', '--period', 'P1Y');
    expect(y[1]).toMatchObject({ role: 'ZSK', target: 10, generated: 7 });
  });

  it('reports keys a crash left in the keystore and never hands them out', async () => {
    const ks = await FileKeystore.open('SoftHSM', path.join(dir, 'var', 'keys'));
    const stray = await ks.generate(13, 256);
    const orphans = await cli('key', 'list', '--orphans');
    expect(orphans).toEqual([{ repository: 'SoftHSM', locator: stray.locator, problem: 'in keystore, unknown to the database (never used)' }]);
    // A new zone takes keys from the pool, never the orphan.
    const zl = path.join(dir, 'zonelist.xml');
    writeFileSync(zl, readFileSync(zl, 'utf8').replace('</ZoneList>', '<Zone name="example.edu"><Policy>default</Policy></Zone></ZoneList>'));
    await cli('run');
    const edu = await cli('key', 'list', '--zone', 'example.edu');
    expect(edu).toHaveLength(2);
    expect(edu.map((k: { locator: string }) => k.locator)).not.toContain(stray.locator);
  });
});
