// Scenario 3: the active node is killed (SIGKILL, no cleanup at all) at each failpoint in turn, and
// the other node fails over: with --partner-down at once, or without it once the lease expired and
// the safe period passed (the lease row's renewal time is aged by hand: the safe period is at least
// 60 s). The nodes alternate, so every point is crossed by a node that took over before. Last, the
// standby is killed right after its failover took the lease, and the old node fails back.

import { afterAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../../src/util/exit-codes.js';
import { FaultCluster, other, type Node } from '../../helpers/fault-cluster.js';
import { Scenario } from '../../helpers/fault-report.js';
import { sleep } from '../../helpers/processes.js';

const CRASHED = 128 + 9;
/** Every zone examined and its signconf rewritten, due or not. */
const FORCE = ['run', '--force', '--zone', 'example.com', 'example.net', 'example.org'];

const POINTS: Array<{ point: string; args: string[]; partnerDown: boolean }> = [
  { point: 'after-lease', args: ['run'], partnerDown: true },
  { point: 'after-keygen', args: ['key', 'generate', '--policy', 'default', '--count', '2'], partnerDown: true },
  { point: 'mid-signconf', args: FORCE, partnerDown: true },
  { point: 'before-signconf', args: FORCE, partnerDown: false },
  { point: 'after-commit', args: FORCE, partnerDown: true },
  { point: 'before-rename', args: FORCE, partnerDown: false },
];

describe('scenario 3: a crash at each failpoint, then failover', () => {
  let c: FaultCluster;
  afterAll(async () => c?.close());

  it('loses nothing and lets no stale node write', async () => {
    const s = new Scenario('3 crash at each failpoint, then the other node fails over');
    c = await FaultCluster.create();
    let active: Node = 'node-a';

    const crash = async (n: Node, args: string[], point: string) => {
      const p = c.spawn(n, args, { ENFORCER_FAILPOINT: `crash-${point}` });
      const code = await p.exited;
      expect(code, p.stderr()).toBe(CRASHED);
      expect(p.logs().some((l) => l.msg === `failpoint ${point} reached: crash`)).toBe(true);
      s.add('crashes');
    };
    const failover = async (n: Node, partnerDown: boolean) => {
      if (!partnerDown) {
        // The crashed holder's lease runs out after one ttl; then its silence must outlast the safe period.
        while ((await c.lease()).held) await sleep(200);
        await c.sql(`UPDATE lease SET renewed_at = now() - interval '2 hours'`);
      }
      await c.serve();
      const r = await c.failover(n, partnerDown ? ['--partner-down', '--reason', 'crashed'] : []);
      expect(r.report.verdict, r.stdout + r.stderr).toBe('GO');
      expect(r.report.takeover).toMatchObject({ from: other(n), forced: partnerDown });
      s.add(partnerDown ? 'failovers --partner-down' : 'failovers after the safe period');
    };

    for (const { point, args, partnerDown } of POINTS) {
      await crash(active, args, point);
      if (point === 'mid-signconf') {
        // The torn temp file stays behind (nothing ran to remove it), hidden from the signer.
        const left = (await c.check()).figures.tempFiles;
        expect(left).toBeGreaterThan(0);
      }
      active = other(active);
      await failover(active, partnerDown);
      // Cron on both nodes afterwards: the new active node runs, the crashed one is standby.
      const runs = await Promise.all([c.run(active), c.run(other(active))]);
      expect(runs.map((r) => r.code), runs.map((r) => r.stderr).join('\n')).toEqual([0, 0]);
      expect(runs.map((r) => r.summary?.role)).toEqual(['active', 'standby']);
      s.add('rounds');
    }

    // after-takeover: the standby dies right after its failover took the lease (publish hold on it).
    const standby = other(active);
    await c.serve();
    await crash(standby, ['--json', 'failover', '--partner-down'], 'after-takeover');
    expect((await c.lease()).active_node).toBe(standby);
    const held = await c.run(standby);
    expect(held.code).toBe(EXIT.ERROR);
    s.add('writes refused');
    await failover(active, true);
    expect((await c.run(active)).code).toBe(0);
    s.add('rounds');
    s.set('failpoints', POINTS.length + 1);
    await s.finish(c);
  });
});
