// Scenario 1: both nodes' cron jobs start at the same instant, round after round
// (ENFORCER_FAULT_ROUNDS / 4, at least 8). Every fourth round the recorded active node is cleared
// first (a fresh cluster), so the two processes race for the run lock and the lease alone; in the
// others the active node acts and the other is standby. Each round exactly one process acts.

import { afterAll, describe, expect, it } from 'vitest';
import { FaultCluster, NODES } from '../../helpers/fault-cluster.js';
import { Scenario } from '../../helpers/fault-report.js';

const ROUNDS = Math.max(8, Math.floor(Number(process.env.ENFORCER_FAULT_ROUNDS ?? 40) / 4));

describe('scenario 1: both nodes start at once', () => {
  let c: FaultCluster;
  afterAll(async () => c?.close());

  it(`exactly one acts in each of ${ROUNDS} rounds`, async () => {
    const s = new Scenario('1 both nodes start at once, many rounds');
    c = await FaultCluster.create();
    for (let round = 0; round < ROUNDS; round++) {
      if (round % 4 === 0) {
        await c.sql('UPDATE lease SET active_node = NULL');
        s.add('races');
      }
      const args = round % 4 === 3 ? ['--force', '--zone', 'example.com', 'example.net', 'example.org'] : [];
      const runs = await Promise.all(NODES.map((n) => c.run(n, args)));
      const acted = runs.filter((r) => r.code === 0 && r.summary?.role === 'active');
      expect(acted.length, runs.map((r) => `${r.code} ${r.stdout} ${r.stderr}`).join('\n')).toBe(1);
      for (const r of runs) {
        if (r.code === 0) s.add(r.summary?.role === 'active' ? `acted (${String(r.summary.node)})` : 'standby');
        else {
          expect(r.code, r.stderr).toBe(75);
          s.add(/run lock/.test(r.stderr) ? 'refused: run lock held' : 'refused: lease held');
        }
      }
      s.add('rounds');
    }
    await s.finish(c);
  });
});
