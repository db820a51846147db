// Scenarios 7 and 8: the database under a running active node.
// 7: PostgreSQL restarted mid-run, in fast (SIGINT) and immediate (SIGQUIT: no checkpoint, crash
//    recovery at start) shutdown mode. The run notices at once and stops without reconnecting; the
//    lease could not be handed back and expires. After the fast restart the same node's next cron
//    run carries on once the lease expired; after the immediate one the other node fails over.
// 8: pg_terminate_backend on the holder's run-lock backend (the run stops within milliseconds and
//    hands the lease back, so the next run acts at once), then on both its backends (the lease
//    cannot be handed back; the other node fails over with --partner-down).

import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../../src/util/exit-codes.js';
import { snapshotDirectory } from '../../helpers/db-snapshot.js';
import { FaultCluster } from '../../helpers/fault-cluster.js';
import { Scenario } from '../../helpers/fault-report.js';
import { startPgServer, type PgServer } from '../../helpers/pg-server.js';
import { sleep } from '../../helpers/processes.js';

const FORCE = ['--json', 'run', '--force', '--zone', 'example.com', 'example.net', 'example.org'];
const SLOW = { ENFORCER_FAILPOINT: 'sleep-before-signconf:5000' };
const visible = (d: Record<string, string>) => Object.fromEntries(Object.entries(d).filter(([f]) => !f.startsWith('.')));

async function terminate(url: string, pattern: string): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE $1 AND datname = current_database() AND pid <> pg_backend_pid()`, [pattern]);
    return r.rowCount ?? 0;
  } finally {
    await c.end();
  }
}

describe('scenarios 7 and 8: the database restarted or the holder terminated mid-run', () => {
  let server: PgServer | null = null;
  const clusters: FaultCluster[] = [];
  afterAll(async () => {
    for (const c of clusters) await c.close();
    await server?.stop();
  });

  it('7: PostgreSQL restarted mid-run (fast and immediate shutdown)', async () => {
    const s = new Scenario('7 PostgreSQL restarted mid-run (fast, immediate)');
    server = await startPgServer();
    const c = await FaultCluster.create({ server });
    clusters.push(c);
    for (const mode of ['fast', 'immediate'] as const) {
      const active = (await c.lease()).active_node as 'node-a' | 'node-b';
      const p = c.spawn(active, FORCE, SLOW);
      await p.waitForLog((l) => l.msg.startsWith('failpoint before-signconf reached'));
      const t0 = Date.now();
      const restarted = server.restart(mode);
      const lost = await p.waitForLog((l) => l.msg.includes('no longer sure to be the only acting enforcer'), 10_000);
      s.set(`ms until the run noticed (${mode})`, lost.time - t0);
      expect([EXIT.NOT_ACTIVE, EXIT.DB_UNAVAILABLE], p.stderr()).toContain(await p.exited);
      // Zone steps running beside the one held at the failpoint may have committed before the
      // restart and put their files in place under a lease that was still theirs, racing the
      // loss being noticed (I2 checks each file against its epoch and record). Once the run has
      // stopped, nothing more may land: not while the server comes back, not after.
      const files = snapshotDirectory(c.signconfDir(active));
      await restarted;
      s.set(`ms to restart (${mode})`, Date.now() - t0);
      await sleep(1000);
      s.add('writes refused');
      expect(visible(snapshotDirectory(c.signconfDir(active)))).toEqual(visible(files));
      if (mode === 'fast') {
        while ((await c.lease()).held) await sleep(200);
        const again = await c.run(active);
        expect(again.summary, again.stderr).toMatchObject({ role: 'active', outcome: 'ok' });
      } else {
        const taker = active === 'node-a' ? 'node-b' : 'node-a';
        await c.serve();
        const r = await c.failover(taker, ['--partner-down', '--reason', 'database crashed under it']);
        expect(r.report.verdict, r.stdout + r.stderr).toBe('GO');
        s.add('failovers');
        expect((await c.run(active)).summary?.role).toBe('standby');
      }
      s.add('rounds');
    }
    await s.finish(c);
  });

  it("8: pg_terminate_backend on the lock holder's backends", async () => {
    const s = new Scenario('8 pg_terminate_backend on the lock holder');
    const c = await FaultCluster.create();
    clusters.push(c);
    // The run-lock backend alone: the run stops and hands the lease back; the next run acts at once.
    let p = c.spawn('node-a', FORCE, SLOW);
    await p.waitForLog((l) => l.msg.startsWith('failpoint before-signconf reached'));
    let t0 = Date.now();
    expect(await terminate(c.url, `enforcer-lock:${p.pid}@%`)).toBe(1);
    const lost = await p.waitForLog((l) => l.msg.includes('no longer sure to be the only acting enforcer'), 5000);
    s.set('ms until the run noticed', lost.time - t0);
    while ((await c.lease()).held) await sleep(20);
    s.set('ms until the lease was handed back', Date.now() - t0);
    const next = await c.run('node-a');
    expect(next.summary, next.stderr).toMatchObject({ role: 'active', outcome: 'ok' });
    expect(await p.exited).toBe(EXIT.NOT_ACTIVE);
    s.add('writes refused');
    s.add('rounds');

    // Both backends: nothing can be handed back; the other node takes over.
    p = c.spawn('node-a', FORCE, SLOW);
    await p.waitForLog((l) => l.msg.startsWith('failpoint before-signconf reached'));
    t0 = Date.now();
    expect(await terminate(c.url, `%${p.pid}@node-a`) + (await terminate(c.url, 'dnssec-enforcer@node-a%'))).toBeGreaterThanOrEqual(2);
    // From the moment it knows, nothing more: zone steps running beside the one at the failpoint
    // may have put their files in place before, under a lease that was still theirs (I2 checks that).
    await p.waitForLog((l) => l.msg.includes('no longer sure to be the only acting enforcer'), 10_000);
    const files = snapshotDirectory(c.signconfDir('node-a'));
    await c.serve();
    const r = await c.failover('node-b', ['--partner-down', '--reason', 'node-a lost its database sessions']);
    expect(r.report.verdict, r.stdout + r.stderr).toBe('GO');
    s.set('ms from termination to GO', Date.now() - t0);
    s.add('failovers');
    expect([EXIT.NOT_ACTIVE, EXIT.DB_UNAVAILABLE], p.stderr()).toContain(await p.exited);
    s.add('writes refused');
    expect(visible(snapshotDirectory(c.signconfDir('node-a')))).toEqual(visible(files));
    expect((await c.run('node-a')).summary?.role).toBe('standby');
    s.add('rounds');
    await s.finish(c);
  });
});
