// Drives the real enforcer through many zone timelines on one database, and records what the signer
// was given. All timelines share the database, the kasp.xml and zonelist.xml files, the signconf
// directory and one ManualClock; each has its own zone and its own policy.
//
// At each moment t, in this order:
//   1. the operator's edits due at t: kasp.xml rewritten with the edited policy (the enforcer
//      re-imports it at its next run, as an operator's edit is: syncConfiguredFiles), and
//      `key rollover` requests (requestRoll, the command's own code; refused when the policy has no
//      key of that role, as the command refuses);
//   2. the operator's DS answers due at t (recordDsAnswer, the code of `key ds-seen` / `ds-gone`),
//      given seenDelay / goneDelay after the key entered submit / retract, as plan() answers;
//   3. one enforcer run (runAsActive: runEnforcer's body; the lease is entered once per database
//      rather than once per run, see below), which steps every zone whose next_run_at has come;
//   4. what was published, read back: each zone's keys reloaded from the store and its signconf
//      file read from disk (the flags must agree with the stored states); the policy in force is
//      the store's policy with the TTLs and signature timing the signconf file carries.
// Then the clock moves to the earliest of: the earliest next_run_at the store records, the next
// edit, the next DS answer (a zone due again at t runs one second later).
//
// The lease and run lock are taken once per database (enterActive) and the runs share that
// session (runAsActive with keepSession, as `failover` does); a fresh lock connection per run
// would triple the time and is no part of load → core → save. Zone steps run one at a time
// (concurrency 1). Keys come from stand-in keystores (stand-in-keystore.ts).

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseConfig } from '../../../src/config/config.js';
import { recordDsAnswer, requestRoll } from '../../../src/enforcer/operator-input.js';
import { runAsActive } from '../../../src/enforcer/run.js';
import { enterActive } from '../../../src/lease/single-active.js';
import { serializeKasp } from '../../../src/policy/kasp.js';
import type { Policy } from '../../../src/policy/policy.js';
import { initialTtls, rolloverKeyFromRow } from '../../../src/rollover/index.js';
import type { PlanStep, TimelineEntry } from '../../../src/rollover/plan.js';
import { zoneDataTtl } from '../../../src/rollover/timing.js';
import type { Db } from '../../../src/store/db.js';
import { zoneKeysOf, type ZoneKeyRow } from '../../../src/store/keys.js';
import { migrate } from '../../../src/store/migrate.js';
import { listPolicies } from '../../../src/store/policies.js';
import { canonicalJson } from '../../../src/util/canonical-json.js';
import { ManualClock } from '../../../src/util/clock.js';
import { EnforcerError, EXIT } from '../../../src/util/exit-codes.js';
import { silentLogger } from '../../../src/util/logger.js';
import { parseSignconfFile, policyAsPublished } from './signconf-file.js';
import { StandInKeystores } from './stand-in-keystore.js';
import { T0, type StoreTimeline } from './store-scenarios.js';

/** A policy edit as it landed: when, whether a roll was in progress, which TTLs it lowered. */
export interface EditRecord {
  at: number;
  /** Keys of the zone (as stored just before the edit) with a record not at its goal. */
  keysNotAtGoal: number[];
  /** 'DNSKEY', 'DS', 'zone data': the TTLs this edit lowered. */
  lowered: string[];
}

export interface TimelineRecord {
  timeline: StoreTimeline;
  /** What was published, read back from the store and the signconf file, in the resolver model's shape. */
  steps: PlanStep[];
  /** DS requests (from the run summaries) and the operator's DS answers. */
  entries: TimelineEntry[];
  edits: EditRecord[];
  rollRequests: { at: number; role: string; refused: boolean }[];
  /** Moments at which the signconf file on disk did not carry the stored states' flags. */
  mismatches: string[];
}

export interface StoreRunStats {
  runs: number;
  zoneSteps: number;
}

const atGoal = (k: ZoneKeyRow) =>
  Object.values(k.states).every((s) => s === 'na' || s === (k.goal === 'omnipresent' ? 'omnipresent' : 'hidden'));

function loweredTtls(before: Policy, after: Policy): string[] {
  const out: string[] = [];
  if (after.keys.ttl < before.keys.ttl) out.push('DNSKEY');
  if (after.parent.dsTtl < before.parent.dsTtl) out.push('DS');
  if (zoneDataTtl(after) < zoneDataTtl(before)) out.push('zone data');
  return out;
}

