// `failover` and `switchover` with two enforcer nodes (real processes) on one real PostgreSQL and a
// real authoritative DNS responder on 127.0.0.1 serving the zones' DNSKEY sets, really signed. Each
// node has its own signconf directory and its own copy of the keystore, as on two machines. The
// tests build on each other in order: node-a active; node-b's failover refused while node-a is
// alive; --partner-down takes over (GO) and node-a's next run writes nothing; a NO-GO holds node-a
// after it takes back over until a failover says GO; a silent partner is taken over without
// --partner-down, and automatically by a cron run with failover.autoTakeover; switchover hands over.

import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync, copyFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileKeystore } from '../../src/keys/file-keystore.js';
import { readStamp } from '../../src/signconf/metadata.js';
import { allZoneKeys, type ZoneKeyRow } from '../../src/store/keys.js';
import { openPostgres } from '../../src/store/pg-db.js';
import { EXIT } from '../../src/util/exit-codes.js';
import { ROOT, runCli } from '../helpers/cli.js';
import { createPostgresDatabase } from '../helpers/databases.js';
import { snapshotDatabase, snapshotDirectory } from '../helpers/db-snapshot.js';
import { markDatabase } from '../helpers/ha-setup.js';
import { startEnforcer } from '../helpers/processes.js';
import { signedZone, startResponder, type DnsResponder, type TestKey } from '../helpers/dns-responder.js';

const visible = (s: string) => s === 'rumoured' || s === 'omnipresent';

interface FailoverJson {
  verdict: 'GO' | 'NO-GO';
  exitCode: number;
  takeover: { how: string; from: string | null; previousEpoch: number; epoch: number; forced: boolean } | null;
  steps: Array<{ step: number; status: string; summary: string; problems: Array<{ zone?: string; reason: string }> }>;
  zones: Array<{ zone: string; signconf: string; live: string | null }>;
  publish: { holdLifted: boolean; ran: Array<{ what: string; ok: boolean }>; notRun: Array<{ what: string; why: string }>; ok: boolean } | null;
}

