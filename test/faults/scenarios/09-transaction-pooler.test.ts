// Scenario 9: a node connected through pgbouncer in transaction mode (Debian's package, installed by
// .ci/run), where a session advisory lock would belong to nobody. Whether the pool has one server
// connection (every client shares a backend) or four (statements wander), `run` and `failover` are
// refused before they take anything; through the same pgbouncer in session mode the node runs.

import { afterAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../../src/util/exit-codes.js';
import { snapshotDatabase } from '../../helpers/db-snapshot.js';
import { FaultCluster } from '../../helpers/fault-cluster.js';
import { Scenario } from '../../helpers/fault-report.js';
import { startPgbouncer, type Pgbouncer } from '../../helpers/pgbouncer.js';
import { missingToolReason, requireTool } from '../../helpers/tools.js';

describe('scenario 9: a transaction-mode pooler', () => {
  let c: FaultCluster | null = null;
  let bouncer: Pgbouncer | null = null;
  afterAll(async () => {
    await bouncer?.stop();
    await c?.close();
  });

  it('is refused; a session-mode pool is accepted', async (ctx) => {
    if (!requireTool('pgbouncer')) return ctx.skip(missingToolReason(['pgbouncer']) + '; apt-get install pgbouncer');
    const s = new Scenario('9 transaction-mode pooler (pgbouncer pool_mode=transaction): refused');
    c = await FaultCluster.create();
    bouncer = await startPgbouncer(c.url);
    const before = await snapshotDatabase(c.url);
    for (const entry of ['tx1', 'tx4'] as const) {
      c.writeConfig('node-a', { url: bouncer.url(entry) });
      c.writeConfig('node-b', { url: bouncer.url(entry) });
      for (const [node, args] of [['node-a', ['run']], ['node-a', ['run', '--force']], ['node-b', ['failover', '--partner-down']]] as const) {
        const r = await c.cli(node, [...args]);
        expect(r.code, r.stdout + r.stderr).toBe(EXIT.ERROR);
        expect(r.stdout + r.stderr).toMatch(/transaction-mode pooler|pool_mode=transaction/);
        s.add(`refused (${entry === 'tx1' ? 'pool of 1' : 'pool of 4'})`);
      }
    }
    expect(await snapshotDatabase(c.url)).toEqual(before);
    c.writeConfig('node-a', { url: bouncer.url('session') });
    const ok = await c.run('node-a', ['--force']);
    expect(ok.summary, ok.stderr).toMatchObject({ role: 'active', outcome: 'ok' });
    s.add('runs through a session-mode pool');
    c.writeConfig('node-a');
    c.writeConfig('node-b');
    await s.finish(c);
  });
});
