// `failover --drill` on a standby against real PostgreSQL and a real authoritative DNS responder on
// 127.0.0.1 serving each zone's expected DNSKEY set, really signed with the zone keys from the keystore.
// The standby's configuration sits beside the active node's (same kasp.xml, zone list, keystore and
// signconf directory, as with shared storage). Covers GO, a key missing on the server, a configuration
// difference, a changed signconf file, a roll due (a note, still GO), and that a drill changes neither
// the database nor the directory.

import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileKeystore } from '../../src/keys/file-keystore.js';
import { contentHash } from '../../src/signconf/metadata.js';
import { allZoneKeys, type ZoneKeyRow } from '../../src/store/keys.js';
import { openPostgres } from '../../src/store/pg-db.js';
import { listSignconfRecords } from '../../src/store/signconf-records.js';
import { EXIT } from '../../src/util/exit-codes.js';
import { exampleSetup, runCli } from '../helpers/cli.js';
import { createPostgresDatabase } from '../helpers/databases.js';
import { snapshotDatabase, snapshotDirectory } from '../helpers/db-snapshot.js';
import { markDatabase } from '../helpers/ha-setup.js';
import { signedZone, startResponder, type DnsResponder, type TestKey } from '../helpers/dns-responder.js';

const visible = (s: string) => s === 'rumoured' || s === 'omnipresent';