const visible = (s: string) => s === 'rumoured' || s === 'omnipresent';

export interface StoreDriverOptions {
  databaseUrl: string;
  /** Scratch directory for kasp.xml, zonelist.xml, signconf files. */
  dir: string;
  until: number;
  openDb: (url: string) => Promise<Db>;
}

export async function runTimelinesOnStore(timelines: StoreTimeline[], o: StoreDriverOptions): Promise<{ records: TimelineRecord[]; stats: StoreRunStats }> {
  const kasp = path.join(o.dir, 'kasp.xml');
  const zonelist = path.join(o.dir, 'zonelist.xml');
  mkdirSync(o.dir, { recursive: true });
  const current = new Map(timelines.map((tl) => [tl.index, tl.built.policy]));
  const writeKasp = () => writeFileSync(kasp, serializeKasp([...current.values()]));
  writeKasp();
  writeFileSync(
    zonelist,
    ['<?xml version="1.0" encoding="UTF-8"?>', '<ZoneList>', ...timelines.map((tl) => `  <Zone name="${tl.zone}"><Policy>${tl.policyName}</Policy></Zone>`), '</ZoneList>', ''].join('\n'),
  );
  const config = parseConfig(
    [
      'node: persistence-test', 'database:', `  url: ${o.databaseUrl}`, 'policy:', '  kasp: kasp.xml', '  zonelist: zonelist.xml',
      'signconf:', '  directory: signconf', 'keystores:', '  SoftHSM:', '    type: file', '    directory: keys', 'log:', '  level: warn', '',
    ].join('\n'),
    path.join(o.dir, 'enforcer.yaml'),
  );
  const db = await o.openDb(o.databaseUrl);
  await migrate(db);
  const clock = new ManualClock(T0);
  const deps = { db, config, keystores: new StandInKeystores(config), clock, log: silentLogger };
  const entered = await enterActive({ db, config, log: silentLogger });
  if (entered.role !== 'active') throw new Error('expected to be the active node');
  const session = entered.session;
  const fence = session.fence;

  const records = new Map<string, TimelineRecord>(
    timelines.map((tl) => [tl.zone, { timeline: tl, steps: [], entries: [], edits: [], rollRequests: [], mismatches: [] }]),
  );
  const pendingEvents = new Map(timelines.map((tl) => [tl.zone, [...tl.built.events].sort((a, b) => a.at - b.at)]));
  const rows = new Map<string, ZoneKeyRow[]>();
  const last = new Map<string, string>();
  let storePolicies = new Map<string, Policy>();
  const zones = timelines.map((tl) => tl.zone);
  const stats: StoreRunStats = { runs: 0, zoneSteps: 0 };

  /** DS answers the operator owes: seenDelay after submit, goneDelay after retract (as plan() answers). */
  const answersDue = () => {
    const out: { at: number; zone: string; key: ZoneKeyRow; what: 'ds-seen' | 'ds-gone' }[] = [];
    for (const [zone, keys] of rows) {
      const s = records.get(zone)!.timeline.scenario;
      for (const k of keys) {
        const since = (k.dsAtParentChangedAt ?? k.introducedAt).getTime();
        if (k.dsAtParent === 'submit' || k.dsAtParent === 'submitted') out.push({ at: since + s.seenDelay * 1000, zone, key: k, what: 'ds-seen' });
        if (k.dsAtParent === 'retract') out.push({ at: since + s.goneDelay * 1000, zone, key: k, what: 'ds-gone' });
      }
    }
    return out;
  };

  try {
    let t = T0;
    for (;;) {
      clock.set(t);
      // 1. Edits and roll requests due now.
      let kaspChanged = false;
      for (const tl of timelines) {
        const rec = records.get(tl.zone)!;
        const list = pendingEvents.get(tl.zone)!;
        while (list.length > 0 && list[0]!.at <= t) {
          const e = list.shift()!;
          if (e.policy) {
            const before = current.get(tl.index)!;
            if (canonicalJson(before) === canonicalJson(e.policy)) continue;
            current.set(tl.index, e.policy);
            kaspChanged = true;
            const keys = rows.get(tl.zone) ?? [];
            rec.edits.push({ at: t, keysNotAtGoal: keys.filter((k) => !atGoal(k)).map((k) => k.id), lowered: loweredTtls(before, e.policy) });
          }
          if (e.rollRequest) {
            try {
              await requestRoll(db, fence, tl.zone, e.rollRequest, 'key rollover');
              rec.rollRequests.push({ at: t, role: e.rollRequest, refused: false });
            } catch (err) {
              if (!(err instanceof EnforcerError) || err.exitCode !== EXIT.BAD_INPUT) throw err;
              rec.rollRequests.push({ at: t, role: e.rollRequest, refused: true });
            }
          }
        }
      }
      if (kaspChanged) writeKasp();
      // 2. DS answers due now.
      for (const a of answersDue().filter((x) => x.at <= t)) {
        await recordDsAnswer(db, fence, a.zone, a.what, { keyTag: a.key.keyTag }, clock.now(), 'operator');
        records.get(a.zone)!.entries.push({ at: t, kind: a.what, keyId: String(a.key.id), keyTag: a.key.keyTag });
      }
      // 3. The run.
      const summary = await runAsActive(deps, session, { keepSession: true, concurrency: 1 });
      stats.runs++;
      stats.zoneSteps += summary.zonesExamined;
      if (summary.errors.length > 0) throw new Error(`run at ${new Date(t).toISOString()} failed for ${JSON.stringify(summary.errors)}`);
      const imported = summary.imported?.policies;
      if (imported || storePolicies.size === 0) storePolicies = new Map((await listPolicies(db)).map((p) => [p.name, p]));
      // 4. What was published, as stored and as written.
      rows.clear();
      for (const z of zones) rows.set(z, []);
      for (const r of await zoneKeysOf(db, zones)) rows.get(r.zone)!.push(r);
      for (const q of summary.dsRequests) {
        const key = rows.get(q.zone)?.find((k) => k.keyTag === q.keyTag);
        if (!key) throw new Error(`${q.zone}: ${q.type} for key tag ${q.keyTag}, which the store does not have`);
        records.get(q.zone)!.entries.push({ at: t, kind: 'action', action: { type: q.type, keyId: String(key.id), keyTag: q.keyTag, at: t } });
      }
      for (const tl of timelines) {
        const rec = records.get(tl.zone)!;
        const keys = rows.get(tl.zone)!;
        const file = path.join(o.dir, 'signconf', `${tl.zone}.xml`);
        let text: string;
        try {
          text = readFileSync(file, 'utf8');
        } catch {
          continue; // not stepped yet
        }
        const stored = storePolicies.get(tl.policyName)!;
        const fingerprint = canonicalJson([keys.map((k) => [k.id, k.goal, k.states, k.dsAtParent]), text.replace(/<!--[\s\S]*?-->/g, ''), stored]);
        if (last.get(tl.zone) === fingerprint) continue;
        last.set(tl.zone, fingerprint);
        const sc = parseSignconfFile(text);
        // The file must carry exactly the stored states' flags: it is what the signer acts on.
        const locators = new Set(keys.map((k) => k.locator));
        for (const k of keys) {
          const want = { publish: visible(k.states.dnskey), ksk: visible(k.states.rrsigdnskey), zsk: visible(k.states.rrsig) };
          const got = sc.keys.get(k.locator) ?? { publish: false, ksk: false, zsk: false };
          if (want.publish !== got.publish || want.ksk !== got.ksk || want.zsk !== got.zsk) {
            rec.mismatches.push(`${new Date(t).toISOString()} key ${k.keyTag}: stored ${JSON.stringify(want)}, file ${JSON.stringify(got)}`);
          }
        }
        for (const l of sc.keys.keys()) if (!locators.has(l)) rec.mismatches.push(`${new Date(t).toISOString()} file lists locator ${l}, not a key of the zone`);
        const policy = policyAsPublished(stored, sc);
        rec.steps.push({ at: t, policy, state: { keys: keys.map(rolloverKeyFromRow), rollRequested: {}, ttls: initialTtls(policy) } });
      }
      // Next moment.
      const due = summary.nextRunAt === null ? Infinity : Date.parse(summary.nextRunAt);
      const answer = Math.min(...answersDue().map((a) => a.at));
      const edit = Math.min(...[...pendingEvents.values()].map((l) => l[0]?.at ?? Infinity));
      const next = Math.min(due <= t ? t + 1000 : due, Math.max(answer, t), edit);
      if (next > o.until) break;
      t = next;
    }
  } finally {
    await session.end();
    await db.close();
  }
  return { records: [...records.values()], stats };
}
