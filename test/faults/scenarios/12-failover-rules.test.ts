// Scenarios 12 to 16: the failover rules under two real nodes.
// 12: the old primary's cron fires after the failover, and at the same instant as one.
// 13: a failover while the primary is healthy is refused (idle and mid-run); with --partner-down the
//     running primary is fenced and stops without writing.
// 14: flapping: the active role goes A -> B -> A ... with cron on both nodes in between.
// 15: the live DNSKEY set differs from what the database expects: NO-GO, held, until it matches.
// 16: the nodes' configurations differ: the failover is refused at step 1 and changes nothing.

import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../../src/util/exit-codes.js';
import { snapshotDatabase, snapshotDirectory } from '../../helpers/db-snapshot.js';
import { FaultCluster, other, type Node } from '../../helpers/fault-cluster.js';
import { Scenario } from '../../helpers/fault-report.js';

const ROUNDS = Number(process.env.ENFORCER_FAULT_ROUNDS ?? 40);
const FORCE = ['--json', 'run', '--force', '--zone', 'example.com', 'example.net', 'example.org'];
const withoutNodeState = (d: Record<string, unknown[]>) => ({ ...d, node_state: [] });

describe('scenarios 12 to 16: failover rules', () => {
  const clusters: FaultCluster[] = [];
  const cluster = async () => {
    const c = await FaultCluster.create();
    clusters.push(c);
    return c;
  };
  afterAll(async () => {
    for (const c of clusters) await c.close();
  });

  it("12: the old primary's cron after (and during) a failover writes nothing", async () => {
    const s = new Scenario("12 the old primary's cron fires after failover");
    const c = await cluster();
    await c.serve();
    const r = await c.failover('node-b', ['--partner-down']);
    expect(r.report.verdict, r.stdout + r.stderr).toBe('GO');
    s.add('failovers');
    const db = await snapshotDatabase(c.url);
    const files = snapshotDirectory(c.signconfDir('node-a'));
    const old = await c.run('node-a');
    expect(old.summary, old.stderr).toMatchObject({ role: 'standby', activeNode: 'node-b' });
    expect(withoutNodeState(await snapshotDatabase(c.url))).toEqual(withoutNodeState(db));
    expect(snapshotDirectory(c.signconfDir('node-a'))).toEqual(files);
    s.add('old-primary runs standby');
    // The old primary's cron and the other node's failover at the same instant, roles alternating.
    let active: Node = 'node-b';
    for (let i = 0; i < Math.max(2, ROUNDS / 10); i++) {
      const taker = other(active);
      await c.serve();
      const [cron, fo] = await Promise.all([c.run(active), c.failover(taker, ['--partner-down'])]);
      expect(fo.report.verdict, fo.stdout + fo.stderr).toBe('GO');
      if (cron.code === 0) s.add(cron.summary?.role === 'standby' ? 'cron found itself standby' : 'cron ran before the takeover');
      else {
        expect(cron.code, cron.stderr).toBe(EXIT.NOT_ACTIVE);
        s.add('cron fenced or refused');
      }
      active = taker;
      s.add('rounds');
    }
    await s.finish(c);
  });

  it('13: a failover while the primary is healthy is refused; --partner-down fences it', async () => {
    const s = new Scenario('13 failover while the primary is healthy');
    const c = await cluster();
    const before = await snapshotDatabase(c.url);
    const idle = await c.failover('node-b');
    expect(idle.code).toBe(EXIT.NOT_ACTIVE);
    expect(idle.report.steps[1]!.problems[0]!.reason).toMatch(/^refused: node-a last held the lease \d+ s ago/);
    s.add('refused (primary idle, within the safe period)');
    const running = c.spawn('node-a', FORCE, { ENFORCER_FAILPOINT: 'sleep-after-lease:15000' });
    await running.waitForLog((l) => l.msg.startsWith('failpoint after-lease reached'));
    const busy = await c.failover('node-b');
    expect(busy.code).toBe(EXIT.NOT_ACTIVE);
    expect(busy.report.steps[1]!.problems[0]!.reason).toMatch(/^refused: node-a holds the lease \(epoch \d+\) until .*: a run is in progress/);
    s.add('refused (primary mid-run)');
    const mid = await snapshotDatabase(c.url);
    expect(mid.audit_log).toEqual(before.audit_log);
    const files = snapshotDirectory(c.signconfDir('node-a'));
    await c.serve();
    const forced = await c.failover('node-b', ['--partner-down', '--reason', 'test: fence a healthy primary']);
    expect(forced.report.verdict, forced.stdout + forced.stderr).toBe('GO');
    s.add('failovers --partner-down');
    expect(await running.exited, running.stderr()).toBe(EXIT.NOT_ACTIVE);
    s.add('writes refused');
    expect(snapshotDirectory(c.signconfDir('node-a'))).toEqual(files);
    await s.finish(c);
  });

  it('14: flapping A -> B -> A ...', async () => {
    const s = new Scenario('14 flapping A -> B -> A');
    const c = await cluster();
    let active: Node = 'node-a';
    const flips = Math.max(4, Math.min(6, ROUNDS / 6));
    for (let i = 0; i < flips; i++) {
      const taker = other(active);
      await c.serve();
      const r = await c.failover(taker, ['--partner-down', '--reason', `flip ${i}`]);
      expect(r.report.verdict, r.stdout + r.stderr).toBe('GO');
      expect(r.report.takeover).toMatchObject({ from: active });
      const [t, o] = await Promise.all([c.run(taker, ['--force', '--zone', 'example.org']), c.run(active)]);
      expect([t.summary?.role, o.summary?.role], t.stderr + o.stderr).toEqual(['active', 'standby']);
      active = taker;
      s.add('flips');
    }
    s.set('last active', active);
    await s.finish(c);
  });

  it('15: live keys that differ from the expected set: NO-GO until they match', async () => {
    const s = new Scenario('15 live keys differ from expected (NO-GO)');
    const c = await cluster();
    const zsk = (await c.sql<{ key_tag: number }>(`SELECT key_tag FROM zone_key WHERE zone = 'example.com' AND role = 'ZSK' AND dnskey_state IN ('rumoured', 'omnipresent')`))[0]!;
    await c.serve(zsk.key_tag);
    const r = await c.failover('node-b', ['--partner-down']);
    expect(r.report.verdict).toBe('NO-GO');
    expect(r.code).toBe(EXIT.ERROR);
    expect(r.report.steps[4]!.problems[0]!.reason).toContain(`missing key ${zsk.key_tag}`);
    s.add('failovers NO-GO');
    expect((await c.run('node-b')).code).toBe(EXIT.ERROR);
    expect((await c.run('node-a')).summary?.role).toBe('standby');
    s.add('runs held');
    await c.serve();
    const go = await c.failover('node-b');
    expect(go.report.verdict, go.stdout).toBe('GO');
    s.add('failovers GO');
    expect((await c.run('node-b')).summary?.role).toBe('active');
    await s.finish(c);
  });

  it('16: configurations that differ: refused at step 1, nothing changed', async () => {
    const s = new Scenario('16 configurations differ (failover refused)');
    const c = await cluster();
    const list = readFileSync(path.join(c.dir, 'zonelist.xml'), 'utf8').replace(
      '</ZoneList>',
      '\t<Zone name="example.info">\n\t\t<Policy>default</Policy>\n\t</Zone>\n</ZoneList>',
    );
    writeFileSync(path.join(c.dir, 'zonelist-b.xml'), list);
    c.writeConfig('node-b', { zonelist: 'zonelist-b.xml' });
    const before = await snapshotDatabase(c.url);
    for (const args of [[], ['--partner-down']]) {
      const r = await c.failover('node-b', args);
      expect(r.report.verdict).toBe('NO-GO');
      expect(r.report.steps.map((x) => x.status)).toEqual(['FAIL', 'SKIPPED', 'SKIPPED', 'SKIPPED', 'SKIPPED', 'SKIPPED']);
      expect(JSON.stringify(r.report.steps[0]!.problems)).toContain('example.info');
      s.add('failovers refused');
    }
    expect(await snapshotDatabase(c.url)).toEqual(before);
    expect(snapshotDirectory(c.signconfDir('node-b'))).toEqual({});
    c.writeConfig('node-b');
    await c.serve();
    const go = await c.failover('node-b', ['--partner-down']);
    expect(go.report.verdict, go.stdout).toBe('GO');
    s.add('failovers GO (configuration fixed)');
    await s.finish(c);
  });
});
