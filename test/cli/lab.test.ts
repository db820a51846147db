// Lab databases through the real CLI: `db init --lab` marks an empty database (PGlite and
// PostgreSQL) and is idempotent; it is refused, naming every trace and changing nothing, on a
// database with production data, on one where only the lease epoch grew, on a test-suite database
// and while the lab's signconf directory holds files. On a lab database --lab-time and
// ENFORCER_CLOCK_OFFSET move the clock, and runs walked along plan's times do what plan said; on a
// production database both are refused (exit 3). `status`, `db status`, `run` and `check lease`
// say LAB wherever the mark is, and never where it is not.

import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ZonePlan } from '../../src/enforcer/plan-view.js';
import type { RunSummary } from '../../src/enforcer/run.js';
import { readAudit } from '../../src/store/audit.js';
import type { Db } from '../../src/store/db.js';
import { acquireLease, releaseLease } from '../../src/store/lease.js';
import { migrate } from '../../src/store/migrate.js';
import { openEmbedded } from '../../src/store/pglite-db.js';
import { openPostgres } from '../../src/store/pg-db.js';
import { EXIT } from '../../src/util/exit-codes.js';
import { perfdataOf } from '../checks/setup.js';
import { exampleSetup, runCli } from '../helpers/cli.js';
import { createPostgresDatabase, DB_KINDS, type DbKind } from '../helpers/databases.js';
import { snapshotDatabase, snapshotDirectory } from '../helpers/db-snapshot.js';
import { markDatabase } from '../helpers/ha-setup.js';

const LAB_NOTE = '(LAB database: a moved clock is allowed; not for production)';
const PRODUCTION_REFUSAL = /is a production database \(not marked as a lab or test database\); a moved clock is allowed only on a lab database \(`enforcer db init --lab` on an empty database\)/;

const drops: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const d of drops.reverse()) await d();
});

async function postgresSetup(): Promise<{ url: string; dir: string; config: string }> {
  const pg = await createPostgresDatabase();
  drops.push(pg.drop);
  return { url: pg.url, ...exampleSetup({ url: pg.url }) };
}

