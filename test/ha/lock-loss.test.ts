// The ground moving under a running enforcer: its run-lock backend terminated, its store backend
// terminated, the whole server restarted. Each time the run stops without writing anything
// afterwards (it never reconnects to carry on), and the run lock is free for the next run at
// once. The lease is free at once too when the stopping process could still hand it back;
// otherwise it expires after one ttl.

import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { readLease } from '../../src/store/lease.js';
import { openPostgres } from '../../src/store/pg-db.js';
import { readRunLockHolder } from '../../src/store/run-lock.js';
import { EXIT } from '../../src/util/exit-codes.js';
import { runCli } from '../helpers/cli.js';
import { createPostgresDatabase } from '../helpers/databases.js';
import { snapshotDatabase, snapshotDirectory } from '../helpers/db-snapshot.js';
import { startPgServer } from '../helpers/pg-server.js';
import { markDatabase, nodesSetup } from '../helpers/ha-setup.js';
import { sleep, startEnforcer } from '../helpers/processes.js';

const TTL = 5;
const FAILPOINT = { ENFORCER_FAILPOINT: 'sleep-before-signconf:4000' };

/** Terminate the backends whose application_name matches; returns how many, and when (ms epoch) the statement was sent. */
async function terminate(url: string, appPattern: string): Promise<{ count: number; at: number }> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const at = Date.now();
    const r = await c.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE $1 AND datname = current_database() AND pid <> pg_backend_pid()`, [appPattern]);
    return { count: r.rowCount ?? 0, at };
  } finally {
    await c.end();
  }
}

async function until<T>(what: string, fn: () => Promise<T | null | false>, timeoutMs: number): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe('losing the ground mid-run', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const c of cleanup) await c();
  });

  async function setupDb(url?: string) {
    const created = url ? { url, drop: async () => undefined } : await createPostgresDatabase();
    cleanup.push(created.drop);
    await markDatabase({ url: created.url });
    const setup = nodesSetup({ url: created.url }, ['node-a'], { ttl: TTL });
    return { url: created.url, setup };
  }

  it('stops at once when its run-lock backend is terminated; the lock and lease are free at once', async () => {
    const { url, setup } = await setupDb();
    const a = startEnforcer(['--config', setup.configs['node-a']!, 'run'], FAILPOINT);
    await a.waitForLog((l) => l.msg.startsWith('failpoint before-signconf reached'));
    const { count, at: t0 } = await terminate(url, `enforcer-lock:${a.pid}@%`);
    expect(count).toBe(1);
    const lost = await a.waitForLog((l) => l.msg.includes('no longer sure to be the only acting enforcer'), 5000);
    console.log(`run-lock backend terminated: the run noticed after ${lost.time - t0} ms`);
    expect(lost.time - t0).toBeLessThan(1000);
    const db = await openPostgres(url);
    cleanup.unshift(() => db.close());
    await until('the lease to be handed back', async () => !(await readLease(db)).held, 2000);
    expect(await readRunLockHolder(db)).toBeNull();

    // The next run acts at once, while the first process is still inside its failpoint sleep. It
    // writes every zone: those the first run had not finished, and those it wrote but stopped
    // before telling the signer (zone steps run side by side, so it may have written some), which
    // are not published and so are written and published again.
    const finished = (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM signconf_record'))[0]!.n;
    expect(finished).toBeLessThan(3);
    const next = await runCli(['--config', setup.configs['node-a']!, '--json', 'run']);
    expect(next.code, next.stderr).toBe(0);
    expect(JSON.parse(next.stdout)).toMatchObject({ role: 'active', epoch: 2, signconfWritten: 3, signconfPublished: 3 });
    const dbBefore = await snapshotDatabase(url);
    const filesBefore = snapshotDirectory(setup.signconfDir);

    expect(await a.exited).toBe(EXIT.NOT_ACTIVE);
    expect(a.stderr()).toMatch(/run lock lost: the lock's database connection failed/);
    expect(await snapshotDatabase(url)).toEqual(dbBefore);
    expect(Object.keys(snapshotDirectory(setup.signconfDir))).toEqual(Object.keys(filesBefore).filter((f) => !f.startsWith('.')));
  });

  it('stops when its store backend is terminated; the lock is free at once, the lease after one ttl', async () => {
    const { url, setup } = await setupDb();
    const a = startEnforcer(['--config', setup.configs['node-a']!, 'run'], FAILPOINT);
    await a.waitForLog((l) => l.msg.startsWith('failpoint before-signconf reached'));
    expect((await terminate(url, 'dnssec-enforcer@node-a')).count).toBe(1);
    const dbBefore = await snapshotDatabase(url);
    // The next lease renewal (every second) fails on the dead connection: the guard gives up.
    await a.waitForLog((l) => l.msg.includes('no longer sure to be the only acting enforcer'), 3000);
    const db = await openPostgres(url);
    cleanup.unshift(() => db.close());
    await until('the run lock to be free', async () => (await readRunLockHolder(db)) === null, 2000);
    // It could not hand the lease back: a run now is refused until the lease expires.
    expect((await readLease(db)).held).toBe(true);
    const early = await runCli(['--config', setup.configs['node-a']!, 'run']);
    expect(early.code, early.stderr).toBe(EXIT.NOT_ACTIVE);
    expect(early.stderr).toMatch(/node-a holds the lease \(epoch 1\)/);
    expect(await a.exited).toBe(EXIT.DB_UNAVAILABLE);
    expect(await snapshotDatabase(url)).toEqual(dbBefore);
    await until('the lease to expire', async () => !(await readLease(db)).held, (TTL + 2) * 1000);
    const later = await runCli(['--config', setup.configs['node-a']!, '--json', 'run']);
    expect(later.code, later.stderr).toBe(0);
  });

  it('stops when the server restarts mid-run and never reconnects to carry on', async () => {
    const server = await startPgServer();
    cleanup.push(() => server.stop());
    const { url, setup } = await setupDb(server.url);
    const a = startEnforcer(['--config', setup.configs['node-a']!, 'run'], { ENFORCER_FAILPOINT: 'sleep-before-signconf:6000' });
    await a.waitForLog((l) => l.msg.startsWith('failpoint before-signconf reached'));
    const t0 = Date.now();
    const restarted = server.restart();
    const lost = await a.waitForLog((l) => l.msg.includes('no longer sure to be the only acting enforcer'), 5000);
    console.log(`server restarting: the run noticed after ${lost.time - t0} ms`);
    await restarted;
    const dbBefore = await snapshotDatabase(url);
    const db = await openPostgres(url);
    cleanup.unshift(() => db.close());
    expect(await readRunLockHolder(db)).toBeNull();
    const code = await a.exited;
    expect([EXIT.NOT_ACTIVE, EXIT.DB_UNAVAILABLE]).toContain(code);
    expect(await snapshotDatabase(url)).toEqual(dbBefore);
    // The restart ended every session, so the lease could not be handed back: it expires.
    await until('the lease to expire', async () => !(await readLease(db)).held, (TTL + 2) * 1000);
    const next = await runCli(['--config', setup.configs['node-a']!, '--json', 'run']);
    expect(next.code, next.stderr).toBe(0);
    expect(JSON.parse(next.stdout)).toMatchObject({ role: 'active', epoch: 2, outcome: 'ok' });
  });
});
