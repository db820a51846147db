// Scenario 4: the active node is frozen (SIGSTOP, as a paused VM) for longer than its lease, the
// other node fails over with --partner-down, and the frozen node is resumed (SIGCONT). Twice: frozen
// at a moment the test picks (during a sleep right after taking the lease), and frozen at the worst
// moment there is, after its zone step committed and just before it renames the signconf into
// place. Either way the resumed node must write nothing more: no row, and no file in its signconf
// directory (a file renamed there after the lease was lost is what its signer would load).

import { afterAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../../src/util/exit-codes.js';
import { snapshotDatabase, snapshotDirectory } from '../../helpers/db-snapshot.js';
import { FaultCluster, other, type Node } from '../../helpers/fault-cluster.js';
import { Scenario } from '../../helpers/fault-report.js';
import { sleep, waitStopped } from '../../helpers/processes.js';

const FORCE = ['--json', 'run', '--force', '--zone', 'example.com', 'example.net', 'example.org'];
const visible = (d: Record<string, string>) => Object.fromEntries(Object.entries(d).filter(([f]) => !f.startsWith('.')));

describe('scenario 4: the active node frozen past its lease', () => {
  let c: FaultCluster;
  afterAll(async () => c?.close());

  it('writes nothing once resumed after the other node took over', async () => {
    const s = new Scenario('4 SIGSTOP the active node past the lease, fail over, SIGCONT');
    c = await FaultCluster.create();
    let active: Node = 'node-a';
    const cases = [
      { how: 'frozen by the test during its run', env: { ENFORCER_FAILPOINT: 'sleep-after-lease:2000' }, wait: 'sleep-after-lease' },
      { how: 'frozen after its commit, before its rename', env: { ENFORCER_FAILPOINT: 'pause-before-rename' }, wait: 'pause-before-rename' },
    ];
    for (const k of cases) {
      const frozen: Node = active;
      const taker: Node = other(frozen);
      const p = c.spawn(frozen, FORCE, k.env);
      await p.waitForLog((l) => l.msg.startsWith('failpoint '));
      if (k.wait === 'sleep-after-lease') p.child.kill('SIGSTOP');
      await waitStopped(p.pid);
      const stoppedAt = Date.now();
      // Past the lease: the database clock expires it, the server ends the frozen lock session.
      while ((await c.lease()).held) await sleep(200);
      await sleep(c.ttl * 1000);
      s.add('ms frozen before the takeover', Date.now() - stoppedAt);
      await c.serve();
      const r = await c.failover(taker, ['--partner-down', '--reason', k.how]);
      expect(r.report.verdict, r.stdout + r.stderr).toBe('GO');
      s.add('failovers');
      const db = await snapshotDatabase(c.url);
      const files = snapshotDirectory(c.signconfDir(frozen));
      p.child.kill('SIGCONT');
      const code = await p.exited;
      expect(code, p.stderr()).toBe(EXIT.NOT_ACTIVE);
      s.add('writes refused');
      expect(await snapshotDatabase(c.url)).toEqual(db);
      // Its temp file is gone or left as it was; nothing new is in place.
      expect(visible(snapshotDirectory(c.signconfDir(frozen)))).toEqual(visible(files));
      active = taker;
      expect((await c.run(active)).code).toBe(0);
      s.add('rounds');
    }
    await s.finish(c);
  });
});
