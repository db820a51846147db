// Nodes whose clocks are hours off (ENFORCER_CLOCK_OFFSET, honoured on test databases only) make
// the same lease decisions as correct ones: every lease time is the database's. A holder whose
// clock is 5 h slow is frozen with a live lease; a process whose clock is 5 h fast (it would
// think that lease expired long ago) is refused until the lease expires by the database clock,
// then acts. `status` on a skewed node shows the skew and the true lease times.

import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { readLease } from '../../src/store/lease.js';
import { openPostgres } from '../../src/store/pg-db.js';
import { EXIT } from '../../src/util/exit-codes.js';
import { runCli } from '../helpers/cli.js';
import { createPostgresDatabase } from '../helpers/databases.js';
import { snapshotDatabase } from '../helpers/db-snapshot.js';
import { markDatabase, nodesSetup } from '../helpers/ha-setup.js';
import { sleep, startEnforcer, waitStopped } from '../helpers/processes.js';

// Long enough for the CLI commands below to run while the frozen holder's lease is still live, on a
// busy machine too; the test then shortens what is left of it rather than wait a minute.
const TTL = 60;
const SLOW = { ENFORCER_CLOCK_OFFSET: '-5h' };
const FAST = { ENFORCER_CLOCK_OFFSET: '+5h' };

describe('clock skew', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const c of cleanup) await c();
  });

  it('leaves lease decisions to the database clock', { timeout: 120_000 }, async () => {
    const { url, drop } = await createPostgresDatabase();
    cleanup.push(drop);
    await markDatabase({ url });
    const setup = nodesSetup({ url }, ['node-a', 'node-b'], { ttl: TTL, renewInterval: 3 });
    const db = await openPostgres(url);
    cleanup.unshift(() => db.close());

    // One zone, so no other zone step is inside a transaction when it freezes (that would hold the
    // lease row and make every other node's lease query wait for the server to end it, one ttl).
    const a1 = startEnforcer(['--config', setup.configs['node-a']!, 'run', '--zone', 'example.com'], { ...SLOW, ENFORCER_FAILPOINT: 'pause-before-signconf' });
    cleanup.unshift(async () => {
      a1.child.kill('SIGKILL');
    });
    await a1.waitForLog((l) => l.msg.startsWith('failpoint before-signconf reached'));
    await waitStopped(a1.pid);
    const lease = await readLease(db);
    expect(lease).toMatchObject({ epoch: 1, holderNode: 'node-a', held: true });
    // Written with the database's now(), not the holder's clock 5 h behind.
    expect(Math.abs(lease.acquiredAt!.getTime() - lease.dbNow.getTime())).toBeLessThan(5000);
    expect(lease.expiresAt!.getTime() - lease.renewedAt!.getTime()).toBe(TTL * 1000);

    // Free the run lock (as if the frozen holder's connection had died) so the lease alone decides.
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE $1 AND datname = current_database()`, [`enforcer-lock:${a1.pid}@%`]);
    await admin.end();

    const fastA = await runCli(['--config', setup.configs['node-a']!, 'run'], FAST);
    expect(fastA.code, fastA.stderr).toBe(EXIT.NOT_ACTIVE);
    expect(fastA.stderr).toMatch(/node-a holds the lease \(epoch 1\)/);

    const status = await runCli(['--config', setup.configs['node-b']!, '--json', 'status'], FAST);
    expect(status.code, status.stderr).toBe(0);
    const s = JSON.parse(status.stdout);
    expect(s).toMatchObject({ role: 'STANDBY', activeNode: 'node-a', epoch: 1, lease: { live: true, holder: 'node-a' } });
    expect(Math.abs(s.clock.offsetSeconds - 5 * 3600)).toBeLessThan(5);
    expect(s.lease.expiresAt).toBe(lease.expiresAt!.toISOString());

    const standby = await runCli(['--config', setup.configs['node-b']!, '--json', 'run'], FAST);
    expect(standby.code, standby.stderr).toBe(0);
    expect(JSON.parse(standby.stdout)).toMatchObject({ role: 'standby', activeNode: 'node-a' });

    // The lease runs out when the database clock says so (two seconds from now, by the database).
    const expiresAt = (await db.query<{ at: Date }>(`UPDATE lease SET expires_at = now() + interval '2 seconds' RETURNING expires_at AS at`))[0]!.at;
    while ((await readLease(db)).held) await sleep(100);
    const expiredAt = (await readLease(db)).dbNow.getTime();
    expect(expiredAt).toBeGreaterThanOrEqual(expiresAt.getTime());
    expect(expiredAt - expiresAt.getTime()).toBeLessThan(1000);

    const acts = await runCli(['--config', setup.configs['node-a']!, '--json', 'run'], FAST);
    expect(acts.code, acts.stderr).toBe(0);
    expect(JSON.parse(acts.stdout)).toMatchObject({ role: 'active', node: 'node-a', epoch: 2, outcome: 'ok' });

    const before = await snapshotDatabase(url);
    a1.child.kill('SIGCONT');
    expect(await a1.exited).toBe(EXIT.NOT_ACTIVE);
    expect(await snapshotDatabase(url)).toEqual(before);
  });

  it('refuses a clock offset or failpoint on a production database (neither a test nor a lab database)', async () => {
    const { url, drop } = await createPostgresDatabase();
    cleanup.push(drop);
    const setup = nodesSetup({ url }, ['node-a']);
    for (const env of [FAST, { ENFORCER_FAILPOINT: 'pause-before-signconf' }]) {
      const r = await runCli(['--config', setup.configs['node-a']!, 'run'], env);
      expect(r.code).toBe(EXIT.BAD_INPUT);
      expect(r.stderr).toMatch(
        /(ENFORCER_CLOCK_OFFSET is set, but .* is a production database \(not marked as a lab or test database\); a moved clock is allowed only on a lab database|ENFORCER_FAILPOINT is set, but .* is a production database \(not marked as a lab or test database\); failpoints are for the test suite only)/,
      );
    }
    const db = await openPostgres(url);
    cleanup.unshift(() => db.close());
    expect((await readLease(db)).epoch).toBe(0);
  });
});