describe('failover --drill', () => {
  let url: string;
  let drop: () => Promise<void>;
  let active: { dir: string; config: string };
  let standby: string;
  let responder: DnsResponder;
  let keys: ZoneKeyRow[];
  let testKeys: Map<number, TestKey>;
  /** The example's zones, as the run put them in the database. */
  let zoneNames: string[];
  /** Everything after setup; no drill below may change it. */
  let dbAfterSetup: Record<string, unknown[]>;
  let dirAfterSetup: Record<string, string>;

  const drill = async (config = standby, ...extra: string[]) => {
    const r = await runCli(['--config', config, '--json', 'failover', '--drill', ...extra]);
    return { ...r, report: JSON.parse(r.stdout) as DrillJson };
  };
  /** The zone as the database expects it served: published keys, signed by the keys that sign the set. */
  const serve = (zone: string, omitTag?: number, expiration?: Date) => {
    const rows = keys.filter((k) => k.zone === zone);
    const publish = rows.filter((k) => visible(k.states.dnskey) && k.keyTag !== omitTag).map((k) => testKeys.get(k.id)!);
    const signers = rows.filter((k) => visible(k.states.rrsigdnskey)).map((k) => testKeys.get(k.id)!);
    responder.setZone(signedZone(zone, { publish, signers, ...(expiration ? { expiration } : {}) }));
  };
  const standbyConfig = (name: string, edit: (text: string) => string = (t) => t) => {
    const file = path.join(active.dir, name);
    const text = readFileSync(active.config, 'utf8').replace('node: test-node', 'node: node-b');
    writeFileSync(file, edit(text) + ['probe:', `  servers: ["127.0.0.1:${responder.server.port}"]`, '  timeoutMs: 1000', '  retries: 1', ''].join('\n'));
    return file;
  };

  beforeAll(async () => {
    const pg = await createPostgresDatabase();
    url = pg.url;
    drop = pg.drop;
    active = exampleSetup({ url });
    writeFileSync(active.config, readFileSync(active.config, 'utf8').replace('node: test-node', 'node: node-a'));
    const run = await runCli(['--config', active.config, 'run']);
    expect(run.code, run.stderr).toBe(0);

    const db = await openPostgres(url);
    try {
      keys = await allZoneKeys(db);
    } finally {
      await db.close();
    }
    const ks = await FileKeystore.open('SoftHSM', path.join(active.dir, 'var', 'keys'), { create: false });
    testKeys = new Map();
    for (const k of keys) {
      const { algorithm, privateKey } = await ks.exportPrivate(k.locator);
      testKeys.set(k.id, { algorithm, flags: k.flags, privateKey, publicKey: k.publicKey, keyTag: k.keyTag });
    }
    responder = await startResponder();
    zoneNames = [...new Set(keys.map((k) => k.zone))].sort();
    expect(zoneNames.length).toBeGreaterThan(1);
    for (const zone of zoneNames) serve(zone);
    standby = standbyConfig('standby.yaml');
    // Allows ENFORCER_CLOCK_OFFSET (test databases only), to drill at a time a transition is due.
    await markDatabase({ url });
    dbAfterSetup = await snapshotDatabase(url);
    dirAfterSetup = snapshotDirectory(path.join(active.dir, 'signconf'));
  });
  afterAll(async () => {
    await responder?.close();
    await drop?.();
  });

  it('says GO when every step passes, and leaves the database and the signconf directory byte-for-byte unchanged', async () => {
    const signconfDir = path.join(active.dir, 'signconf');
    const dbBefore = await snapshotDatabase(url);
    const dirBefore = snapshotDirectory(signconfDir);
    expect(Object.keys(dirBefore)).toEqual(zoneNames.map((z) => `${z}.xml`));

    const r = await drill();
    expect(r.code, r.stdout + r.stderr).toBe(EXIT.OK);
    expect(r.report.verdict).toBe('GO');
    expect(r.report.steps.map((s) => [s.step, s.status])).toEqual([[1, 'PASS'], [3, 'PASS'], [4, 'PASS'], [5, 'PASS']]);
    expect(r.report.zones).toEqual(zoneNames.map((zone) => ({ zone, signconf: 'OK', live: 'MATCH' })));
    // The scratch directory is gone.
    expect(r.report.scratch.kept).toBe(false);
    expect(existsSync(r.report.scratch.directory)).toBe(false);

    const human = await runCli(['--config', standby, 'failover', '--drill']);
    expect(human.code).toBe(EXIT.OK);
    expect(human.stdout).toMatch(/^STEP\s+CHECK\s+RESULT\s+DETAIL$/m);
    expect(human.stdout).toMatch(new RegExp(`^5\\s+live DNSKEY sets\\s+PASS\\s+${zoneNames.length} of ${zoneNames.length} zones MATCH$`, 'm'));
    expect(human.stdout.trimEnd().split('\n').pop()).toBe('GO');

    expect(await snapshotDatabase(url)).toEqual(dbBefore);
    expect(snapshotDirectory(signconfDir)).toEqual(dirBefore);
  });

  it('keeps the rendered signconfs with --keep-scratch; they hash to what the database recorded', async () => {
    const keep = path.join(mkdtempSync(path.join(os.tmpdir(), 'drill-keep-')), 'scratch');
    const r = await drill(standby, '--keep-scratch', keep);
    expect(r.report.verdict).toBe('GO');
    expect(readdirSync(keep).sort()).toEqual(zoneNames.map((z) => `${z}.xml`));
    const db = await openPostgres(url);
    const records = await listSignconfRecords(db).finally(() => db.close());
    expect(records.map((rec) => rec.zone)).toEqual(zoneNames);
    for (const rec of records) expect(contentHash(readFileSync(path.join(keep, `${rec.zone}.xml`), 'utf8'))).toBe(rec.contentHash);
    // Refuses the real signconf directory and a non-empty one.
    expect((await runCli(['--config', standby, 'failover', '--drill', '--keep-scratch', path.join(active.dir, 'signconf')])).code).toBe(EXIT.USAGE);
    expect((await runCli(['--config', standby, 'failover', '--drill', '--keep-scratch', keep])).code).toBe(EXIT.USAGE);
  });

  it('says NO-GO naming the zone and key tag when a server does not serve a key', async () => {
    const zsk = keys.find((k) => k.zone === 'example.com' && k.role === 'ZSK' && visible(k.states.dnskey))!;
    serve('example.com', zsk.keyTag);
    try {
      const r = await drill();
      expect(r.code).toBe(EXIT.ERROR);
      expect(r.report.verdict).toBe('NO-GO');
      const step5 = r.report.steps.find((s) => s.step === 5)!;
      expect(step5.status).toBe('FAIL');
      expect(step5.problems).toEqual([{ zone: 'example.com', reason: expect.stringMatching(new RegExp(`^127\\.0\\.0\\.1:\\d+: missing key ${zsk.keyTag} \\(ZSK`)) }]);
      expect(r.report.steps.filter((s) => s.step !== 5).every((s) => s.status === 'PASS')).toBe(true);
      expect(r.report.zones.find((z) => z.zone === 'example.com')!.live).toBe('MISMATCH');
      const human = await runCli(['--config', standby, 'failover', '--drill']);
      expect(human.stdout).toContain(`step 5 example.com: 127.0.0.1:${responder.server.port}: missing key ${zsk.keyTag} (ZSK`);
      expect(human.stdout.trimEnd().split('\n').pop()).toBe('NO-GO');
    } finally {
      serve('example.com');
    }
  });

  it('says NO-GO at step 1 when this node is configured differently', async () => {
    const kasp = path.join(active.dir, 'kasp-b.xml');
    copyFileSync(path.join(active.dir, 'kasp.xml'), kasp);
    writeFileSync(kasp, readFileSync(kasp, 'utf8').replace('<Lifetime>P90D</Lifetime>', '<Lifetime>P60D</Lifetime>'));
    const other = standbyConfig('standby-differs.yaml', (t) => t.replace('kasp: kasp.xml', 'kasp: kasp-b.xml'));
    const r = await drill(other);
    expect(r.code).toBe(EXIT.ERROR);
    expect(r.report.verdict).toBe('NO-GO');
    const step1 = r.report.steps.find((s) => s.step === 1)!;
    expect(step1.status).toBe('FAIL');
    expect(step1.problems).toEqual([
      { reason: "configuration differs from node-a's: policy default: keys.list[1].lifetime: this node 5184000, node-a 7776000" },
    ]);
    expect(r.report.steps.filter((s) => s.step !== 1).every((s) => s.status === 'PASS')).toBe(true);
  });

  it('says NO-GO at step 1 when a zone key is missing from the keystore', async () => {
    const emptyKeys = mkdtempSync(path.join(os.tmpdir(), 'drill-keys-'));
    const other = standbyConfig('standby-nokeys.yaml', (t) => t.replace('directory: var/keys', `directory: ${emptyKeys}`));
    const r = await drill(other);
    expect(r.report.verdict).toBe('NO-GO');
    const step1 = r.report.steps.find((s) => s.step === 1)!;
    expect(step1.problems).toHaveLength(keys.length);
    expect(step1.problems[0]).toEqual({ zone: keys[0]!.zone, reason: `key ${keys[0]!.keyTag} (${keys[0]!.role}, locator ${keys[0]!.locator}): not in keystore SoftHSM` });
  });

  it('says GO when a rollover is due that the active node has not made yet, naming it as a note', async () => {
    // 48 hours on, example.com's keys are omnipresent, which changes no signconf: that zone is still as recorded.
    const soon = await runCli(['--config', standby, '--json', 'failover', '--drill'], { ENFORCER_CLOCK_OFFSET: '+48h' });
    expect((JSON.parse(soon.stdout) as DrillJson).zones.find((z) => z.zone === 'example.com')).toEqual({ zone: 'example.com', signconf: 'OK', live: 'MATCH' });
    // 2200 hours on, past the ZSK lifetime (P90D), a run would allocate a new ZSK and publish it
    // (the core makes no move until the new key exists, so the drill names the allocation). A
    // failover's run does the same: information, not a reason for NO-GO, as long as the record is
    // what the zone's stored state renders to.
    // Signatures still valid then, as a signer that went on re-signing would serve them.
    for (const zone of zoneNames) serve(zone, undefined, new Date(Date.now() + 2300 * 3600_000));
    const r = await runCli(['--config', standby, '--json', 'failover', '--drill'], { ENFORCER_CLOCK_OFFSET: '+2200h' });
    const human = await runCli(['--config', standby, 'failover', '--drill'], { ENFORCER_CLOCK_OFFSET: '+2200h' });
    for (const zone of zoneNames) serve(zone);
    const report = JSON.parse(r.stdout) as DrillJson;
    expect(r.code, r.stdout).toBe(EXIT.OK);
    expect(report.verdict).toBe('GO');
    const step4 = report.steps.find((s) => s.step === 4)!;
    expect(step4).toMatchObject({ status: 'PASS', problems: [] });
    expect(step4.summary).toMatch(/^\d+ of \d+ zones as recorded, \d+ with a change due at the next run \(see notes\)$/);
    const example = step4.notes.filter((p) => p.zone === 'example.com').map((p) => p.reason);
    expect(example).toContain("new keys are due from the pool: the active node's next run (or a failover's) will allocate them");
    expect(report.zones.find((z) => z.zone === 'example.com')!.signconf).toBe('DUE');
    expect(human.stdout).toMatch(/\nnotes \(no action needed\):\n {2}step 4 example\.com: new keys are due from the pool: /);
    expect(human.stdout.trimEnd().split('\n').pop()).toBe('GO');
  });

  it('says NO-GO at step 4 when a signconf file was changed, and at step 5 without probe servers', async () => {
    const file = path.join(active.dir, 'signconf', 'example.net.xml');
    const original = readFileSync(file, 'utf8');
    writeFileSync(file, original.replace('</SignerConfiguration>', '<!-- edited --></SignerConfiguration>'));
    try {
      const r = await drill();
      expect(r.report.verdict).toBe('NO-GO');
      expect(r.report.steps.find((s) => s.step === 4)!.problems).toEqual([
        { zone: 'example.net', reason: `file changed: ${file} was edited after it was written (content does not match its stamp)` },
      ]);
    } finally {
      writeFileSync(file, original);
    }
    const noProbe = path.join(active.dir, 'standby-noprobe.yaml');
    writeFileSync(noProbe, readFileSync(active.config, 'utf8').replace('node: node-a', 'node: node-b'));
    const r = await drill(noProbe);
    expect(r.report.verdict).toBe('NO-GO');
    expect(r.report.steps.find((s) => s.step === 5)).toMatchObject({ status: 'FAIL', summary: 'not configured' });
  });
  it('says NO-GO at step 1, skipping the rest, when the database cannot be reached', async () => {
    const down = standbyConfig('standby-nodb.yaml', (t) => t.replace(/url: .*/, 'url: postgres://enforcer@127.0.0.1:1/enforcer'));
    const r = await drill(down);
    expect(r.code).toBe(EXIT.ERROR);
    expect(r.report.verdict).toBe('NO-GO');
    expect(r.report.steps.map((s) => [s.step, s.status])).toEqual([[1, 'FAIL'], [3, 'SKIPPED'], [4, 'SKIPPED'], [5, 'SKIPPED']]);
    expect(r.report.steps[0]!.problems[0]!.reason).toMatch(/^database unreachable or not usable: .*ECONNREFUSED/);
  });

  it('changed nothing in the database or the signconf directory across all the drills above', async () => {
    expect(await snapshotDatabase(url)).toEqual(dbAfterSetup);
    expect(snapshotDirectory(path.join(active.dir, 'signconf'))).toEqual(dirAfterSetup);
  });

  // Changes the database (on the active node): after the check above.
  it('says GO after `key rollover` on the active node: the roll its next run starts is a note', async () => {
    const roll = await runCli(['--config', active.config, 'key', 'rollover', '--zone', 'example.com', '--keytype', 'ZSK']);
    expect(roll.code, roll.stderr).toBe(0);
    const r = await drill();
    expect(r.code, r.stdout).toBe(EXIT.OK);
    expect(r.report.verdict).toBe('GO');
    const step4 = r.report.steps.find((s) => s.step === 4)!;
    expect(step4).toMatchObject({ status: 'PASS', problems: [] });
    expect([...new Set(step4.notes.map((n) => n.zone))]).toEqual(['example.com']);
    expect(step4.notes.map((n) => n.reason)).toContain("new keys are due from the pool: the active node's next run (or a failover's) will allocate them");
    expect(r.report.zones.find((z) => z.zone === 'example.com')!.signconf).toBe('DUE');
    expect(r.report.zones.filter((z) => z.zone !== 'example.com').every((z) => z.signconf === 'OK')).toBe(true);
  });
});

interface DrillJson {
  verdict: 'GO' | 'NO-GO';
  scratch: { directory: string; kept: boolean };
  steps: Array<{ step: number; status: string; summary: string; problems: Array<{ zone?: string; reason: string }>; notes: Array<{ zone?: string; reason: string }> }>;
  zones: Array<{ zone: string; signconf: string; live: string | null }>;
}
