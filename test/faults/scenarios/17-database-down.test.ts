// Scenario 17: the database is down for both nodes. Every command that needs it exits 69 (run,
// status, failover with a NO-GO at step 1), nothing is written anywhere, and once the server is
// back the active node's next run carries on.

import { afterAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../../src/util/exit-codes.js';
import { snapshotDirectory } from '../../helpers/db-snapshot.js';
import { FaultCluster, NODES } from '../../helpers/fault-cluster.js';
import { Scenario } from '../../helpers/fault-report.js';
import { startPgServer, type PgServer } from '../../helpers/pg-server.js';

describe('scenario 17: the database down for both nodes', () => {
  let c: FaultCluster | null = null;
  let server: PgServer | null = null;
  let down = false;
  afterAll(async () => {
    if (down) await server?.up();
    await c?.close();
    await server?.stop();
  });

  it('exits 69 everywhere, writes nothing, and carries on once it is back', async () => {
    const s = new Scenario('17 database down for both nodes');
    server = await startPgServer();
    c = await FaultCluster.create({ server });
    const files = NODES.map((n) => snapshotDirectory(c!.signconfDir(n)));
    await server.down('fast');
    down = true;
    const t0 = Date.now();
    const results = await Promise.all([
      ...NODES.map((n) => c!.run(n)),
      ...NODES.map((n) => c!.cli(n, ['status'])),
      c.failover('node-b', ['--partner-down']),
    ]);
    for (const r of results) {
      expect(r.code, r.stdout + r.stderr).toBe(EXIT.DB_UNAVAILABLE);
      s.add('commands exited 69');
    }
    expect((results[4] as Awaited<ReturnType<FaultCluster['failover']>>).report.steps[0]!.status).toBe('FAIL');
    s.set('ms for all five to give up', Date.now() - t0);
    expect(NODES.map((n) => snapshotDirectory(c!.signconfDir(n)))).toEqual(files);
    await server.up();
    down = false;
    const back = await c.run('node-a', ['--force', '--zone', 'example.com', 'example.net', 'example.org']);
    expect(back.summary, back.stderr).toMatchObject({ role: 'active', outcome: 'ok' });
    expect((await c.run('node-b')).summary?.role).toBe('standby');
    s.add('rounds');
    await s.finish(c);
  });
});
