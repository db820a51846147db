// Scenario 10: nodes whose clocks disagree by days. Lease decisions use the database clock only;
// the rollover core uses the node's clock, so a node far ahead rolls keys "early" (as its clock
// says) and a node behind finds every recorded change in its future and waits: no state may move
// backwards or skip a wait (I3), whatever order the skewed nodes act in. Skew by
// ENFORCER_CLOCK_OFFSET (test databases only) and, where installed, by libfaketime (`faketime`,
// which shifts the whole process's clock from outside, as a wrong system clock would).

import { afterAll, describe, expect, it } from 'vitest';
import { FaultCluster } from '../../helpers/fault-cluster.js';
import { Scenario } from '../../helpers/fault-report.js';
import { missingToolReason, requireTool } from '../../helpers/tools.js';

const ROUNDS = Math.max(4, Math.min(7, Number(process.env.ENFORCER_FAULT_ROUNDS ?? 40) / 6));
const offset = (hours: number) => ({ ENFORCER_CLOCK_OFFSET: `${hours >= 0 ? '+' : ''}${hours}h` });

describe('scenario 10: clock skew', () => {
  let c: FaultCluster;
  afterAll(async () => c?.close());

  it('moves no state backwards, whichever skewed node acts', async (ctx) => {
    const faketime = requireTool('faketime');
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
    // Then ahead of everything, through libfaketime where it is installed.
    const ahead = ROUNDS * 12 + 48;
    for (let r = 0; r < 3; r++) {
      const res = faketime
        ? await c.cliUnder(['faketime', '-f', `+${ahead + r * 24}h`], 'node-b', ['--json', 'run'], { FAKETIME_DONT_FAKE_MONOTONIC: '1' })
        : await c.cli('node-b', ['--json', 'run'], offset(ahead + r * 24));
      expect(res.code, res.stderr).toBe(0);
      expect(JSON.parse(res.stdout)).toMatchObject({ role: 'active', outcome: 'ok' });
      s.add(faketime ? 'rounds under faketime' : 'rounds (faketime missing: offset instead)');
    }
    const transitions = Number((await c.sql<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE event = 'transition'`))[0]!.n);
    expect(transitions).toBeGreaterThan(10);
    s.set('node-a ahead by up to (h)', (ROUNDS - 1) * 12);
    s.set('node-b behind by (h)', 5);
    await s.finish(c);
    if (!faketime) ctx.skip(missingToolReason(['faketime']) + '; the offset rounds ran instead');
  });
});
