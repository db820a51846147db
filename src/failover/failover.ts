// `enforcer failover`: the standby's takeover runbook in one command, every step reported:
//   1 preconditions   database reachable, configuration identical to the active node's, every
//                     key the database uses present in this node's keystores
//   2 take the lease  (take-lease.ts: refused while the active node is alive, unless --partner-down)
//   3 run             the enforcer for every zone, rewriting every signconf under the new epoch;
//                     it runs no DS submit/retract command (pending requests wait for the first
//                     run after a GO: a node whose live check failed asks the parent for nothing)
//   4 verify          every zone's file freshly written, stamped with the new epoch, as recorded
//   5 live keys       the authoritative servers serve the DNSKEY sets the database expected
//                     before this run (what the old active node told its signer to publish)
//   6 verdict         GO: lift the publish hold (if any), the onActive hook (unless this node already
//                     was the active node), the publish command; NO-GO: keep the hold
// Contract: a failure in steps 1 or 2 changes nothing; after step 2 this process holds the lease
// until it returns, and every write is fenced. GO only when steps 1-5 all pass.

import type { Config } from '../config/config.js';
import type { Keystores } from '../keys/keystores.js';
import type { ActiveSession } from '../lease/active-session.js';
import { runAsActive, type RunSummary } from '../enforcer/run.js';
import type { QueryFn } from '../probe/dns-client.js';
import type { Db } from '../store/db.js';
import { allZoneKeys, type ZoneKeyRow } from '../store/keys.js';
import { getMeta } from '../store/meta.js';
import { listSignconfRecords } from '../store/signconf-records.js';
import { listZones } from '../store/zones.js';
import { FINGERPRINT_META_KEY, parseRecordedFingerprint } from '../lease/config-fingerprint.js';
import type { Clock } from '../util/clock.js';
import { EXIT, type ExitCode } from '../util/exit-codes.js';
import { failpoint } from '../util/failpoint.js';
import type { Logger } from '../util/logger.js';
import { skipped, stepReport, type Problem, type StepReport } from './drill-types.js';
import { liveKeyCheck, type LiveZone } from './live-keys.js';
import { configProblems, keystoreProblems } from './preconditions.js';
import { holdOnNoGo, publishOnGo, type PublishResult } from './publish.js';
import { takeLease } from './take-lease.js';
import { verifyWritten } from './verify-written.js';

export interface FailoverDeps {
  config: Config;
  /** Opens (and migrates) the database; a failure is step 1's, not thrown. */
  openDb: () => Promise<Db>;
  keystores: Keystores;
  clock: Clock;
  log: Logger;
  /** Real time, for file modification times; the clock above may be a test's. */
  wallNow?: () => number;
  query?: QueryFn;
  progress?: (done: number, zone: string) => void;
}

export interface FailoverOptions {
  partnerDown: boolean;
  reason: string;
  /** Who, for the audit log (command and operator). */
  actor: string;
}

export interface FailoverReport {
  verdict: 'GO' | 'NO-GO';
  /** The exit code the command should end with: 0 GO, 1 NO-GO or publish failed, 75 refused, 69 database. */
  exitCode: ExitCode;
  node: string;
  at: string;
  takeover: { how: 'takeover' | 'already-active' | 'first'; from: string | null; previousEpoch: number; epoch: number; forced: boolean } | null;
  steps: StepReport[];
  zones: Array<{ zone: string; signconf: 'OK' | 'NOT FRESH'; live: LiveZone['verdict'] | null }>;
  live: LiveZone[];
  run: Pick<RunSummary, 'zonesExamined' | 'signconfWritten' | 'keysGenerated' | 'errors' | 'dsRequests'> | null;
  publish: PublishResult | null;
}

const NAMES = { 1: 'preconditions', 2: 'take the lease', 3: 'run, rewrite every signconf', 4: 'verify signconf', 5: 'live DNSKEY sets', 6: 'publish' } as const;

export async function runFailover(deps: FailoverDeps, opts: FailoverOptions): Promise<FailoverReport> {
  const { config } = deps;
  const report: FailoverReport = {
    verdict: 'NO-GO', exitCode: EXIT.ERROR, node: config.node, at: deps.clock.now().toISOString(), takeover: null,
    steps: [], zones: [], live: [], run: null, publish: null,
  };
  const skipRest = (from: 2 | 3 | 4 | 5 | 6, why: string) => {
    for (let s = from; s <= 6; s++) report.steps.push(skipped(s as 2, NAMES[s as 2], why));
    return report;
  };
  let db: Db;
  try {
    db = await deps.openDb();
  } catch (e) {
    report.exitCode = ((e as { exitCode?: ExitCode }).exitCode ?? EXIT.DB_UNAVAILABLE) as ExitCode;
    report.steps.push(stepReport(1, NAMES[1], 'database unreachable', [{ reason: `database unreachable or not usable: ${(e as Error).message}` }]));
    return skipRest(2, 'needs the database');
  }

  // Step 1, read-only; the keys read here are also step 5's reference.
  const before = await db.transaction(async (tx) => {
    await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    const keys = await allZoneKeys(tx);
    const recorded = parseRecordedFingerprint(await getMeta(tx, FINGERPRINT_META_KEY));
    // The active node's own record (a run again after a NO-GO) is compared at its next run instead.
    const config1 = recorded?.node === config.node ? [] : await configProblems(tx, config);
    return { keys, problems: [...config1, ...(await keystoreProblems(keys, config))] };
  });
  report.steps.push(stepReport(1, NAMES[1], `database reachable, configuration and ${before.keys.length} zone keys checked`, before.problems));
  if (before.problems.length > 0) return skipRest(2, 'preconditions failed: nothing was changed');

  // Step 2.
  const lease = await takeLease({ db, config, log: deps.log }, { ...opts, wallNow: deps.wallNow ?? Date.now });
  if (!lease.ok) {
    report.exitCode = lease.exitCode;
    report.steps.push(stepReport(2, NAMES[2], 'refused', [{ reason: lease.reason }]));
    return skipRest(3, 'the lease was not taken: nothing was changed');
  }
  const session = lease.session;
  const epoch = session.fence.epoch;
  report.takeover = { how: lease.how, from: lease.from, previousEpoch: lease.previousEpoch, epoch, forced: lease.forced };
  report.steps.push(stepReport(2, NAMES[2], lease.summary, []));
  await failpoint('after-takeover');
  try {
    return await underLease(deps, opts, db, session, lease.sinceMs, before.keys, report);
  } finally {
    await session.end();
  }
}

