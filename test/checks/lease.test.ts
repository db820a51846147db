// `check lease` through the real CLI against real PostgreSQL: the active and the standby node, a
// standby configured differently, no recent run, a failed run, and after a takeover the old active
// node that has not stood down yet and a role transition whose hook failed; a publish-held active
// node (a failover running its checks, then its NO-GO) on both nodes.

import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { takeOver } from '../../src/lease/take-over.js';
import { releaseLease } from '../../src/store/lease.js';
import { openPostgres } from '../../src/store/pg-db.js';
import { runCli } from '../helpers/cli.js';
import { startEnforcer } from '../helpers/processes.js';
import { EXIT } from '../../src/util/exit-codes.js';
import { checkEnv, perfdataOf, type CheckEnv } from './setup.js';

describe('check lease', () => {
  let env: CheckEnv;
  beforeAll(async () => {
    env = await checkEnv();
  });
  afterAll(async () => env?.close());

  it('is OK on the active node and on the standby, naming the role and the active node', async () => {
    const a = await env.check(env.active, ['lease']);
    expect(a.code, a.stdout + a.stderr).toBe(0);
    expect(a.line).toMatch(/^LEASE OK - node-a ACTIVE: this node is the active node; last successful run \d+s ago \| /);
    expect(perfdataOf(a.line)).toMatchObject({ lease_epoch: 1, node_active: 1, config_matches: 1 });
    const b = await env.check(env.standby, ['lease']);
    expect(b.code).toBe(0);
    expect(b.line).toMatch(/^LEASE OK - node-b STANDBY: node-a is the active node; this node takes over only by `enforcer failover`; last successful run/);
    expect(perfdataOf(b.line)).toMatchObject({ lease_epoch: 1, node_active: 0, config_matches: 1 });
    const prom = await env.check(env.standby, ['lease', '--format', 'prometheus']);
    expect(prom.stdout).toContain('dnssec_enforcer_node_info{node="node-b",role="STANDBY",active_node="node-a"} 1\n');
    expect(prom.stdout).toContain('dnssec_enforcer_lease_epoch 1\n');
  });

  it("is CRITICAL when this node's configuration differs from the active node's", async () => {
    const zonelist = path.join(env.dir, 'zonelist-b.xml');
    writeFileSync(zonelist, readFileSync(path.join(env.dir, 'zonelist.xml'), 'utf8').replace(/<Zone name="example\.org">[\s\S]*?<\/Zone>/, ''));
    const differs = env.config('standby-differs.yaml', (t) => t.replace('zonelist: zonelist.xml', 'zonelist: zonelist-b.xml'));
    const r = await env.check(differs, ['lease']);
    expect(r.code).toBe(2);
    expect(r.line).toMatch(/^LEASE CRITICAL - node-b WAIT \(config-differs\): this node's configuration differs from the one node-a recorded at its last run;/);
    expect(r.stdout.split('\n')[1]).toBe(
      "CRITICAL this node's configuration differs from the one node-a recorded at its last run; this node could not take over as configured (enforcer config compare lists the differences)",
    );
    expect(perfdataOf(r.line)).toMatchObject({ config_matches: 0 });
  });

  it('is WARNING, then CRITICAL, when no run succeeded recently (and says this clock is off)', async () => {
    const w = await env.check(env.standby, ['lease'], { ENFORCER_CLOCK_OFFSET: '+2h' });
    expect(w.code).toBe(1);
    expect(w.stdout).toMatch(/\nWARNING last successful run 2h ago \(on node-a, epoch 1, finished \S+\)/);
    expect(w.stdout).toMatch(/\nWARNING this node's clock is \+7200(\.\d)? s off the database's/);
    const c = await env.check(env.standby, ['lease', '-w', '1d', '-c', '2d'], { ENFORCER_CLOCK_OFFSET: '+50h' });
    expect(c.code).toBe(2);
    expect(c.line).toMatch(/^LEASE CRITICAL - .*; last successful run 2d2h ago \|/);
  });

  it('is WARNING when the last run failed', async () => {
    // A zone list that does not parse makes the run fail before it touches any zone.
    const broken = env.config('active-broken.yaml', (t) => t.replace('node: node-b', 'node: node-a').replace('zonelist: zonelist.xml', 'zonelist: zonelist-broken.xml'));
    writeFileSync(path.join(env.dir, 'zonelist-broken.xml'), '<ZoneList><Zone name="x"></ZoneList>');
    const run = await runCli(['--config', broken, 'run']);
    expect(run.code).not.toBe(0);
    const r = await env.check(env.active, ['lease']);
    expect(r.code, r.stdout).toBe(1);
    expect(r.stdout).toMatch(/\nWARNING the last run \(on node-a, epoch \d+, started \S+\) failed: /);
    expect((await runCli(['--config', env.active, 'run'])).code).toBe(0);
    expect((await env.check(env.active, ['lease'])).code).toBe(0);
  });

  it('after a takeover: WARNING while the old active node has not stood down; CRITICAL when a transition failed', async () => {
    const db = await openPostgres(env.url);
    try {
      const t = await takeOver(db, 'node-b', 30, 'test: partner down');
      await releaseLease(db, t.fence);
    } finally {
      await db.close();
    }
    const b = await env.check(env.standby, ['lease']);
    expect(b.code).toBe(1);
    expect(b.line).toMatch(/^LEASE WARNING - node-b ACTIVE: this node is the active node;/);
    expect(b.stdout.split('\n')[1]).toMatch(/^WARNING node-a last recorded itself active \(epoch 1, \S+\) but node-b is the active node: its next run makes it standby \(onStandby hook\); until then its signer may still be running$/);
    const ignoring = await env.check(env.standby, ['lease', '--ignore-node', 'node-a']);
    expect(ignoring.code, ignoring.stdout).toBe(0);

    // node-b's first run as the active node runs its onActive hook, which fails.
    const failing = env.config('standby-hook.yaml', (t) => `${t}hooks:\n  onActive: "echo signer will not start >&2; exit 1"\n`);
    const run = await runCli(['--config', failing, 'run']);
    expect(run.code).toBe(1);
    const own = await env.check(failing, ['lease']);
    expect(own.code).toBe(2);
    expect(own.line).toMatch(/^LEASE CRITICAL - node-b WAIT \(transition-failed\): this node is the recorded active node, but its onActive hook failed: exited with code 1;/);
    const other = await env.check(env.active, ['lease']);
    expect(other.code).toBe(2);
    expect(other.stdout).toMatch(/\nCRITICAL node-b: its transition to active failed at \S+: exited with code 1\n/);
  });
});

// After a takeover the new active node is held (publish hold) until its failover says GO: no node
// enforces meanwhile. node-b takes over without probe servers, so its failover ends NO-GO at step 5.
describe('check lease while the active node is publish-held', () => {
  let env: CheckEnv;
  beforeAll(async () => {
    env = await checkEnv();
  });
  afterAll(async () => env?.close());

  it('exposes publish_held 0 while nobody is held', async () => {
    for (const config of [env.active, env.standby]) {
      const r = await env.check(config, ['lease', '--format', 'prometheus']);
      expect(r.code, r.stdout).toBe(0);
      expect(r.stdout).toContain('# TYPE dnssec_enforcer_publish_held gauge\ndnssec_enforcer_publish_held 0\n');
    }
  });

  it('is WARNING on both nodes while the failover still runs its checks, CRITICAL on both after its NO-GO', async () => {
    const failover = startEnforcer(['--config', env.standby, 'failover', '--partner-down', '--reason', 'test'], { ENFORCER_FAILPOINT: 'sleep-after-takeover:6000' });
    await failover.waitForLog((l) => String(l.msg).includes('failpoint'), 30_000);
    for (const config of [env.standby, env.active]) {
      const r = await env.check(config, ['lease']);
      expect(r.code, r.stdout).toBe(1);
      expect(r.stdout).toMatch(/\nWARNING node-b took over from node-a at epoch 2 \(\S+\), but its failover checks have not said GO yet; its failover is running now \(lease held until \S+\)/);
      expect(perfdataOf(r.line)).toMatchObject({ publish_held: 1 });
    }
    expect(await failover.exited).toBe(EXIT.ERROR);
    expect(failover.stdout()).toMatch(/\nNO-GO\n$/);

    const held = await env.check(env.standby, ['lease']);
    expect(held.code, held.stdout).toBe(2);
    expect(held.line).toMatch(/^LEASE CRITICAL - node-b WAIT \(publish-held\): node-b took over from node-a at epoch 2 /);
    expect(held.stdout.split('\n')[1]).toMatch(
      /^CRITICAL node-b took over from node-a at epoch 2 \(\S+\), but its last failover said NO-GO \(1 problem, first: step 5: no probe servers: .*\): no node enforces until `enforcer failover` on node-b says GO$/,
    );
    expect(perfdataOf(held.line)).toMatchObject({ publish_held: 1, node_active: 1 });

    const other = await env.check(env.active, ['lease']);
    expect(other.code, other.stdout).toBe(2);
    expect(other.line).toMatch(/^LEASE CRITICAL - node-a STANDBY: node-b is the active node;/);
    expect(other.stdout.split('\n')[1]).toMatch(/^CRITICAL node-b took over from node-a at epoch 2 \(\S+\), but its last failover said NO-GO .*: no node enforces until `enforcer failover` on node-b says GO$/);
    expect(perfdataOf(other.line)).toMatchObject({ publish_held: 1, node_active: 0 });

    for (const config of [env.standby, env.active]) {
      const prom = await env.check(config, ['all', '--format', 'prometheus']);
      expect(prom.stdout).toContain('dnssec_enforcer_publish_held 1\n');
      expect(prom.stdout).toContain('dnssec_enforcer_check_status{check="lease"} 2\n');
    }
  });
});
