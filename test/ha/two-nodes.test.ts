// Two enforcer processes, one per node, started at the same instant against one PostgreSQL
// database, round after round (ENFORCER_HA_ROUNDS, 10 in `npm test`, 200 in `npm run test:ha`),
// in a cycle of four:
//   0: a race: the test clears the recorded active node first (a fresh cluster), so both
//      processes go for the run lock and the lease and only those decide;
//   1: plain cron rounds: the recorded active node acts, the other is standby;
//   2: the test hands the active role to the other node (takeOver) first;
//   3: a plain round with --force, so every signconf file is rewritten.
// Each round exactly one process acts; the other exits 75 (run lock or lease held) or 0 as
// standby. Afterwards: no key twice, one signconf record per zone matching its file, epochs
// strictly increasing, and the audit log's epochs never going back.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { takeOver } from '../../src/lease/take-over.js';
import { readStamp } from '../../src/signconf/metadata.js';
import { releaseLease } from '../../src/store/lease.js';
import { openPostgres } from '../../src/store/pg-db.js';
import { createPostgresDatabase } from '../helpers/databases.js';
import { nodesSetup } from '../helpers/ha-setup.js';
import { startEnforcer } from '../helpers/processes.js';

const ROUNDS = Number(process.env.ENFORCER_HA_ROUNDS ?? 10);
const NODES = ['node-a', 'node-b'] as const;

describe('two nodes at the same instant', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const c of cleanup) await c();
  });

  it(`exactly one acts in each of ${ROUNDS} rounds`, { timeout: ROUNDS * 15_000 + 60_000 }, async () => {
    const { url, drop } = await createPostgresDatabase();
    cleanup.push(drop);
    const setup = nodesSetup({ url }, [...NODES]);
    const db = await openPostgres(url);
    cleanup.unshift(() => db.close());

    const counts = { acted: 0, standby: 0, lockHeld: 0, leaseHeld: 0, races: 0, takeovers: 0 };
    const epochs: number[] = [];
    let active: string | null = null;
    const started = performance.now();
    for (let round = 0; round < ROUNDS; round++) {
      const kind = round % 4;
      if (kind === 0) {
        // Round 0 is a fresh database: both processes also race to migrate it.
        if (round > 0) await db.query('UPDATE lease SET active_node = NULL');
        active = null;
        counts.races++;
      }
      if (kind === 2) {
        const other = active === 'node-a' ? 'node-b' : 'node-a';
        const t = await takeOver(db, other, 30, `test round ${round}`);
        await releaseLease(db, t.fence);
        epochs.push(t.fence.epoch);
        active = other;
        counts.takeovers++;
      }
      const extra = kind === 3 ? ['--force'] : [];
      // Both spawned in the same tick: as close to "the same instant" as two processes get.
      const procs = NODES.map((n) => startEnforcer(['--config', setup.configs[n]!, '--json', 'run', ...extra]));
      const codes = await Promise.all(procs.map((p) => p.exited));
      const outcomes = procs.map((p, i) => {
        const code = codes[i]!;
        const where = `round ${round}, ${NODES[i]}: exit ${code}\nstdout: ${p.stdout()}\nstderr: ${p.stderr()}`;
        if (code === 0) {
          const s = JSON.parse(p.stdout()) as { role: string; epoch: number; node: string; activeNode: string };
          return { kind: s.role === 'active' ? 'acted' : 'standby', summary: s, where };
        }
        expect(code, where).toBe(75);
        if (/(holds|held) the run lock/.test(p.stderr())) return { kind: 'lockHeld', where };
        expect(p.stderr(), where).toMatch(/holds the lease/);
        return { kind: 'leaseHeld', where };
      });
      const acted = outcomes.filter((o) => o.kind === 'acted');
      expect(acted.length, outcomes.map((o) => o.where).join('\n')).toBe(1);
      const s = acted[0]!.summary!;
      if (active !== null) expect(s.node, acted[0]!.where).toBe(active);
      active = s.node;
      expect(s.epoch).toBeGreaterThan(epochs[epochs.length - 1] ?? 0);
      epochs.push(s.epoch);
      for (const o of outcomes) counts[o.kind as keyof typeof counts]++;
    }
    const perRound = (performance.now() - started) / ROUNDS;
    console.log(`${ROUNDS} rounds, ${perRound.toFixed(0)} ms per round: ${JSON.stringify(counts)}`);

    // No key twice: locators are unique, and every zone has one key per role.
    const dupLocators = await db.query(`SELECT locator FROM hsm_key GROUP BY locator HAVING count(*) > 1`);
    expect(dupLocators).toEqual([]);
    const perZone = await db.query<{ zone: string; roles: string }>(
      `SELECT zone, string_agg(role, ',' ORDER BY role) AS roles FROM zone_key GROUP BY zone ORDER BY zone`,
    );
    expect(perZone).toEqual([
      { zone: 'example.com', roles: 'KSK,ZSK' },
      { zone: 'example.net', roles: 'KSK,ZSK' },
      { zone: 'example.org', roles: 'CSK' },
    ]);
    expect((await db.query(`SELECT id FROM hsm_key`)).length).toBe(5);
    // One signconf record per zone, and each file is exactly the recorded one.
    const records = await db.query<{ zone: string; path: string; content_hash: string; written_epoch: number }>(
      'SELECT zone, path, content_hash, written_epoch FROM signconf_record ORDER BY zone',
    );
    expect(records.map((r) => r.zone)).toEqual(['example.com', 'example.net', 'example.org']);
    for (const r of records) {
      const stamp = readStamp(readFileSync(r.path, 'utf8'));
      expect(path.dirname(r.path)).toBe(setup.signconfDir);
      expect(stamp.stamp).toMatchObject({ epoch: r.written_epoch, hash: r.content_hash });
      expect(stamp.actualHash).toBe(r.content_hash);
    }
    // Epochs only grow: per run, and in the order writes landed.
    expect([...epochs].sort((a, b) => a - b)).toEqual(epochs);
    expect(new Set(epochs).size).toBe(epochs.length);
    const backwards = await db.query(
      `SELECT id FROM (SELECT id, epoch, lag(epoch) OVER (ORDER BY id) AS prev FROM audit_log) s WHERE epoch < prev`,
    );
    expect(backwards).toEqual([]);
    const runs = await db.query<{ epoch: number; outcome: string }>('SELECT epoch, outcome FROM run_log ORDER BY id');
    expect(runs).toHaveLength(ROUNDS);
    expect(runs.every((r) => r.outcome === 'ok')).toBe(true);
  });
});
