// Scenario 2: runs overlapping on one node (cron firing while the previous run still goes, an
// operator's run by hand): while one run holds the lease (held there by a sleep failpoint), every
// other run of the same node, plain or --force, is refused with exit 75 and writes nothing.

import { afterAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../../src/util/exit-codes.js';
import { snapshotDirectory } from '../../helpers/db-snapshot.js';
import { FaultCluster } from '../../helpers/fault-cluster.js';
import { Scenario } from '../../helpers/fault-report.js';

const ROUNDS = Math.max(3, Math.min(4, Number(process.env.ENFORCER_FAULT_ROUNDS ?? 40) / 10));

describe('scenario 2: overlapping runs on one node', () => {
  let c: FaultCluster;
  afterAll(async () => c?.close());

  it('refuses every run that overlaps the one acting', async () => {
    const s = new Scenario('2 overlapping runs on one node');
    c = await FaultCluster.create();
    for (let round = 0; round < ROUNDS; round++) {
      const first = c.spawn('node-a', ['--json', 'run', '--force', '--zone', 'example.com', 'example.net', 'example.org'], {
        ENFORCER_FAILPOINT: 'sleep-after-lease:8000',
      });
      await first.waitForLog((l) => l.msg.startsWith('failpoint after-lease reached'));
      const files = snapshotDirectory(c.signconfDir('node-a'));
      const overlaps = await Promise.all([c.run('node-a'), c.run('node-a', ['--force']), c.cli('node-a', ['key', 'generate', '--policy', 'default', '--count', '3'])]);
      for (const r of overlaps) {
        expect(r.code, r.stderr).toBe(EXIT.NOT_ACTIVE);
        expect(r.stderr).toMatch(/another enforcer is running: node-a \(process \d+/);
        s.add('writes refused');
      }
      expect(snapshotDirectory(c.signconfDir('node-a'))).toEqual(files);
      expect(await first.exited, first.stderr()).toBe(0);
      s.add('rounds');
    }
    await s.finish(c);
  });
});
