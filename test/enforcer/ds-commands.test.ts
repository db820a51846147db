// DS submit commands driven from stored state, on the real store (PGlite and PostgreSQL) with the
// whole enforcer on the example's example.com (KSK + ZSK) and a real shell command that logs every
// invocation and succeeds only while a "registrar up" file exists: a failing command is retried at
// each run and, once it succeeded, never run again; a request answered or withdrawn before the retry
// is not run; after a takeover the new node runs the pending request once and the old node, fenced
// (or frozen past its lease after its claim), none.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfigFile, type Config } from '../../src/config/config.js';
import { runPendingDsCommands } from '../../src/enforcer/ds-commands.js';
import { recordDsAnswer } from '../../src/enforcer/operator-input.js';
import { runEnforcer, type RunSummary } from '../../src/enforcer/run.js';
import { Keystores } from '../../src/keys/keystores.js';
import { enterActive } from '../../src/lease/single-active.js';
import { readAudit } from '../../src/store/audit.js';
import type { Db } from '../../src/store/db.js';
import { claimDsRequest, pendingDsRequests, recordDsCommandOutcome } from '../../src/store/ds-requests.js';
import { allZoneKeys, type ZoneKeyRow } from '../../src/store/keys.js';
import { fenced, releaseLease, takeOverLease, type Fence } from '../../src/store/lease.js';
import { migrate } from '../../src/store/migrate.js';
import { openPostgres } from '../../src/store/pg-db.js';
import { openEmbedded } from '../../src/store/pglite-db.js';
import { deleteZone } from '../../src/store/zones.js';
import { ManualClock } from '../../src/util/clock.js';
import { silentLogger } from '../../src/util/logger.js';
import { exampleSetup } from '../helpers/cli.js';
import { createPostgresDatabase, DB_KINDS } from '../helpers/databases.js';

const T0 = Date.parse('2027-01-01T00:00:00Z');
const HOUR = 3_600_000;
/** Two days on, the new KSK's DNSKEY is in every cache: the run asks for its DS. */
const DS_DUE = T0 + 48 * HOUR;
const ZONE = 'example.com';

