// The safety property through the store: the pure core's property (test/rollover/safety.property.test.ts)
// checked on the real enforcer, so that what the core needs and the database drops on the way shows.
// Random timelines (helpers/store-scenarios.ts) run on real PostgreSQL databases through the real
// path: kasp.xml edits re-imported by the run, roll requests and DS answers through the commands'
// own code, every zone step loading from the store, running the core and saving back, one signconf
// file per zone (helpers/store-driver.ts). After every run the zone's keys are read back from the
// store and its signconf file from disk; the independent resolver model (test/rollover/helpers/
// resolver-model.ts) then checks that history, with the policy in force as the store had it and the
// TTLs as the signconf file carried them.
//
// Checked: the signconf file always carries the stored states' flags; no resolver ever finds a zone
// bogus; every started roll finishes once the operator has answered (bound from random-timeline.ts);
// and the timelines did what they are for: policy edits landed while a roll was in progress.
// "Mid-roll": at the moment of the edit, some key of the zone (as stored) has a record that is not
// at its goal (goal omnipresent: a record neither omnipresent nor n/a; goal hidden: neither hidden
// nor n/a). A bogus timeline is also run through the pure core (plan()) with the same events; a
// timeline bogus here but clean there points at the store.
//
// Size: every zone is stepped at least once a day (zone-step.ts re-examines each zone within 24 h)
// and steps of different timelines seldom fall on the same instant, so it costs about one enforcer
// run per zone-day, some 15-20 ms each on two busy cores: 16 timelines of 150 days are ~2,500 runs.
// ROLLOVER_PERSISTENCE_RUNS (timelines, default 16), ROLLOVER_PERSISTENCE_DAYS (default 150),
// ROLLOVER_PERSISTENCE_SEED (timeline i draws from seed + i; default random, printed) and
// ROLLOVER_PERSISTENCE_DATABASES (default 4, run side by side) change the run. A finding names its
// timeline's seed: ROLLOVER_PERSISTENCE_SEED=<that seed> ROLLOVER_PERSISTENCE_RUNS=1 replays it alone.

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plan } from '../../src/rollover/plan.js';
import { emptyZoneState } from '../../src/rollover/zone-state.js';
import { openPostgres } from '../../src/store/pg-db.js';
import { createPostgresDatabase } from '../helpers/databases.js';
import { ResolverModel, type Finding } from '../rollover/helpers/resolver-model.js';
import { liveness, type LivenessProblem } from '../rollover/helpers/random-timeline.js';
import { runTimelinesOnStore, type TimelineRecord } from './helpers/store-driver.js';
import { drawTimeline, T0, type StoreTimeline } from './helpers/store-scenarios.js';

const RUNS = Number(process.env.ROLLOVER_PERSISTENCE_RUNS ?? 16);
const DAYS = Number(process.env.ROLLOVER_PERSISTENCE_DAYS ?? 150);
const DATABASES = Math.max(1, Math.min(RUNS, Number(process.env.ROLLOVER_PERSISTENCE_DATABASES ?? 4)));
const SEED = process.env.ROLLOVER_PERSISTENCE_SEED ? Number(process.env.ROLLOVER_PERSISTENCE_SEED) : Math.floor(Math.random() * 2 ** 31);
const UNTIL = T0 + DAYS * 86_400_000;

interface Analysed {
  record: TimelineRecord;
  instants: number;
  findings: Finding[];
  liveness: LivenessProblem[];
  /** Findings of the pure core (plan()) on the same scenario, computed only for bogus timelines. */
  pureFindings: number | null;
}

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

/** A finding in words: key ids become tags and roles, instants become dates, with the edits before it. */
function describeFinding(a: Analysed, f: Finding): string {
  const tl = a.record.timeline;
  const keys = new Map<string, string>();
  for (const s of a.record.steps) for (const k of s.state.keys) keys.set(k.id, `${k.role} ${k.keyTag}`);
  const words = f.detail
    .replace(/\b1\d{12}\b/g, (ms) => iso(Number(ms)))
    .replace(/(signed by |DS )(\d+(?:,\d+)*)/g, (_, p: string, ids: string) => p + ids.split(',').map((id) => keys.get(id) ?? id).join(', '));
  const edits = a.record.edits
    .filter((e) => e.at <= f.at)
    .map((e) => `${iso(e.at)}${e.lowered.length > 0 ? ` lowered ${e.lowered.join('+')} TTL` : ' edit'}${e.keysNotAtGoal.length > 0 ? ' mid-roll' : ''}`);
  const pure = a.pureFindings === null ? '' : a.pureFindings === 0 ? '; the pure core on the same scenario: never bogus' : `; the pure core on the same scenario: ${a.pureFindings} findings too`;
  return `${tl.zone} (seed ${tl.seed}) at ${iso(f.at)}: ${f.kind}, algorithm ${f.algorithm}: ${words}; edits before: ${edits.join(', ') || 'none'}${pure}`;
}

