// A run killed mid-write (SIGKILL at a failpoint: no cleanup at all) through the real CLI on real
// PostgreSQL: its run_log row stays `running` and a torn signconf temp file stays behind. Once its
// lease is gone `status` and `check lease` call the run abandoned, never running; the next run
// records it as abandoned (keeping the run's own epoch) and, once the temp files are older than a
// run may take, removes them.

import { readdirSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openPostgres } from '../../src/store/pg-db.js';
import { lastRun } from '../../src/store/run-log.js';
import { runCli } from '../helpers/cli.js';
import { createPostgresDatabase } from '../helpers/databases.js';
import { markDatabase, nodesSetup } from '../helpers/ha-setup.js';
import { sleep, startEnforcer } from '../helpers/processes.js';

const TEMP = /^\.example\.(com|net|org)\.xml\.[0-9a-f]{12}\.tmp$/;

describe('a run killed mid-write', () => {
  const drops: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const d of drops) await d();
  });

  it('is shown abandoned once its lease is gone, recorded abandoned by the next run, and its temp files removed', async () => {
    const { url, drop } = await createPostgresDatabase();
    drops.push(drop);
    await markDatabase({ url }); // failpoints need a test database
    const setup = nodesSetup({ url }, ['node-a'], { ttl: 5, renewInterval: 1, logLevel: 'warn' });
    const config = setup.configs['node-a']!;
    const first = await runCli(['--config', config, 'run']);
    expect(first.code, first.stderr).toBe(0);

    const killed = startEnforcer(['--config', config, 'run', '--force'], { ENFORCER_FAILPOINT: 'crash-mid-signconf' });
    expect(await killed.exited, killed.stderr()).toBe(128 + 9);
    const temps = readdirSync(setup.signconfDir).filter((n) => TEMP.test(n));
    // Zone steps run side by side: one torn temp file per zone whose write had begun.
    expect(temps.length).toBeGreaterThan(0);

    // Its lease runs out after one ttl; from then on nobody can finish that run.
    const status = async () => JSON.parse((await runCli(['--config', config, '--json', 'status'])).stdout);
    let s = await status();
    for (let i = 0; s.lease.live && i < 50; i++) {
      await sleep(200);
      s = await status();
    }
    expect(s.lease.live).toBe(false);
    expect(s.lastRun).toMatchObject({ node: 'node-a', epoch: 2, outcome: 'abandoned', finishedAt: null });
    expect(s.lastSuccessfulRun).toMatchObject({ epoch: 1, outcome: 'ok' });
    const text = await runCli(['--config', config, 'status']);
    expect(text.stdout).toMatch(/\nlast run: +abandoned on node-a \(epoch 2\), started \S+ \(its process stopped without finishing: killed\?\)\n/);
    expect(text.stdout).not.toMatch(/last run: +running/);
    const lease = await runCli(['--config', config, 'check', 'lease']);
    expect(lease.code, lease.stdout).toBe(1);
    expect(lease.stdout).toMatch(
      /\nWARNING the last run \(on node-a, epoch 2, started \S+\) was abandoned: its process stopped without finishing \(killed, or it lost the lease mid-run\); the next run records it as abandoned\n/,
    );

    // The torn temp files are still young: the next run leaves them (a live writer could own one that young).
    const next = await runCli(['--config', config, '--json', 'run']);
    expect(next.code, next.stderr).toBe(0);
    expect(JSON.parse(next.stdout)).toMatchObject({ epoch: 3, outcome: 'ok', runsAbandoned: 1, tempFilesRemoved: 0 });
    expect(readdirSync(setup.signconfDir).filter((n) => TEMP.test(n))).toEqual(temps);
    expect(next.stderr).toContain('marked a run abandoned: its process stopped without finishing');

    const db = await openPostgres(url);
    try {
      const rows = await db.query<{ id: number; outcome: string; finished_at: Date | null; summary: Record<string, unknown> }>('SELECT * FROM run_log ORDER BY id');
      expect(rows.map((r) => r.outcome)).toEqual(['ok', 'abandoned', 'ok']);
      expect(rows[1]!.finished_at).toBeNull();
      expect(rows[1]!.summary).toMatchObject({ abandoned: { runEpoch: 2, noticedBy: 'node-a', noticedEpoch: 3 } });
      // Read back as the run it was: its own epoch, not the marking run's.
      expect(await lastRun(db, ['abandoned'])).toMatchObject({ id: rows[1]!.id, node: 'node-a', epoch: 2, outcome: 'abandoned' });
      const audit = await db.query<{ detail: Record<string, unknown>; epoch: number }>(`SELECT detail, epoch FROM audit_log WHERE event = 'run abandoned'`);
      expect(audit).toEqual([{ epoch: 3, detail: expect.objectContaining({ run: rows[1]!.id, node: 'node-a', epoch: 2 }) }]);
    } finally {
      await db.close();
    }
    expect(await status()).toMatchObject({ lastRun: { epoch: 3, outcome: 'ok' } });

    // Once older than a run may take (ttl 5 s here: the one-hour floor), the next run removes them.
    const old = new Date(Date.now() - 2 * 3600 * 1000);
    for (const t of temps) utimesSync(path.join(setup.signconfDir, t), old, old);
    const later = await runCli(['--config', config, '--json', 'run']);
    expect(JSON.parse(later.stdout)).toMatchObject({ outcome: 'ok', runsAbandoned: 0, tempFilesRemoved: temps.length });
    expect(readdirSync(setup.signconfDir).filter((n) => TEMP.test(n))).toEqual([]);
  });

  it('records as abandoned a row left running under an older epoch (written by hand, fenced)', async () => {
    const { url, drop } = await createPostgresDatabase();
    drops.push(drop);
    const setup = nodesSetup({ url }, ['node-a'], { logLevel: 'warn' });
    const config = setup.configs['node-a']!;
    expect((await runCli(['--config', config, 'run'])).code).toBe(0);
    const db = await openPostgres(url);
    try {
      // As a killed run leaves it: started, never finished, under the current epoch (1); the lease is free.
      await db.transaction(async (tx) => {
        await tx.query(`SELECT set_config('enforcer.epoch', (SELECT epoch::text FROM lease WHERE id = 1), true)`);
        await tx.query(`INSERT INTO run_log (node, started_at, outcome) VALUES ('node-a', now(), 'running')`);
      });
      const before = JSON.parse((await runCli(['--config', config, '--json', 'status'])).stdout);
      expect(before.lastRun).toMatchObject({ epoch: 1, outcome: 'abandoned' });
      const r = await runCli(['--config', config, '--json', 'run']);
      expect(JSON.parse(r.stdout)).toMatchObject({ epoch: 2, outcome: 'ok', runsAbandoned: 1 });
      const rows = await db.query<{ outcome: string }>('SELECT outcome FROM run_log ORDER BY id');
      expect(rows.map((x) => x.outcome)).toEqual(['ok', 'abandoned', 'ok']);
      // Its own row, running under the current epoch while it holds the lease, is never touched.
      expect(await lastRun(db)).toMatchObject({ epoch: 2, outcome: 'ok' });
    } finally {
      await db.close();
    }
  });
});