describe.each(DB_KINDS)('DS commands from stored state (%s)', (kind) => {
  let db: Db;
  let dir: string;
  let base: Config;
  let drop: () => Promise<void>;
  let clock: ManualClock;

  beforeEach(async () => {
    clock = new ManualClock(T0);
    if (kind === 'postgres') {
      const pg = await createPostgresDatabase();
      drop = pg.drop;
      const setup = exampleSetup({ url: pg.url });
      dir = setup.dir;
      base = loadConfigFile(setup.config);
      db = await openPostgres(pg.url);
    } else {
      const setup = exampleSetup();
      dir = setup.dir;
      base = loadConfigFile(setup.config);
      if (base.database.kind !== 'embedded') throw new Error('expected the embedded database');
      db = await openEmbedded(base.database.directory);
      drop = async () => undefined;
    }
    await migrate(db);
  });
  afterEach(async () => {
    await db?.close();
    await drop?.();
  });

  /** Node `node`'s configuration: its submit command logs "node action zone keytag" and succeeds only while the registrar is up. */
  function configFor(node: string, command = true): Config {
    const submit = `cat > /dev/null; echo "${node} $ENFORCER_DS_ACTION $ENFORCER_ZONE $ENFORCER_KEYTAG" >> "${dir}/ds.log"; test -e "${dir}/registrar-up"`;
    return { ...base, node, ds: { submitCommand: command ? submit : null, retractCommand: null, timeoutSeconds: 10 } };
  }
  const registrarUp = () => writeFileSync(path.join(dir, 'registrar-up'), '');
  const invocations = (): string[] => (existsSync(path.join(dir, 'ds.log')) ? readFileSync(path.join(dir, 'ds.log'), 'utf8').split('\n').filter(Boolean) : []);
  const run = (config: Config, zones = [ZONE]): Promise<RunSummary> =>
    runEnforcer({ db, config, keystores: new Keystores(config), clock, log: silentLogger }, { zones });
  const later = (ms: number) => clock.set(clock.now().getTime() + ms);
  const ksk = async (zone = ZONE): Promise<ZoneKeyRow> => (await allZoneKeys(db, zone)).find((k) => k.role === 'KSK')!;

  async function asActive<T>(config: Config, fn: (fence: Fence) => Promise<T>): Promise<T> {
    const entered = await enterActive({ db, config, log: silentLogger });
    if (entered.role !== 'active') throw new Error('expected to be active');
    try {
      return await fn(entered.session.fence);
    } finally {
      await entered.session.end();
    }
  }

  /** The first run, then the run two days on that asks for the DS (and runs the command, if configured). */
  async function decide(config: Config, zones = [ZONE]): Promise<RunSummary> {
    expect((await run(config, zones)).dsRequests).toEqual([]);
    clock.set(DS_DUE);
    const s = await run(config, zones);
    expect(s.dsRequests.map((r) => r.zone).sort()).toEqual([...zones].sort());
    return s;
  }

  it('retries a failing command at every run until it succeeds, then never runs it again', async () => {
    const a = configFor('node-a');
    const first = await decide(a);
    const tag = (await ksk()).keyTag;
    expect(first.dsCommands).toEqual([{ zone: ZONE, type: 'ds-submit', keyTag: tag, request: 1, attempt: 1, ok: false, summary: 'exited with code 1', interruptedAt: null }]);
    expect(first.errors).toEqual([{ zone: ZONE, message: `ds-submit command for key ${tag} failed (attempt 1; the next run tries again): exited with code 1` }]);
    expect(await ksk()).toMatchObject({ dsAtParent: 'submit' });

    later(5 * 60_000);
    const second = await run(a);
    expect(second.dsRequests).toEqual([]);
    expect(second.dsCommands).toMatchObject([{ keyTag: tag, attempt: 2, ok: false }]);

    registrarUp();
    later(5 * 60_000);
    const third = await run(a);
    expect(third.dsCommands).toMatchObject([{ keyTag: tag, request: 1, attempt: 3, ok: true, summary: 'ok' }]);
    expect(third.errors).toEqual([]);
    // The command's success says the DS was passed on; the roll still waits for ds-seen.
    expect(await ksk()).toMatchObject({ dsAtParent: 'submitted', states: { ds: 'rumoured' } });

    later(5 * 60_000);
    expect((await run(a)).dsCommands).toEqual([]);
    expect(invocations()).toEqual(Array(3).fill(`node-a ds-submit ${ZONE} ${tag}`));
    expect(await pendingDsRequests(db)).toEqual([]);
    const audit = await readAudit(db, ZONE);
    expect(audit.filter((e) => e.event === 'ds-submit command').map((e) => [e.detail.attempt, e.detail.ok])).toEqual([[1, false], [2, false], [3, true]]);
    expect(audit.filter((e) => e.event === 'ds-submit' && e.detail.from !== undefined).map((e) => [e.actor, e.detail.from, e.detail.to])).toEqual([
      ['ds-submit command', 'submit', 'submitted'],
    ]);
  });

  it('does not run a request answered (ds-seen) or withdrawn (zone deleted) before the retry', async () => {
    const a = configFor('node-a');
    const zones = [ZONE, 'example.net'];
    const first = await decide(a, zones);
    expect(first.dsCommands.map((c) => [c.zone, c.ok])).toEqual([[ZONE, false], ['example.net', false]]);
    await asActive(a, async (fence) => {
      await recordDsAnswer(db, fence, ZONE, 'ds-seen', { keyTag: (await ksk()).keyTag }, clock.now(), 'test');
      await fenced(db, fence, (tx) => deleteZone(tx, 'example.net'));
    });
    registrarUp();
    later(5 * 60_000);
    expect((await run(a)).dsCommands).toEqual([]);
    expect(await asActive(a, (fence) => runPendingDsCommands({ db, fence, config: a, clock, log: silentLogger }))).toEqual([]);
    expect(invocations()).toHaveLength(2);
    expect(await ksk()).toMatchObject({ dsAtParent: 'seen' });
  });

  it('claims and records a command only for the request the database holds, and never after it succeeded', async () => {
    await decide(configFor('node-a', false));
    await asActive(configFor('node-a'), async (fence) => {
      const [p] = await pendingDsRequests(db);
      expect(p).toMatchObject({ zone: ZONE, action: 'ds-submit', request: 1, attempts: 0, startedAt: null });
      const t1 = clock.now();
      const t2 = new Date(t1.getTime() + 60_000);
      await fenced(db, fence, async (tx) => {
        // Another request number, or the other action: not what the key holds.
        expect(await claimDsRequest(tx, p!.keyId, 'ds-submit', 2, t1)).toBeNull();
        expect(await claimDsRequest(tx, p!.keyId, 'ds-retract', 1, t1)).toBeNull();
        expect(await claimDsRequest(tx, p!.keyId, 'ds-submit', 1, t1)).toEqual({ attempt: 1, interruptedAt: null });
        // An attempt that recorded no outcome was interrupted: the next one says so.
        expect(await claimDsRequest(tx, p!.keyId, 'ds-submit', 1, t2)).toEqual({ attempt: 2, interruptedAt: t1 });
        expect(await recordDsCommandOutcome(tx, p!.keyId, 'ds-submit', 2, { ok: true, status: 'ds-submit command: ok', at: t2 })).toBe(false);
        expect(await recordDsCommandOutcome(tx, p!.keyId, 'ds-submit', 1, { ok: true, status: 'ds-submit command: ok', at: t2 })).toBe(true);
        expect(await claimDsRequest(tx, p!.keyId, 'ds-submit', 1, t2)).toBeNull();
      });
    });
    expect(await pendingDsRequests(db)).toEqual([]);
  });

  it('after a takeover the new node runs the pending request once; the old node, fenced, runs none', async () => {
    registrarUp();
    // node-a decided and stopped before running the command (as a crash right after the decision).
    await decide(configFor('node-a', false));
    expect(invocations()).toEqual([]);
    const a = configFor('node-a');
    const b = configFor('node-b');
    const tag = (await ksk()).keyTag;

    // node-a acts again, and node-b takes over meanwhile (failover --partner-down): node-a's attempt is refused.
    const entered = await enterActive({ db, config: a, log: silentLogger });
    if (entered.role !== 'active') throw new Error('expected node-a to be active');
    const took = await takeOverLease(db, 'node-b', b.lease.ttlSeconds, { force: true });
    await expect(runPendingDsCommands({ db, fence: entered.session.fence, config: a, clock, log: silentLogger })).rejects.toMatchObject({ exitCode: 75 });
    await entered.session.end();
    expect(invocations()).toEqual([]);

    // The failover is done; node-b's next run runs the request, node-a's is standby.
    await releaseLease(db, took.fence);
    later(5 * 60_000);
    expect(await run(b)).toMatchObject({ role: 'active', dsCommands: [{ keyTag: tag, attempt: 1, ok: true, interruptedAt: null }] });
    expect(await run(a)).toMatchObject({ role: 'standby', dsCommands: [] });
    later(5 * 60_000);
    expect((await run(b)).dsCommands).toEqual([]);
    expect(invocations()).toEqual([`node-b ds-submit ${ZONE} ${tag}`]);
    expect(await ksk()).toMatchObject({ dsAtParent: 'submitted' });
  });

  it('a node frozen past its lease after claiming a request starts nothing; the new node runs it once', async () => {
    registrarUp();
    await decide(configFor('node-a', false));
    const a = configFor('node-a');
    const b = configFor('node-b');
    const tag = (await ksk()).keyTag;

    const entered = await enterActive({ db, config: a, log: silentLogger });
    if (entered.role !== 'active') throw new Error('expected node-a to be active');
    // Its epoch is still current (the claim commits), but it was frozen until past its lease deadline.
    const frozen: Fence = { ...entered.session.fence, deadline: () => performance.now() - 1 };
    await expect(runPendingDsCommands({ db, fence: frozen, config: a, clock, log: silentLogger })).rejects.toMatchObject({ exitCode: 75 });
    await entered.session.end();
    expect(invocations()).toEqual([]);
    const [claimed] = await pendingDsRequests(db);
    expect(claimed).toMatchObject({ attempts: 1, startedAt: clock.now() });

    const took = await takeOverLease(db, 'node-b', b.lease.ttlSeconds, { force: false });
    await releaseLease(db, took.fence);
    later(5 * 60_000);
    const s = await run(b);
    expect(s.dsCommands).toEqual([{ zone: ZONE, type: 'ds-submit', keyTag: tag, request: 1, attempt: 2, ok: true, summary: 'ok', interruptedAt: claimed!.startedAt!.toISOString() }]);
    expect((await run(b)).dsCommands).toEqual([]);
    expect(invocations()).toEqual([`node-b ds-submit ${ZONE} ${tag}`]);
  });
});
