// `failover --drill`: the failover runbook without the takeover, safe on the standby at any time while
// the primary is active. Steps 1 (preconditions), 3 (render every signconf into a scratch directory),
// 4 (verify signconfs against the database's records and the real files) and 5 (live DNSKEY sets);
// never step 2 (the lease) or 6 (publish).
// Contract: writes nothing to the database — every read runs in one REPEATABLE READ, READ ONLY
// transaction, so PostgreSQL itself refuses a write and the steps see one consistent state even while
// the active node runs — and nothing to the real signconf directory. Files are written only inside the
// scratch directory, which is removed afterwards unless the caller keeps it. Every step runs even when
// an earlier one failed, so one drill shows everything to fix; the verdict is GO only when all pass.
// What the active node's next run will change (a roll due, e.g. after `key rollover`) is a failover's
// run's business too: step 4 lists it as notes, which do not make a NO-GO.

import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Config } from '../config/config.js';
import type { QueryFn } from '../probe/dns-client.js';
import type { Db } from '../store/db.js';
import { allZoneKeys, type ZoneKeyRow } from '../store/keys.js';
import { listPolicies } from '../store/policies.js';
import { listSignconfRecords } from '../store/signconf-records.js';
import { loadZoneStates } from '../enforcer/zone-state.js';
import { limiter } from '../probe/limit.js';
import { listZones } from '../store/zones.js';
import { EnforcerError, EXIT } from '../util/exit-codes.js';
import { skipped, stepReport, type Problem, type StepReport } from './drill-types.js';
import { liveKeyCheck, type LiveZone } from './live-keys.js';
import { configProblems, keystoreProblems } from './preconditions.js';
import { renderZone, type RenderedZone } from './render-zones.js';
import { verifyZone } from './verify-signconf.js';

export interface DrillDeps {
  config: Config;
  /** Opens the database read-only (no migration); a failure is reported as step 1's, not thrown. */
  openDb: () => Promise<Db>;
  /** The `now` a run would use (the context's clock). */
  now: () => Date;
  /** Real time for the live servers' signatures (resolvers judge by it); defaults to `now`. */
  liveNow?: () => Date;
  /** Render into this directory and keep it, instead of a temporary one removed afterwards. */
  keepScratch?: string;
  query?: QueryFn;
}

export interface DrillZone {
  zone: string;
  /** DUE: as recorded, and the active node's next run (or a failover's) will change it (see step 4's notes). */
  signconf: 'OK' | 'DUE' | 'DIFFERS' | 'NOT RENDERED';
  live: LiveZone['verdict'] | null;
}

export interface DrillReport {
  verdict: 'GO' | 'NO-GO';
  node: string;
  at: string;
  scratch: { directory: string; kept: boolean };
  steps: StepReport[];
  zones: DrillZone[];
  live: LiveZone[];
}

/** Scratch files written and real files read at once. */
const FILE_CONCURRENCY = 16;

const NAMES = { 1: 'preconditions', 3: 'render signconf (scratch)', 4: 'verify signconf', 5: 'live DNSKEY sets' } as const;

export async function runDrill(deps: DrillDeps): Promise<DrillReport> {
  const scratch = await scratchDirectory(deps);
  try {
    return await drillIn(deps, scratch);
  } finally {
    if (!deps.keepScratch) await rm(scratch, { recursive: true, force: true });
  }
}

