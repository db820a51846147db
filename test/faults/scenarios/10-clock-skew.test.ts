// Scenario 10: clocks. The enforcer's time is the database's; ENFORCER_CLOCK_OFFSET (test databases
// only) moves it by days per node, so a node "ahead" rolls keys early and a node "behind" finds
// every recorded change in its future and waits: no state may move backwards or skip a wait (I3),
// whatever order the nodes act in. A node whose own system clock is off (libfaketime shifts the
// whole process's clock from outside, as a broken NTP setup would) by more than clock.maxSkew
// refuses to act (exit 75) in every role, and within it stamps the database's time, not its own.

import { afterAll, describe, expect, it } from 'vitest';
import { FaultCluster } from '../../helpers/fault-cluster.js';
import { Scenario } from '../../helpers/fault-report.js';
import { missingToolReason, requireTool } from '../../helpers/tools.js';

const ROUNDS = Math.max(4, Math.min(7, Number(process.env.ENFORCER_FAULT_ROUNDS ?? 40) / 6));
const offset = (hours: number) => ({ ENFORCER_CLOCK_OFFSET: `${hours >= 0 ? '+' : ''}${hours}h` });

describe('scenario 10: clock skew', () => {
  let c: FaultCluster;
  afterAll(async () => c?.close());

  it('moves no state backwards, whichever node acts at whatever time; a node whose own clock is off refuses', async (ctx) => {
    const s = new Scenario('10 clock skew (ENFORCER_CLOCK_OFFSET, faketime)');
    c = await FaultCluster.create();
    // node-a runs ahead by 0, 12, 24 ... hours; node-b, 5 h behind real time, starts at the same instant.
    for (let r = 0; r < ROUNDS; r++) {
      const [a, b] = await Promise.all([c.run('node-a', [], offset(r * 12)), c.run('node-b', [], offset(-5))]);
      expect(a.summary, a.stderr).toMatchObject({ role: 'active', outcome: 'ok' });
      expect(b.summary, b.stderr).toMatchObject({ role: 'standby' });
      s.add('rounds');
    }
    // The slow node takes over: it sees every change in its future and changes no state.
    await c.serve();
    const slow = await c.failover('node-b', ['--partner-down', '--reason', 'clock test'], offset(-5));
    expect(slow.report.verdict, slow.stdout + slow.stderr).toBe('GO');
    s.add('failovers');
    // A node whose own clock is an hour off (libfaketime shifts the whole process's clock from
    // outside, as a wrong system clock would) refuses to act in any role and writes nothing.
    if (!requireTool('faketime')) return ctx.skip(missingToolReason(['faketime']) + ': the clock-skew refusal was not tried');
    const hourAhead = (n: 'node-a' | 'node-b', args: string[]) => c.cliUnder(['faketime', '-f', '+1h'], n, args, { FAKETIME_DONT_FAKE_MONOTONIC: '1' });
    const auditBefore = await c.sql<{ n: number; epoch: number }>(`SELECT (SELECT count(*)::int FROM audit_log) AS n, (SELECT epoch::int FROM lease WHERE id = 1) AS epoch`);
    for (const [n, args] of [['node-b', ['run']], ['node-a', ['run']], ['node-a', ['failover', '--partner-down', '--reason', 'skew']]] as const) {
      const refused = await hourAhead(n, [...args]);
      expect(refused.code, refused.stdout + refused.stderr).toBe(75);
      expect(refused.stderr).toMatch(/this node's clock says \S+, the database's \S+: 3[56]\d\d(\.\d)? s ahead, more than clock\.maxSkew \(60 s\): this node refuses to act/);
      s.add('refusals of a node 1 h off');
    }
    expect(await c.sql(`SELECT (SELECT count(*)::int FROM audit_log) AS n, (SELECT epoch::int FROM lease WHERE id = 1) AS epoch`)).toEqual(auditBefore);
    const status = await hourAhead('node-b', ['status']);
    expect(status.stdout).toMatch(/\nclock: +database \S+, this node \+3[56]\d\d(\.\d)? s \(more than clock\.maxSkew, 60 s: this node REFUSES TO ACT/);
    const lease = await hourAhead('node-b', ['check', 'lease']);
    expect(lease.code).toBe(2);
    expect(lease.stdout).toMatch(/\nCRITICAL this node's clock is \+3[56]\d\d(\.\d)? s off the database's .*it refuses to act/);

    // Within clock.maxSkew the node acts, and what it stamps is the database's time, not its own.
    const slightly = await c.cliUnder(['faketime', '-f', '+40s'], 'node-b', ['--json', 'run'], { FAKETIME_DONT_FAKE_MONOTONIC: '1' });
    expect(slightly.code, slightly.stderr).toBe(0);
    const [row] = await c.sql<{ lag: number }>(`SELECT extract(epoch FROM (SELECT max(started_at) FROM run_log WHERE node = 'node-b') - now())::float AS lag`);
    expect(Math.abs(row!.lag)).toBeLessThan(20);
    s.add('runs of a node 40 s off, stamped by the database clock');
    const transitions = Number((await c.sql<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE event = 'transition'`))[0]!.n);
    expect(transitions).toBeGreaterThan(10);
    s.set('node-a ahead by up to (h)', (ROUNDS - 1) * 12);
    s.set('node-b behind by (h)', 5);
    await s.finish(c);
  });
});
