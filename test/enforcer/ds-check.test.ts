// `key ds-check` as a library on the real PostgreSQL server, with the whole enforcer running the
// example's CSK zone (example.org) on an advancing clock and two real parent servers on 127.0.0.1:
// the DS is recorded as seen only once both serve it, as gone only once both dropped it, with the
// evidence in the audit log; report-only mode writes nothing; a foreign DS confirms nothing.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile, type Config } from '../../src/config/config.js';
import { checkDs, type DsCheckReport, type KeyReport } from '../../src/enforcer/ds-check.js';
import { recordConfirmations } from '../../src/enforcer/ds-check-record.js';
import { recordDsAnswer, requestRoll } from '../../src/enforcer/operator-input.js';
import { runEnforcer, type RunSummary } from '../../src/enforcer/run.js';
import { Keystores } from '../../src/keys/keystores.js';
import { enterActive } from '../../src/lease/single-active.js';
import { formatServer } from '../../src/probe/servers.js';
import { readAudit } from '../../src/store/audit.js';
import type { Db } from '../../src/store/db.js';
import { allZoneKeys, type ZoneKeyRow } from '../../src/store/keys.js';
import type { Fence } from '../../src/store/lease.js';
import { migrate } from '../../src/store/migrate.js';
import { openPostgres } from '../../src/store/pg-db.js';
import { getZone } from '../../src/store/zones.js';
import { ManualClock } from '../../src/util/clock.js';
import { silentLogger } from '../../src/util/logger.js';
import { exampleSetup } from '../helpers/cli.js';
import { createPostgresDatabase } from '../helpers/databases.js';
import { snapshotDatabase } from '../helpers/db-snapshot.js';
import { makeTestKey, startResponder, type DnsResponder, type TestKey } from '../helpers/dns-responder.js';
import { dsRecord, parentZone, type KeyLike } from '../helpers/parent-zone.js';

const ZONE = 'example.org';