async function underLease(
  deps: FailoverDeps, opts: FailoverOptions, db: Db, session: ActiveSession,
  sinceMs: number, keysBefore: ZoneKeyRow[], report: FailoverReport,
): Promise<FailoverReport> {
  const { config, log } = deps;
  const epoch = session.fence.epoch;
  // Step 3.
  let zones: string[];
  try {
    const run = await runAsActive(
      { db, config, keystores: deps.keystores, clock: deps.clock, log },
      session,
      // Nothing is published before GO: the files go in place, the signer is told in step 6.
      { actor: opts.actor, everyZone: true, force: true, keepSession: true, dsCommands: false, publish: 'defer', ...(deps.progress ? { progress: deps.progress } : {}) },
    );
    report.run = { zonesExamined: run.zonesExamined, signconfWritten: run.signconfWritten, keysGenerated: run.keysGenerated, errors: run.errors, dsRequests: run.dsRequests };
    report.steps.push(stepReport(3, NAMES[3], `${run.zonesExamined} zones, ${run.signconfWritten} signconf files written under epoch ${epoch}`, run.errors.map((e) => ({ zone: e.zone, reason: e.message }))));
    zones = (await listZones(db)).map((z) => z.name);
  } catch (e) {
    report.steps.push(stepReport(3, NAMES[3], 'the run failed', [{ reason: (e as Error).message }]));
    report.exitCode = ((e as { exitCode?: ExitCode }).exitCode ?? EXIT.ERROR) as ExitCode;
    for (const s of [4, 5, 6] as const) report.steps.push(skipped(s, NAMES[s], 'the run failed'));
    await holdOnNoGo({ db, config, session, actor: opts.actor }, problemsOf(report)).catch(() => undefined);
    return report;
  }

  // Step 4.
  const written = await verifyWritten(zones, await listSignconfRecords(db), epoch, sinceMs);
  report.steps.push(stepReport(4, NAMES[4], `${zones.length - zonesIn(written).size} of ${zones.length} zones freshly written under epoch ${epoch}`, written));

  // Step 5, against the sets published before this run (keys the run introduced cannot be live yet).
  if (!config.probe) {
    report.steps.push(stepReport(5, NAMES[5], 'not configured', [{ reason: `no probe servers: add a probe section to ${config.file}` }]));
  } else {
    const checked = await liveKeyCheck(zones, keysBefore, config.probe, { now: () => deps.clock.now(), ...(deps.query ? { query: deps.query } : {}) });
    report.live = checked.zones;
    const matched = checked.zones.filter((z) => z.verdict === 'MATCH').length;
    report.steps.push(stepReport(5, NAMES[5], `${matched} of ${checked.zones.length} zones MATCH`, checked.problems));
  }
  const stale = zonesIn(written);
  report.zones = zones.map((zone) => ({ zone, signconf: stale.has(zone) ? 'NOT FRESH' : 'OK', live: report.live.find((l) => l.zone === zone)?.verdict ?? null }));

  // Step 6.
  if (report.steps.some((s) => s.status !== 'PASS')) {
    const held = await holdOnNoGo({ db, config, session, actor: opts.actor }, problemsOf(report));
    report.steps.push(skipped(6, NAMES[6], held ? `NO-GO: nothing published; runs on ${config.node} stay held until a failover says GO` : 'NO-GO: nothing published'));
    report.exitCode = EXIT.ERROR;
    return report;
  }
  report.verdict = 'GO';
  report.publish = await publishOnGo({ db, config, log, session, actor: opts.actor, clock: deps.clock });
  const failed = report.publish.ran.filter((r) => !r.ok).map((r) => ({ reason: `${r.what} failed: ${r.summary}` }));
  report.steps.push(stepReport(6, NAMES[6], publishSummary(report.publish), failed));
  report.exitCode = failed.length > 0 ? EXIT.ERROR : EXIT.OK;
  return report;
}

/** Step 6's line: the hold, what ran, what did not and why in short (the report's lines say it in full). */
function publishSummary(p: PublishResult): string {
  const ran = p.ran.map((r) => r.what).join(', ');
  const notRun = p.notRun.map((n) => `${n.what} not run (already active)`);
  const nothing = !ran && notRun.length === 0 ? 'nothing configured to run (failover.publishCommand, hooks.onActive)' : '';
  return [p.holdLifted ? 'hold lifted' : 'no hold to lift', ran, ...notRun, nothing].filter(Boolean).join('; ');
}

function problemsOf(r: FailoverReport): string[] {
  return r.steps.flatMap((s) => s.problems.map((p: Problem) => `step ${s.step}${p.zone ? ` ${p.zone}` : ''}: ${p.reason}`));
}

function zonesIn(problems: readonly Problem[]): Set<string> {
  return new Set(problems.flatMap((p) => (p.zone ? [p.zone] : [])));
}