describe('failover and switchover between two nodes', () => {
  let url: string;
  let drop: () => Promise<void>;
  let dir: string;
  let responder: DnsResponder;
  let keys: ZoneKeyRow[];
  const testKeys = new Map<string, TestKey>();
  let zones: string[];
  const config: Record<'node-a' | 'node-b', string> = { 'node-a': '', 'node-b': '' };
  const signconf = (node: 'node-a' | 'node-b') => path.join(dir, node, 'signconf');
  const hookLog = () => readFileSync(path.join(dir, 'hooks.log'), 'utf8').trim().split('\n');
  /** What the nodes' signer.notifyCommand was run for, in order. */
  const notifyLog = () => (existsSync(path.join(dir, 'notify.log')) ? readFileSync(path.join(dir, 'notify.log'), 'utf8').trim().split('\n') : []);
  const unpublished = async () => (await sql(`SELECT zone FROM signconf_record WHERE published_at IS NULL ORDER BY zone`)).map((r) => r.zone);

  const write = (node: 'node-a' | 'node-b', extra: string[] = []) => {
    const file = path.join(dir, `${node}.yaml`);
    writeFileSync(
      file,
      [
        `node: ${node}`,
        `database: { url: "${url}" }`,
        'policy: { kasp: kasp.xml, zonelist: zonelist.xml }',
        `signconf: { directory: ${node}/signconf }`,
        `keystores: { SoftHSM: { type: file, directory: ${node}/keys } }`,
        'log: { level: warn }',
        'lease: { ttl: 10, renewInterval: 3 }',
        'hooks:',
        `  onActive: 'echo "onActive $ENFORCER_NODE $ENFORCER_EPOCH" >> ${dir}/hooks.log'`,
        `  onStandby: 'echo "onStandby $ENFORCER_NODE $ENFORCER_EPOCH" >> ${dir}/hooks.log'`,
        'signer:',
        `  notifyCommand: 'echo "notify $ENFORCER_NODE {zone}" >> ${dir}/notify.log'`,
        'failover:',
        `  publishCommand: 'echo "publish $ENFORCER_NODE $ENFORCER_EPOCH" >> ${dir}/hooks.log'`,
        ...extra,
        'probe:',
        `  servers: ["127.0.0.1:${responder.server.port}"]`,
        '  timeoutMs: 1000',
        '  retries: 1',
        '',
      ].join('\n'),
    );
    return file;
  };
  const cli = (node: 'node-a' | 'node-b', ...args: string[]) => runCli(['--config', config[node], ...args]);
  const failover = async (node: 'node-a' | 'node-b', ...args: string[]) => {
    const r = await runCli(['--config', config[node], '--json', 'failover', ...args]);
    return { ...r, report: JSON.parse(r.stdout) as FailoverJson };
  };
  const epochNow = async () => {
    const db = await openPostgres(url);
    try {
      return (await db.query<{ epoch: number; active_node: string }>('SELECT epoch, active_node FROM lease'))[0]!;
    } finally {
      await db.close();
    }
  };
  const sql = async (text: string) => {
    const db = await openPostgres(url);
    try {
      return await db.query<Record<string, unknown>>(text);
    } finally {
      await db.close();
    }
  };
  /** Serve every zone as the database expects it now, optionally leaving one key out. */
  const serveAll = async (omitTag?: number) => {
    const db = await openPostgres(url);
    keys = await allZoneKeys(db).finally(() => db.close());
    const ks = await FileKeystore.open('SoftHSM', path.join(dir, 'node-a', 'keys'), { create: false });
    for (const zone of zones) {
      const rows = keys.filter((k) => k.zone === zone);
      const key = async (k: ZoneKeyRow) => {
        if (!testKeys.has(k.locator)) {
          const { algorithm, privateKey } = await ks.exportPrivate(k.locator);
          testKeys.set(k.locator, { algorithm, flags: k.flags, privateKey, publicKey: k.publicKey, keyTag: k.keyTag });
        }
        return testKeys.get(k.locator)!;
      };
      const publish = await Promise.all(rows.filter((k) => visible(k.states.dnskey) && k.keyTag !== omitTag).map(key));
      const signers = await Promise.all(rows.filter((k) => visible(k.states.rrsigdnskey)).map(key));
      responder.setZone(signedZone(zone, { publish, signers }));
    }
  };
  /** Every file in the node's signconf directory carries the stamp of this node and epoch. */
  const stampsOf = (node: 'node-a' | 'node-b') =>
    readdirSync(signconf(node)).sort().map((f) => {
      const s = readStamp(readFileSync(path.join(signconf(node), f), 'utf8')).stamp!;
      return [f, s.node, s.epoch];
    });

  beforeAll(async () => {
    const pg = await createPostgresDatabase();
    url = pg.url;
    drop = pg.drop;
    dir = mkdtempSync(path.join(os.tmpdir(), 'enforcer-failover-'));
    copyFileSync(path.join(ROOT, 'examples', 'kasp.xml'), path.join(dir, 'kasp.xml'));
    copyFileSync(path.join(ROOT, 'examples', 'zonelist.xml'), path.join(dir, 'zonelist.xml'));
    mkdirSync(path.join(dir, 'node-a'));
    mkdirSync(path.join(dir, 'node-b'));
    responder = await startResponder();
    config['node-a'] = write('node-a');
    config['node-b'] = write('node-b');
    const first = await cli('node-a', 'run');
    expect(first.code, first.stderr).toBe(0);
    // The standby has a copy of the keys (as an operator's key sync would give it) and has run once.
    cpSync(path.join(dir, 'node-a', 'keys'), path.join(dir, 'node-b', 'keys'), { recursive: true });
    expect((await cli('node-b', 'run')).code).toBe(0);
    // Lets the failpoints through (test databases only).
    await markDatabase({ url });
    zones = readdirSync(signconf('node-a')).map((f) => f.replace(/\.xml$/, '')).sort();
    expect(zones.length).toBeGreaterThan(1);
    await serveAll();
  });
  afterAll(async () => {
    await responder?.close();
    await drop?.();
  });

  it('refuses on the standby while the active node is alive, changing nothing', async () => {
    const before = await snapshotDatabase(url);
    const r = await failover('node-b');
    expect(r.code, r.stderr).toBe(EXIT.NOT_ACTIVE);
    expect(r.report.verdict).toBe('NO-GO');
    expect(r.report.steps.map((s) => [s.step, s.status])).toEqual([[1, 'PASS'], [2, 'FAIL'], [3, 'SKIPPED'], [4, 'SKIPPED'], [5, 'SKIPPED'], [6, 'SKIPPED']]);
    expect(r.report.steps[1]!.problems[0]!.reason).toMatch(
      /^refused: node-a last held the lease \d+ s ago \(.*\); it counts as down only once the safe period of 3600 s has passed, at .*--partner-down$/,
    );
    expect(await snapshotDatabase(url)).toEqual(before);
    expect(snapshotDirectory(signconf('node-b'))).toEqual({});
  });

  it('takes over with --partner-down: new epoch, every signconf rewritten, GO, then hooks; the old primary writes nothing', async () => {
    const { epoch } = await epochNow();
    const aFiles = snapshotDirectory(signconf('node-a'));
    const notified = notifyLog().length;
    const r = await failover('node-b', '--partner-down', '--reason', 'node-a lost power');
    expect(r.code, r.stdout + r.stderr).toBe(EXIT.OK);
    expect(r.report.verdict).toBe('GO');
    expect(r.report.takeover).toEqual({ how: 'takeover', from: 'node-a', previousEpoch: epoch, epoch: epoch + 1, forced: true });
    expect(r.report.steps.map((s) => [s.step, s.status])).toEqual([1, 2, 3, 4, 5, 6].map((s) => [s, 'PASS']));
    expect(r.report.zones).toEqual(zones.map((zone) => ({ zone, signconf: 'OK', live: 'MATCH' })));
    expect(stampsOf('node-b')).toEqual(zones.map((z) => [`${z}.xml`, 'node-b', epoch + 1]));
    expect(hookLog().slice(-2)).toEqual([`onActive node-b ${epoch + 1}`, `publish node-b ${epoch + 1}`]);
    // The signer was told about every file step 3 rewrote, once GO was said; all count as published.
    expect(notifyLog().slice(notified).sort()).toEqual(zones.map((z) => `notify node-b ${z}`).sort());
    expect(r.report.publish!.ran.at(-1)).toMatchObject({ what: 'signer notified', ok: true });
    expect(await unpublished()).toEqual([]);
    const audit = await sql(`SELECT actor, detail FROM audit_log WHERE event = 'active node taken over' ORDER BY id DESC LIMIT 1`);
    expect(audit[0]).toMatchObject({
      actor: expect.stringMatching(/^failover by .+@.+$/),
      detail: { from: 'node-a', previousEpoch: epoch, forced: true, reason: 'node-a lost power (operator asserted node-a is down)' },
    });
    expect(await sql(`SELECT * FROM meta WHERE key = 'publish_hold'`)).toEqual([]);

    // The old primary's next run: standby, its onStandby hook, nothing else written.
    const before = await snapshotDatabase(url);
    const old = await cli('node-a', 'run');
    expect(old.code, old.stderr).toBe(0);
    expect(old.stdout).toContain('standby: node-b is the active node');
    expect(hookLog().at(-1)).toBe(`onStandby node-a ${epoch + 1}`);
    const after = await snapshotDatabase(url);
    expect({ ...after, node_state: [] }).toEqual({ ...before, node_state: [] });
    expect(snapshotDirectory(signconf('node-a'))).toEqual(aFiles);
  });

  it('after a NO-GO holds every run until a failover says GO', async () => {
    // node-a takes back over while node-b's servers lack a ZSK: NO-GO, nothing published, held.
    const zsk = keys.find((k) => k.zone === 'example.com' && k.role === 'ZSK' && visible(k.states.dnskey))!;
    await serveAll(zsk.keyTag);
    const hooksBefore = hookLog().length;
    const notified = notifyLog().length;
    const r = await failover('node-a', '--partner-down');
    expect(r.code).toBe(EXIT.ERROR);
    expect(r.report.verdict).toBe('NO-GO');
    expect(r.report.steps.map((s) => [s.step, s.status])).toEqual([[1, 'PASS'], [2, 'PASS'], [3, 'PASS'], [4, 'PASS'], [5, 'FAIL'], [6, 'SKIPPED']]);
    expect(r.report.steps[4]!.problems).toEqual([{ zone: 'example.com', reason: expect.stringContaining(`missing key ${zsk.keyTag} (ZSK`) }]);
    expect(r.report.steps[5]!.summary).toBe('NO-GO: nothing published; runs on node-a stay held until a failover says GO');
    expect(hookLog().length).toBe(hooksBefore);
    // The files step 3 wrote are in place but unpublished: the signer was not told, no wait started.
    expect(notifyLog().length).toBe(notified);
    expect(await unpublished()).toEqual([...zones].sort());

    const run = await cli('node-a', 'run');
    expect(run.code).toBe(EXIT.ERROR);
    expect(run.stderr).toMatch(/node-a took over from node-b at epoch \d+ .*but its last failover said NO-GO \(1 problem, first: step 5 example\.com: .*missing key/);
    const status = await cli('node-a', '--json', 'status');
    expect(JSON.parse(status.stdout)).toMatchObject({ role: 'WAIT', reason: 'publish-held' });

    // Fixed: the failover again (node-a is already the active node) says GO and lifts the hold.
    await serveAll();
    const again = await failover('node-a');
    expect(again.code, again.stdout).toBe(EXIT.OK);
    expect(again.report.takeover).toMatchObject({ how: 'already-active', from: 'node-a', forced: false });
    expect(hookLog().slice(-2)).toEqual([`onActive node-a ${again.report.takeover!.epoch}`, `publish node-a ${again.report.takeover!.epoch}`]);
    expect(notifyLog().slice(notified).sort()).toEqual(zones.map((z) => `notify node-a ${z}`).sort());
    expect(await unpublished()).toEqual([]);
    expect((await cli('node-a', 'run')).code).toBe(0);
  });

  it('takes over a partner silent for longer than the safe period without --partner-down, and automatically with autoTakeover', async () => {
    // node-a has been silent for two hours (its last lease renewal, on the database clock).
    await sql(`UPDATE lease SET renewed_at = now() - interval '2 hours'`);
    const r = await failover('node-b');
    expect(r.code, r.stdout).toBe(EXIT.OK);
    expect(r.report.takeover).toMatchObject({ how: 'takeover', from: 'node-a', forced: false });
    const audit = await sql(`SELECT detail FROM audit_log WHERE event = 'active node taken over' ORDER BY id DESC LIMIT 1`);
    expect((audit[0]!.detail as { reason: string }).reason).toMatch(/^failover \(node-a last held the lease \d+ s ago .*longer than the safe period of 3600 s\)$/);

    // node-a, with automatic takeover on: its cron run stays standby while node-b is alive ...
    config['node-a'] = write('node-a', ['  autoTakeover: true']);
    const standby = await cli('node-a', 'run');
    expect(standby.code).toBe(0);
    expect(standby.stdout).toContain('standby: node-b is the active node');
    // ... and fails over by itself once node-b has been silent for the safe period.
    await sql(`UPDATE lease SET renewed_at = now() - interval '2 hours'`);
    const auto = await runCli(['--config', config['node-a'], '--json', 'run']);
    expect(auto.code, auto.stdout + auto.stderr).toBe(0);
    expect((JSON.parse(auto.stdout) as FailoverJson)).toMatchObject({ verdict: 'GO', takeover: { how: 'takeover', from: 'node-b', forced: false } });
    expect((await epochNow()).active_node).toBe('node-a');
  });

  it('switchover hands the active role over; the new node runs only after its failover says GO', async () => {
    const { epoch } = await epochNow();
    const r = await cli('node-a', 'switchover', '--to', 'node-b');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`node-a handed the active role to node-b (epoch ${epoch + 1} -> ${epoch + 2})`);
    expect(hookLog().at(-1)).toBe(`onStandby node-a ${epoch + 1}`);
    expect(await epochNow()).toEqual({ epoch: epoch + 2, active_node: 'node-b' });
    const held = await cli('node-b', 'run');
    expect(held.code).toBe(EXIT.ERROR);
    expect(held.stderr).toContain('node-b was handed the active role by node-a');
    const done = await failover('node-b');
    expect(done.code, done.stdout).toBe(EXIT.OK);
    expect(done.report.takeover).toMatchObject({ how: 'already-active', from: 'node-b' });
    expect(stampsOf('node-b')).toEqual(zones.map((z) => [`${z}.xml`, 'node-b', done.report.takeover!.epoch]));
    // Every file really is newer than the switchover.
    for (const z of zones) expect(statSync(path.join(signconf('node-b'), `${z}.xml`)).mtimeMs).toBeGreaterThan(Date.now() - 60_000);
    expect((await cli('node-b', 'run')).code).toBe(0);
    // Refusals: not the active node; an unknown node.
    expect((await cli('node-a', 'switchover', '--to', 'node-b')).code).toBe(EXIT.NOT_ACTIVE);
    expect((await cli('node-b', 'switchover', '--to', 'node-c')).code).toBe(EXIT.BAD_INPUT);
  });

  it('refuses while the active node is mid-run; --partner-down fences that run, which stops without writing', async () => {
    // node-b is active; its run sleeps right after taking the lease (event loop and heartbeats running).
    const bFiles = snapshotDirectory(signconf('node-b'));
    const running = startEnforcer(['--config', config['node-b'], 'run', '--force'], { ENFORCER_FAILPOINT: 'sleep-after-lease:8000' });
    await running.waitForLog((l) => String(l.msg).includes('failpoint'), 30_000);
    const refused = await failover('node-a');
    expect(refused.code).toBe(EXIT.NOT_ACTIVE);
    expect(refused.report.steps[1]!.problems[0]!.reason).toMatch(/^refused: node-b holds the lease \(epoch \d+\) until .*: a run is in progress\./);

    const taken = await failover('node-a', '--partner-down');
    expect(taken.code, taken.stdout + taken.stderr).toBe(EXIT.OK);
    expect(taken.report.verdict).toBe('GO');
    // The fenced run noticed at its next renewal and stopped; it wrote no signconf file.
    expect(await running.exited).toBe(EXIT.NOT_ACTIVE);
    expect(snapshotDirectory(signconf('node-b'))).toEqual(bFiles);
    expect(stampsOf('node-a')).toEqual(zones.map((z) => [`${z}.xml`, 'node-a', taken.report.takeover!.epoch]));
  });

  it('on the node that is already active and not held: says what step 6 really ran (no onActive hook, no hold to lift)', async () => {
    const { epoch, active_node } = await epochNow();
    expect(active_node).toBe('node-a');
    const hooks = hookLog().length;
    const r = await failover('node-a');
    expect(r.code, r.stdout + r.stderr).toBe(EXIT.OK);
    expect(r.report.takeover).toMatchObject({ how: 'already-active', from: 'node-a', previousEpoch: epoch });
    const e = r.report.takeover!.epoch;
    // Only the publish command ran (and the signer was told about the files step 3 rewrote):
    // node-a's signer was started when it became active.
    expect(hookLog().slice(hooks)).toEqual([`publish node-a ${e}`]);
    expect(r.report.publish).toMatchObject({
      holdLifted: false,
      ran: [{ what: 'publish command', ok: true }, { what: 'signer notified', command: expect.stringContaining('notify $ENFORCER_NODE {zone}'), ok: true }],
      notRun: [{ what: 'onActive hook', why: 'node-a was already the active node; the hook runs only when a node becomes active' }],
      ok: true,
    });
    expect(r.report.steps[5]!.summary).toBe('no hold to lift; publish command, signer notified; onActive hook not run (already active)');

    const human = await cli('node-a', 'failover');
    expect(human.code, human.stdout + human.stderr).toBe(EXIT.OK);
    expect(human.stdout).not.toMatch(/onActive hook: .*: ok/);
    expect(human.stdout).toMatch(/\nonActive hook: echo .*: not run: node-a was already the active node; the hook runs only when a node becomes active\n/);
    expect(human.stdout).toMatch(/\npublish command: echo .*: ok\n/);
  });
});