async function withStore<T>(kind: DbKind, where: { url?: string; dir: string }, fn: (db: Db) => Promise<T>): Promise<T> {
  const db = kind === 'postgres' ? await openPostgres(where.url!) : await openEmbedded(path.join(where.dir, 'var', 'db'));
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

// Each test runs a dozen CLI processes (some on an embedded database): slow on a loaded 2-core machine.
describe('db init --lab', () => {
  it.each(DB_KINDS)('marks an empty %s database once; status and db status say LAB', async (kind) => {
    const s = kind === 'postgres' ? await postgresSetup() : { url: undefined, ...exampleSetup() };
    const cli = (...args: string[]) => runCli(['--config', s.config, ...args]);

    const first = await cli('db', 'init', '--lab');
    expect(first.code, first.stderr).toBe(EXIT.OK);
    expect(first.stdout).toMatch(/^database \S+ is now a LAB database: --lab-time WHEN \(or ENFORCER_CLOCK_OFFSET\) moves the clock there/);
    const again = await cli('--json', 'db', 'init', '--lab');
    expect(again.code, again.stderr).toBe(EXIT.OK);
    expect(JSON.parse(again.stdout)).toMatchObject({ kind: 'lab', changed: false });
    // Every command on the lab logs that it is one (here: the second db init).
    expect(again.stderr).toMatch(/"msg":"LAB database \S+ \(enforcer db init --lab\), not for production: the clock is not moved"/);

    // One mark, written under epoch 0 with its audit entry; no enforcer has acted.
    await withStore(kind, s, async (db) => {
      expect(await db.query(`SELECT key, value, epoch FROM meta`)).toEqual([{ key: 'database_kind', value: 'lab', epoch: 0 }]);
      const audit = await readAudit(db);
      expect(audit.map((a) => [a.event, a.actor, a.node, a.epoch])).toEqual([['lab-database-marked', 'db init --lab', 'test-node', 0]]);
    });

    const status = await cli('status');
    expect(status.code).toBe(EXIT.NOT_ACTIVE); // no node has acted yet
    expect(status.stdout).toMatch(new RegExp(`\\ndatabase: +\\S+ ${LAB_NOTE.replace(/[()]/g, '\\$&')}\\n`));
    expect(JSON.parse((await cli('--json', 'status')).stdout)).toMatchObject({ databaseKind: 'lab' });
    const dbStatus = await cli('db', 'status');
    expect(dbStatus.code).toBe(EXIT.OK);
    expect(dbStatus.stdout.split('\n')[0]).toContain(`${LAB_NOTE}: schema version`);
  }, 180_000);

  it('is refused on a database with production data, naming what it holds, and changes nothing', async () => {
    const s = await postgresSetup();
    const cli = (args: string[], env: Record<string, string> = {}) => runCli(['--config', s.config, ...args], env);
    const run = await cli(['run']);
    expect(run.code, run.stderr).toBe(EXIT.OK);
    const snapshot = async () => ({
      db: await snapshotDatabase(s.url),
      signconf: snapshotDirectory(path.join(s.dir, 'signconf')),
      keys: snapshotDirectory(path.join(s.dir, 'var', 'keys')),
    });
    const before = await snapshot();

    const r = await cli(['db', 'init', '--lab']);
    expect(r.code).toBe(EXIT.ERROR);
    expect(r.stderr).toMatch(/enforcer: refused: postgres:\/\/\S+ cannot become a lab database: lease epoch 1 \(an enforcer has acted as the active node\); active node test-node recorded in the lease; 2 policies; 3 zones; \d+ keys; \d+ zone keys; 3 signconf records; 1 recorded run; \d+ audit log entries; 1 node role record; meta rows config_details, config_fingerprint, kasp_sha256, zonelist_sha256; the signconf directory \S+ already holds 3 signconf files \(example\.com\.xml, example\.net\.xml, example\.org\.xml\); keystore SoftHSM \(\S+\) already holds \d+ keys\. A lab needs a new, empty database/);
    const json = await cli(['--json', 'db', 'init', '--lab']);
    expect(json.code).toBe(EXIT.ERROR);
    expect(JSON.parse(json.stdout)).toMatchObject({ exitCode: EXIT.ERROR, error: expect.stringMatching(/^refused: /) });

    // Still production: a moved clock is refused before anything is done, and nothing says LAB.
    const moved = await cli(['--lab-time', 'P1D', 'run']);
    expect(moved.code).toBe(EXIT.BAD_INPUT);
    expect(moved.stderr).toMatch(new RegExp(`--lab-time is given, but postgres://\\S+ ${PRODUCTION_REFUSAL.source}`));
    const env = await cli(['run'], { ENFORCER_CLOCK_OFFSET: '+1d' });
    expect(env.code).toBe(EXIT.BAD_INPUT);
    expect(env.stderr).toMatch(new RegExp(`ENFORCER_CLOCK_OFFSET is set, but postgres://\\S+ ${PRODUCTION_REFUSAL.source}: unset it`));
    expect(await snapshot()).toEqual(before);

    const status = await cli(['status']);
    expect(status.code).toBe(EXIT.OK);
    expect(status.stdout).not.toContain('LAB');
    expect(JSON.parse((await cli(['--json', 'status'])).stdout)).toMatchObject({ databaseKind: 'production' });
    const lease = await cli(['check', 'lease']);
    expect(lease.code, lease.stdout).toBe(0);
    expect(lease.stdout).not.toContain('LAB');
    expect(perfdataOf(lease.stdout.split('\n')[0]!)).toMatchObject({ lab_database: 0 });
  });

  it('is refused for each trace alone: a grown lease epoch, a test-suite mark, signconf files in the way', async () => {
    // Only the lease epoch: an enforcer acquired the lease once and wrote nothing else.
    const a = await postgresSetup();
    const db = await openPostgres(a.url);
    try {
      await migrate(db);
      const got = await acquireLease(db, 'ns-a', 30);
      if (got.role !== 'active') throw new Error('expected active');
      await releaseLease(db, got.fence);
    } finally {
      await db.close();
    }
    const epoch = await runCli(['--config', a.config, 'db', 'init', '--lab']);
    expect(epoch.code).toBe(EXIT.ERROR);
    expect(epoch.stderr).toMatch(/cannot become a lab database: lease epoch 1 \(an enforcer has acted as the active node\); active node ns-a recorded in the lease\. A lab needs/);

    // A database of the test suite stays one.
    const t = await postgresSetup();
    await markDatabase({ url: t.url });
    const test = await runCli(['--config', t.config, 'db', 'init', '--lab']);
    expect(test.code).toBe(EXIT.ERROR);
    expect(test.stderr).toMatch(/cannot become a lab database: the mark database_kind = test \(a database of the test suite\)\. A lab needs/);

    // An empty database, but the signconf directory holds a signer's file: refused and not marked,
    // then accepted once the directory is the lab's own.
    const f = await postgresSetup();
    const signconf = path.join(f.dir, 'signconf');
    mkdirSync(signconf);
    writeFileSync(path.join(signconf, 'example.com.xml'), '<SignerConfiguration/>\n');
    const files = await runCli(['--config', f.config, 'db', 'init', '--lab']);
    expect(files.code).toBe(EXIT.ERROR);
    expect(files.stderr).toMatch(/cannot become a lab database: the signconf directory \S+ already holds 1 signconf file \(example\.com\.xml\)\. A lab needs/);
    expect(JSON.parse((await runCli(['--config', f.config, '--json', 'status'])).stdout)).toMatchObject({ databaseKind: 'production' });
    rmSync(path.join(signconf, 'example.com.xml'));
    expect((await runCli(['--config', f.config, 'db', 'init', '--lab'])).code).toBe(EXIT.OK);
  });
});

describe('a lab database', () => {
  it('walks a timeline with --lab-time: the runs do what plan said, at the times it said', async () => {
    const s = await postgresSetup();
    const cli = (args: string[], env: Record<string, string> = {}) => runCli(['--config', s.config, ...args], env);
    const json = async <T>(args: string[], env: Record<string, string> = {}): Promise<T> => {
      const r = await cli(['--json', ...args], env);
      if (r.code !== 0) throw new Error(`${args.join(' ')}: exit ${r.code}: ${r.stderr}${r.stdout}`);
      return JSON.parse(r.stdout) as T;
    };
    expect((await cli(['db', 'init', '--lab'])).code).toBe(EXIT.OK);
    const first = await json<RunSummary & { lab: { clock: string; clockOffsetSeconds: number | null } }>(['run']);
    expect(first.lab.clockOffsetSeconds).toBeNull();

    // The plan for example.com: its KSK becomes ready (DNSKEY known everywhere), and later its DS is asked for.
    const [plan] = await json<ZonePlan[]>(['plan', '--zone', 'example.com', '--until', 'P10D']);
    const ready = plan!.events.find((e) => e.key?.role === 'KSK' && e.state?.to === 'ready')!;
    const submit = plan!.events.find((e) => e.type === 'ds-submit')!;
    const ksk = submit.key!.keyTag!;
    expect(ready.key!.keyTag).toBe(ksk);
    const at = (iso: string, seconds: number) => new Date(Date.parse(iso) + seconds * 1000).toISOString();
    const kskState = async (labTime: string) =>
      (await json<Array<{ role: string; keyTag: number; state: string }>>(['--lab-time', labTime, 'key', 'list', '--zone', 'example.com'])).find((k) => k.keyTag === ksk)!.state;

    // A minute before each planned step nothing happens yet; a minute after, the run has done it.
    const runAt = async (labTime: string) => json<RunSummary & { lab: { clock: string } }>(['--lab-time', labTime, 'run']);
    const early = await runAt(at(ready.at, -60));
    expect(Date.parse(early.lab.clock) - Date.parse(at(ready.at, -60))).toBeLessThan(30_000);
    expect(await kskState(at(ready.at, -60))).toBe('publish');
    await runAt(at(ready.at, 60));
    expect(await kskState(at(ready.at, 60))).toBe('ready');
    const beforeSubmit = await runAt(at(submit.at, -60));
    expect(beforeSubmit.dsRequests.filter((d) => d.zone === 'example.com')).toEqual([]);
    const afterSubmit = await runAt(at(submit.at, 60));
    expect(afterSubmit.dsRequests).toContainEqual({ zone: 'example.com', type: 'ds-submit', keyTag: ksk });

    // The text report leads with the lab and its clock; status names the moved clock.
    const later = at(submit.at, 120);
    const text = await cli(['--lab-time', later, 'run']);
    expect(text.code, text.stderr).toBe(EXIT.OK);
    expect(text.stdout.split('\n')[0]).toMatch(/^LAB database \(not for production\), clock \S+ \(moved \+\d+d\d+h/);
    const status = await cli(['--lab-time', later, 'status']);
    expect(status.stdout).toMatch(new RegExp(`\\ndatabase: +postgres://\\S+ ${LAB_NOTE.replace(/[()]/g, '\\$&')}\\n`));
    expect(status.stdout).toMatch(/\nclock: +database \S+, this node \+[\d.]+ s \(lab database: clock moved \+\d+d/);

    // Monitoring never takes the lab for production: check lease (and so check all) is WARNING at least.
    const lease = await cli(['--lab-time', later, 'check', 'lease']);
    expect(lease.code, lease.stdout).toBe(1);
    expect(lease.stdout).toMatch(/^LEASE WARNING - LAB database: test-node ACTIVE: /);
    expect(lease.stdout).toMatch(/\nWARNING postgres:\/\/\S+ is a LAB database \(enforcer db init --lab\): a moved clock is allowed there; it is not for production\n/);
    expect(perfdataOf(lease.stdout.split('\n')[0]!)).toMatchObject({ lab_database: 1 });
    const all = await cli(['--lab-time', later, 'check', 'all']);
    expect(all.code, all.stdout).toBeGreaterThanOrEqual(1);
    expect(all.stdout).toMatch(/\nWARNING lease: postgres:\/\/\S+ is a LAB database \(enforcer db init --lab\)/);
  }, 180_000);

  it('takes ENFORCER_CLOCK_OFFSET too, but not both, not a failpoint, not a malformed --lab-time', async () => {
    const s = await postgresSetup();
    const cli = (args: string[], env: Record<string, string> = {}) => runCli(['--config', s.config, ...args], env);
    expect((await cli(['db', 'init', '--lab'])).code).toBe(EXIT.OK);
    const env = await cli(['--json', 'run'], { ENFORCER_CLOCK_OFFSET: '+36h' });
    expect(env.code, env.stderr).toBe(EXIT.OK);
    expect(JSON.parse(env.stdout)).toMatchObject({ outcome: 'ok', lab: { clockOffsetSeconds: 36 * 3600 } });

    const both = await cli(['--lab-time', 'P2D', 'run'], { ENFORCER_CLOCK_OFFSET: '+36h' });
    expect(both.code).toBe(EXIT.BAD_INPUT);
    expect(both.stderr).toContain('both --lab-time and ENFORCER_CLOCK_OFFSET are given: use one of them');
    const failpoint = await cli(['run'], { ENFORCER_FAILPOINT: 'pause-after-lease' });
    expect(failpoint.code).toBe(EXIT.BAD_INPUT);
    expect(failpoint.stderr).toMatch(/ENFORCER_FAILPOINT is set, but postgres:\/\/\S+ is a lab database; failpoints are for the test suite only: unset it/);
    const malformed = await cli(['--lab-time', 'next tuesday', 'run']);
    expect(malformed.code).toBe(EXIT.USAGE);
    expect(malformed.stderr).toContain('--lab-time: expected a date-time such as 2027-02-22T05:00:00Z or a duration ahead of now such as P90D, not "next tuesday"');
  });
});