describe('rollover safety through the store (property, real PostgreSQL)', () => {
  const analysed: Analysed[] = [];
  const totals = { runs: 0, zoneSteps: 0, seconds: 0 };

  beforeAll(async () => {
    const started = performance.now();
    const timelines = Array.from({ length: RUNS }, (_, i) => drawTimeline(i, SEED + i, DAYS));
    const groups: StoreTimeline[][] = Array.from({ length: DATABASES }, () => []);
    timelines.forEach((tl, i) => groups[i % DATABASES]!.push(tl));
    const dir = mkdtempSync(path.join(os.tmpdir(), 'enforcer-persistence-'));
    try {
      const results = await Promise.all(
        groups.map(async (group, g) => {
          const pg = await createPostgresDatabase();
          try {
            return await runTimelinesOnStore(group, { databaseUrl: pg.url, dir: path.join(dir, `db${g}`), until: UNTIL, openDb: (url) => openPostgres(url) });
          } finally {
            await pg.drop();
          }
        }),
      );
      for (const { records, stats } of results) {
        totals.runs += stats.runs;
        totals.zoneSteps += stats.zoneSteps;
        for (const record of records) {
          const report = new ResolverModel({ steps: record.steps, timeline: record.entries }).check(UNTIL);
          const a: Analysed = { record, instants: report.instants, findings: report.findings, liveness: liveness({ steps: record.steps }, record.timeline.built.bound, UNTIL), pureFindings: null };
          if (a.findings.length > 0) {
            const { built, scenario } = record.timeline;
            const pure = plan(emptyZoneState(built.policy), built.policy, T0, UNTIL, { dsSeenDelay: scenario.seenDelay, dsGoneDelay: scenario.goneDelay }, { events: built.events, keepStates: true });
            a.pureFindings = new ResolverModel(pure).check(UNTIL).findings.length;
          }
          analysed.push(a);
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    analysed.sort((x, y) => x.record.timeline.index - y.record.timeline.index);
    totals.seconds = (performance.now() - started) / 1000;
  }, 600_000);

  afterAll(() => {
    const sum = (f: (a: Analysed) => number) => analysed.reduce((n, a) => n + f(a), 0);
    const some = (f: (a: Analysed) => boolean) => analysed.filter(f).length;
    const edits = (a: Analysed) => a.record.edits;
    const keys = sum((a) => new Set(a.record.steps.flatMap((s) => s.state.keys.map((k) => k.id))).size);
    console.log(
      `rollover safety through the store: ${analysed.length} ${DAYS}-day timelines on ${DATABASES} PostgreSQL databases, ` +
        `${totals.runs} enforcer runs (${totals.zoneSteps} zone steps), ${keys} keys, ${sum((a) => a.instants)} instants checked, ` +
        `${sum((a) => a.findings.length)} bogus findings (in ${some((a) => a.findings.length > 0)} timelines; ` +
        `${some((a) => a.findings.length > 0 && a.pureFindings === 0)} of them never bogus in the pure core); ` +
        `${sum((a) => edits(a).length)} policy edits, ${some((a) => edits(a).some((e) => e.keysNotAtGoal.length > 0))} timelines with a policy edit mid-roll, ` +
        `${some((a) => edits(a).some((e) => e.keysNotAtGoal.length > 0 && e.lowered.length > 0))} with a TTL lowered mid-roll ` +
        `(${some((a) => edits(a).some((e) => e.keysNotAtGoal.length > 0 && e.lowered.includes('DNSKEY')))} the DNSKEY TTL); ` +
        `${sum((a) => a.record.rollRequests.length)} roll requests; seed ${SEED}; ${totals.seconds.toFixed(1)} s`,
    );
  });

  it('the signconf file on disk always carries the flags of the stored key states', () => {
    expect(analysed.flatMap((a) => a.record.mismatches.map((m) => `${a.record.timeline.zone} (seed ${a.record.timeline.seed}): ${m}`)).slice(0, 5)).toEqual([]);
  });

  it('no resolver ever finds a zone bogus, in the history read back from the store', () => {
    const bogus = analysed.filter((a) => a.findings.length > 0);
    expect(bogus.map((a) => describeFinding(a, a.findings[0]!)).slice(0, 5)).toEqual([]);
  });

  it('every started roll finishes once the operator has answered', () => {
    const stuck = analysed.flatMap((a) => a.liveness.map((p) => `${a.record.timeline.zone} (seed ${a.record.timeline.seed}) key ${p.keyId}: ${p.problem}`));
    expect(stuck.slice(0, 5)).toEqual([]);
  });

  it('policy edits, TTL cuts among them, landed while rolls were in progress', () => {
    expect(analysed).toHaveLength(RUNS);
    expect(analysed.every((a) => a.record.steps.length > 0)).toBe(true);
    // With few timelines (ROLLOVER_PERSISTENCE_RUNS) chance may leave out a TTL cut mid-roll.
    if (RUNS >= 12) {
      expect(analysed.some((a) => a.record.edits.some((e) => e.keysNotAtGoal.length > 0 && e.lowered.includes('DNSKEY')))).toBe(true);
    }
  });
});