describe('key ds-check on a running enforcer (real database, real parent servers)', () => {
  let db: Db;
  let url: string;
  let drop: () => Promise<void>;
  let config: Config;
  let p1: DnsResponder;
  let p2: DnsResponder;
  let stranger: TestKey;
  const clock = new ManualClock(Date.parse('2027-01-01T00:00:00Z'));
  const s1 = () => formatServer(p1.server);
  const s2 = () => formatServer(p2.server);

  beforeAll(async () => {
    const pg = await createPostgresDatabase();
    ({ url, drop } = pg);
    p1 = await startResponder();
    p2 = await startResponder();
    stranger = await makeTestKey(15, 257);
    config = {
      ...loadConfigFile(exampleSetup({ url }).config),
      dsCheck: { servers: [], zones: { [ZONE]: { servers: [p1.server, p2.server] } }, resolver: null, timeoutMs: 250, retries: 1, concurrency: null },
    };
    db = await openPostgres(url);
    await migrate(db);
  });
  afterAll(async () => {
    await db?.close();
    await Promise.all([p1?.close(), p2?.close()]);
    await drop?.();
  });

  /** What each parent server serves for example.org: the DS records of these keys. */
  function parents(first: KeyLike[], second: KeyLike[], o: { ttl?: number } = {}): void {
    p1.setZone(parentZone('org', { children: { [ZONE]: first.map((k) => dsRecord(ZONE, k, o)) } }));
    p2.setZone(parentZone('org', { children: { [ZONE]: second.map((k) => dsRecord(ZONE, k, o)) } }));
  }

  async function asActive<T>(fn: (fence: Fence) => Promise<T>): Promise<T> {
    const entered = await enterActive({ db, config, log: silentLogger });
    if (entered.role !== 'active') throw new Error('expected to be active');
    try {
      return await fn(entered.session.fence);
    } finally {
      await entered.session.end();
    }
  }

  const deps = () => ({ db, config, clock, log: silentLogger });
  const check = (): Promise<DsCheckReport> => checkDs(deps());
  const apply = (): Promise<DsCheckReport> => asActive((fence) => checkDs(deps(), { apply: { fence } }));
  const keys = (): Promise<ZoneKeyRow[]> => allZoneKeys(db, ZONE);
  const keyReport = (r: DsCheckReport, tag: number): KeyReport => r.zones.flatMap((z) => z.keys).find((k) => k.keyTag === tag)!;
  const dsAnswers = async () => (await readAudit(db, ZONE)).filter((a) => a.event === 'ds-seen' || a.event === 'ds-gone');

  /** Run the enforcer on example.org from one due time to the next until `done` says so. */
  async function runUntil(done: (s: RunSummary, keys: ZoneKeyRow[]) => boolean): Promise<RunSummary> {
    for (let i = 0; i < 200; i++) {
      const s = await runEnforcer({ db, config, keystores: new Keystores(config), clock, log: silentLogger }, { zones: [ZONE] });
      expect(s.errors).toEqual([]);
      if (done(s, await keys())) return s;
      const next = (await getZone(db, ZONE))!.nextRunAt?.getTime() ?? clock.now().getTime();
      clock.set(Math.max(next, clock.now().getTime() + 1000));
    }
    throw new Error('the enforcer never got there');
  }

  let csk1: ZoneKeyRow;

  it('reports nothing while no key waits for the parent', async () => {
    await runUntil(() => true);
    expect(await check()).toMatchObject({ apply: false, zones: [], counts: { waiting: 0, confirmed: 0, recorded: 0 } });
  });

  it('keeps the key submitted while one of the two parent servers lacks the DS, naming that server', async () => {
    await runUntil((s) => s.dsRequests.some((r) => r.type === 'ds-submit'));
    csk1 = (await keys())[0]!;
    await asActive((fence) => recordDsAnswer(db, fence, ZONE, 'ds-submit', { keyTag: csk1.keyTag }, clock.now(), 'test'));
    parents([csk1], []);
    const r = await apply();
    expect(r.zones).toHaveLength(1);
    expect(r.zones[0]).toMatchObject({ zone: ZONE, serverSource: 'zone', problem: null, warnings: [] });
    expect(keyReport(r, csk1.keyTag)).toMatchObject({
      role: 'CSK', dsAtParent: 'submitted', wants: 'ds-seen', verdict: 'pending', recorded: false,
      reason: `not served by ${s2()}`, servers: [{ server: s1(), serves: true }, { server: s2(), serves: false }],
    });
    expect(r.counts).toEqual({ waiting: 1, confirmed: 0, recorded: 0, pending: 1, unknown: 0 });
    expect((await keys())[0]).toMatchObject({ dsAtParent: 'submitted' });
    expect(await dsAnswers()).toEqual([]);
  });

  it('takes neither a foreign DS nor a silent server for confirmation', async () => {
    parents([stranger], [stranger]);
    const r = await apply();
    expect(keyReport(r, csk1.keyTag)).toMatchObject({ verdict: 'pending', recorded: false });
    expect(r.zones[0]!.warnings).toEqual([s1(), s2()].map((s) => expect.stringMatching(new RegExp(`^${s} serves DS ${stranger.keyTag} 15 2 [0-9A-F]{64}, pointing at none of the zone's keys$`))));

    parents([csk1], [csk1]);
    p2.setBehaviour('org', 'drop');
    const silent = await apply();
    expect(keyReport(silent, csk1.keyTag)).toMatchObject({ verdict: 'unknown', recorded: false, servers: [{ serves: true }, { serves: null }] });
    expect(keyReport(silent, csk1.keyTag).reason).toMatch(new RegExp(`^no usable answer from ${s2()} \\(.*no answer within 250 ms\\)$`));
    expect((await keys())[0]).toMatchObject({ dsAtParent: 'submitted' });
    expect(await dsAnswers()).toEqual([]);
  });

  it('changes nothing without apply, even when every server confirms', async () => {
    parents([csk1], [csk1], { ttl: 86400 });
    const before = await snapshotDatabase(url);
    const r = await check();
    expect(keyReport(r, csk1.keyTag)).toMatchObject({ verdict: 'confirmed', recorded: false, reason: `every parent server (2) serves a DS for key ${csk1.keyTag}` });
    // The parent's TTL is longer than the policy's <Parent><DS><TTL>: worth a warning, not a refusal.
    expect(r.zones[0]!.warnings).toEqual([expect.stringMatching(/^the parent serves the DS with TTL 86400, longer than the policy's <Parent><DS><TTL> of 3600/)]);
    expect(await snapshotDatabase(url)).toEqual(before);
  });

  it('records ds-seen once both servers serve the DS, with the evidence in the audit log', async () => {
    parents([csk1], [csk1]);
    const r = await apply();
    expect(keyReport(r, csk1.keyTag)).toMatchObject({ verdict: 'confirmed', recorded: true, recordNote: null });
    expect(r.counts).toEqual({ waiting: 1, confirmed: 1, recorded: 1, pending: 0, unknown: 0 });
    expect((await keys())[0]).toMatchObject({ dsAtParent: 'seen', dsAtParentChangedAt: clock.now() });
    expect((await getZone(db, ZONE))!.nextRunAt).toBeNull();
    const [entry, ...more] = await dsAnswers();
    expect(more).toEqual([]);
    const line = new RegExp(`^example\\.org\\. 3600 IN DS ${csk1.keyTag} 15 2 [0-9A-F]{64}$`);
    expect(entry).toMatchObject({
      actor: 'key ds-check', event: 'ds-seen', zone: ZONE, keyLocator: csk1.locator, node: config.node,
      detail: {
        keyTag: csk1.keyTag, from: 'submitted', to: 'seen',
        evidence: {
          checkedAt: clock.now().toISOString(), parentZone: null, serverSource: 'zone',
          servers: [
            { server: s1(), rcode: 'NOERROR', via: 'udp', ds: [expect.stringMatching(line)] },
            { server: s2(), rcode: 'NOERROR', via: 'udp', ds: [expect.stringMatching(line)] },
          ],
        },
      },
    });
    // Nothing waits any more.
    expect((await check()).counts.waiting).toBe(0);
  });

  it('records ds-gone for a retracted DS only once both servers dropped it', async () => {
    await asActive((fence) => requestRoll(db, fence, ZONE, 'CSK', 'test'));
    // The CSK roll swaps the DS: the new key's is asked for and the old key's withdrawn at once.
    const swap = await runUntil((s) => s.dsRequests.some((r) => r.type === 'ds-submit' && r.keyTag !== csk1.keyTag));
    expect(swap.dsRequests).toContainEqual({ zone: ZONE, type: 'ds-retract', keyTag: csk1.keyTag });
    const csk2 = (await keys()).find((k) => k.id !== csk1.id)!;
    parents([csk1, csk2], [csk1, csk2]);
    const both = await apply();
    expect(both.counts).toEqual({ waiting: 2, confirmed: 1, recorded: 1, pending: 1, unknown: 0 });
    expect(keyReport(both, csk2.keyTag)).toMatchObject({ dsAtParent: 'submit', wants: 'ds-seen', verdict: 'confirmed', recorded: true });
    expect(keyReport(both, csk1.keyTag)).toMatchObject({ dsAtParent: 'retract', wants: 'ds-gone', verdict: 'pending', reason: `still served by ${s1()}, ${s2()}` });
    parents([csk2], [csk1, csk2]);
    expect(keyReport(await apply(), csk1.keyTag)).toMatchObject({ verdict: 'pending', reason: `still served by ${s2()}`, recorded: false });
    expect((await keys()).find((k) => k.id === csk1.id)).toMatchObject({ dsAtParent: 'retract' });

    parents([csk2], [csk2]);
    const gone = await apply();
    expect(keyReport(gone, csk1.keyTag)).toMatchObject({ verdict: 'confirmed', recorded: true, reason: `none of the 2 parent servers serves a DS for key ${csk1.keyTag} any more` });
    expect((await keys()).find((k) => k.id === csk1.id)).toMatchObject({ dsAtParent: 'retracted' });
    const last = (await dsAnswers()).at(-1)!;
    expect(last).toMatchObject({ event: 'ds-gone', keyLocator: csk1.locator, detail: { from: 'retract', to: 'retracted', evidence: { servers: [{ server: s1() }, { server: s2() }] } } });
    // Each server's evidence is what it served at the time: the new key's DS only.
    const servers = (last.detail.evidence as { servers: Array<{ ds: string[] }> }).servers;
    expect(servers.map((s) => s.ds.map((l) => l.split(' ')[4]))).toEqual([[String(csk2.keyTag)], [String(csk2.keyTag)]]);

    // The roll goes on: the old CSK's DS leaves the key state model after the DS TTL and delays.
    await runUntil((_, ks) => ks.find((k) => k.id === csk1.id)?.states.ds === 'hidden');
  });

  it('leaves a key alone when its DS state moved between the check and the record', async () => {
    const csk2 = (await keys()).find((k) => k.id !== csk1.id)!;
    expect(csk2.dsAtParent).toBe('seen');
    const outcomes = await asActive((fence) =>
      recordConfirmations(db, fence, ZONE, [{ keyId: String(csk2.id), keyTag: csk2.keyTag, wants: 'ds-seen', checkedState: 'submitted', evidence: {} }], clock.now(), 'test'),
    );
    expect(outcomes).toEqual([{ keyId: String(csk2.id), recorded: false, why: "its DS state changed from 'submitted' to 'seen' during the check" }]);
  });
});