async function drillIn(deps: DrillDeps, scratch: string): Promise<DrillReport> {
  const { config } = deps;
  const base = (at: Date) => ({ node: config.node, at: at.toISOString(), scratch: { directory: scratch, kept: Boolean(deps.keepScratch) } });
  let db: Db;
  try {
    db = await deps.openDb();
  } catch (e) {
    const steps = [
      stepReport(1, NAMES[1], 'database unreachable', [{ reason: `database unreachable or not usable: ${(e as Error).message}` }]),
      ...([3, 4, 5] as const).map((s) => skipped(s, NAMES[s], 'needs the database')),
    ];
    return { verdict: 'NO-GO', ...base(deps.now()), steps, zones: [], live: [] };
  }
  // Taken after opening: the context's clock is only final once the database is open (test settings).
  const now = deps.now();

  const read = await db.transaction(async (tx) => {
    await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    const keys = await allZoneKeys(tx);
    const configDiffers = await configProblems(tx, config);
    const zones = await listZones(tx);
    const policies = new Map((await listPolicies(tx)).map((p) => [p.name, p]));
    // Every zone's state and record in three queries, all inside this one snapshot.
    const states = await loadZoneStates(tx, zones, policies);
    const records = new Map((await listSignconfRecords(tx)).map((r) => [r.zone, r]));
    return { keys, configDiffers, zones, policies, states, records };
  });
  const step1 = [...read.configDiffers, ...(await keystoreProblems(read.keys, config))];
  // Rendering and file reads need no database: side by side, bounded.
  const limit = limiter(FILE_CONCURRENCY);
  const outcomes = await Promise.all(
    read.zones.map((zone) =>
      limit(async () => {
        const r = await renderZone(read.states.get(zone.name), zone, read.policies.get(zone.policy), config.signconfDirectory, scratch, now);
        return { r, verified: r.ok ? await verifyZone(r.rendered, read.records.get(zone.name) ?? null, config.node) : { problems: [], notes: [] } };
      }),
    ),
  );
  const rendered: RenderedZone[] = [];
  const step3: Problem[] = [];
  const step4: Problem[] = [];
  const step4Notes: Problem[] = [];
  for (const { r, verified } of outcomes) {
    if (r.ok) rendered.push(r.rendered);
    else step3.push({ zone: r.zone, reason: r.reason });
    step4.push(...verified.problems);
    step4Notes.push(...verified.notes);
  }

  const zoneNames = read.zones.map((z) => z.name);
  const differs = zonesIn(step4);
  const due = new Set([...zonesIn(step4Notes)].filter((z) => !differs.has(z)));
  const dueWords = due.size > 0 ? `, ${due.size} with a change due at the next run (see notes)` : '';
  const steps: StepReport[] = [
    stepReport(1, NAMES[1], `database reachable, configuration and ${distinct(read.keys)} keys checked`, step1),
    stepReport(3, NAMES[3], `${rendered.length} of ${zoneNames.length} zones rendered`, step3),
    stepReport(4, NAMES[4], `${rendered.length - differs.size} of ${rendered.length} zones as recorded${dueWords}`, step4, step4Notes),
  ];
  let live: LiveZone[] = [];
  if (!config.probe) {
    steps.push(stepReport(5, NAMES[5], 'not configured', [{ reason: `no probe servers: add a probe section to ${config.file}` }]));
  } else {
    const checked = await liveKeyCheck(zoneNames, read.keys, config.probe, { now: deps.liveNow ?? deps.now, ...(deps.query ? { query: deps.query } : {}) });
    live = checked.zones;
    const matched = live.filter((z) => z.verdict === 'MATCH').length;
    steps.push(stepReport(5, NAMES[5], `${matched} of ${live.length} zones MATCH`, checked.problems));
  }

  const renderedZones = new Set(rendered.map((r) => r.zone));
  const zones: DrillZone[] = zoneNames.map((zone) => ({
    zone,
    signconf: !renderedZones.has(zone) ? 'NOT RENDERED' : differs.has(zone) ? 'DIFFERS' : due.has(zone) ? 'DUE' : 'OK',
    live: live.find((l) => l.zone === zone)?.verdict ?? null,
  }));
  const verdict = steps.every((s) => s.status === 'PASS') ? 'GO' : 'NO-GO';
  return { verdict, ...base(now), steps, zones, live };
}

/**
 * A fresh temporary directory, or the operator's `--keep-scratch` directory, which must be new or
 * empty and must not be the real signconf directory: the drill must never put a file where the
 * signer would pick it up.
 */
async function scratchDirectory(deps: DrillDeps): Promise<string> {
  if (!deps.keepScratch) return mkdtemp(path.join(os.tmpdir(), 'enforcer-drill-'));
  const dir = path.resolve(deps.keepScratch);
  const real = path.resolve(deps.config.signconfDirectory);
  if (dir === real || dir.startsWith(real + path.sep) || real.startsWith(dir + path.sep)) {
    throw new EnforcerError(`--keep-scratch ${dir} overlaps the signconf directory ${real}: choose another directory`, EXIT.USAGE);
  }
  await mkdir(dir, { recursive: true });
  if ((await readdir(dir)).length > 0) throw new EnforcerError(`--keep-scratch ${dir} is not empty`, EXIT.USAGE);
  return dir;
}

function distinct(keys: readonly ZoneKeyRow[]): number {
  return new Set(keys.map((k) => `${k.repository}/${k.locator}`)).size;
}

function zonesIn(problems: readonly Problem[]): Set<string> {
  return new Set(problems.flatMap((p) => (p.zone ? [p.zone] : [])));
}
