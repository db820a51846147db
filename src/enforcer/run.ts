// `enforcer run`, the cron job: take the lease (or step aside as standby), bring the database in
// step with kasp.xml and zonelist.xml, then give every zone that is due its step. One zone's
// failure is reported and does not stop the others. The single-active guard (src/lease/) holds
// the run lock and lease, renews them while the run goes on and releases them at the end; every
// write is fenced by its epoch, and the run stops at the next step once the guard gives up.

import { mkdir } from 'node:fs/promises';
import type { Config } from '../config/config.js';
import type { Keystores } from '../keys/keystores.js';
import { ensurePool, slotKey } from '../keys/pool.js';
import type { Policy } from '../policy/policy.js';
import type { Db } from '../store/db.js';
import type { PoolSlot } from '../store/keys.js';
import type { ActiveSession } from '../lease/active-session.js';
import { DETAILS_META_KEY, fingerprintInput, fingerprintOf, FINGERPRINT_META_KEY, parseRecordedFingerprint } from '../lease/config-fingerprint.js';
import { canonicalJson } from '../util/canonical-json.js';
import { enterActive } from '../lease/single-active.js';
import { fenced, type Fence } from '../store/lease.js';
import { getMeta, setMeta } from '../store/meta.js';
import { listPolicies } from '../store/policies.js';
import { abandonDeadRuns, finishRun, startRun, type RunOutcome, type RunRow } from '../store/run-log.js';
import { auditAll } from '../store/audit.js';
import { earliestNextRun, zonesDue, getZone, type ZoneRow } from '../store/zones.js';
import type { Clock } from '../util/clock.js';
import { EnforcerError, EXIT } from '../util/exit-codes.js';
import { failpoint } from '../util/failpoint.js';
import type { Logger } from '../util/logger.js';
import { syncConfiguredFiles, type ImportResult } from './import-files.js';
import { runPendingDsCommands, type DsCommandRun } from './ds-commands.js';
import { sweepStaleTempFiles } from './stale-temp-sweep.js';
import { countPublicationFailure, publishZones, type PublicationTicket } from './publication.js';
import { PoolQueue } from './pool-queue.js';
import { readZoneInputs, zoneStep, type ZoneStepInput } from './zone-step.js';
import { closeWorkers, forEachZone, openWorkers } from './zone-workers.js';
import { enforce } from '../rollover/index.js';

export interface RunDeps {
  db: Db;
  config: Config;
  keystores: Keystores;
  clock: Clock;
  log: Logger;
}

export interface RunOptions {
  actor?: string;
  /** Only these zones, due or not (still subject to the lease); default all due zones. */
  zones?: string[];
  /**
   * Rewrite signconf files even when unchanged: those of `zones`, or without `zones` of every zone,
   * due or not (`run --force`, `signconf`).
   */
  force?: boolean;
  /** Every zone, due or not (failover rewrites every signconf file under its new epoch); implied by `force`. */
  everyZone?: boolean;
  /** Leave the session running afterwards (the caller goes on under the lease and ends it). */
  keepSession?: boolean;
  /**
   * Run the configured DS commands of pending requests after the zone steps (default true).
   * `failover` says false: its run decides DS changes, but only a node whose failover said GO
   * asks the parent for anything; the next run there runs them.
   */
  dsCommands?: boolean;
  /** Zone steps side by side (PostgreSQL only); default ZONE_CONCURRENCY. */
  concurrency?: number;
  batchSize?: number;
  progress?: (done: number, what: string) => void;
  /**
   * 'defer': put signconf files in place but neither tell the signer nor confirm them; they stay
   * pending (their changes do not age) until publishPending — a failover's publish step on GO.
   */
  publish?: 'now' | 'defer';
}

export interface RunSummary {
  role: 'active' | 'standby';
  node: string;
  activeNode: string | null;
  epoch: number;
  outcome: RunOutcome | 'standby';
  imported: ImportResult | null;
  zonesExamined: number;
  zonesChanged: number;
  signconfWritten: number;
  /** Zones whose signconf was confirmed as published (in place, signer told) in this run. */
  signconfPublished: number;
  /** DS changes the parent must make, asked for in this run (see `key ds-submit` / `ds-retract`). */
  dsRequests: Array<{ zone: string; type: 'ds-submit' | 'ds-retract'; keyTag: number }>;
  /** The configured DS commands this run ran: for this run's requests and for earlier ones still pending. */
  dsCommands: DsCommandRun[];
  keysGenerated: number;
  /** Earlier runs left `running` by a process that stopped without finishing, marked abandoned by this run. */
  runsAbandoned: number;
  /** Stale temp files of interrupted writes removed from the signconf and file keystore directories (see stale-temp-sweep.ts). */
  tempFilesRemoved: number;
  /** Stale temp files this run could not remove (logged; `check signconf` / `check keystore` report them). */
  tempFilesNotRemoved: number;
  errors: Array<{ zone: string; message: string }>;
  nextRunAt: string | null;
}

/** Zone steps in flight at once on PostgreSQL: enough to overlap commit and fsync waits, few connections. */
export const ZONE_CONCURRENCY = 8;

export async function runEnforcer(deps: RunDeps, opts: RunOptions = {}): Promise<RunSummary> {
  const { db, config, log } = deps;
  const entered = await enterActive({ db, config, log });
  if (entered.role === 'standby') {
    return {
      role: 'standby', node: config.node, activeNode: entered.lease.activeNode, epoch: entered.lease.epoch, outcome: 'standby',
      imported: null, zonesExamined: 0, zonesChanged: 0, signconfWritten: 0, signconfPublished: 0, dsRequests: [], dsCommands: [], keysGenerated: 0,
      runsAbandoned: 0, tempFilesRemoved: 0, tempFilesNotRemoved: 0, errors: [], nextRunAt: null,
    };
  }
  // The session renews the lease and watches the run lock; `keeper.check()` stops the run once it gave up.
  return runAsActive(deps, entered.session, opts);
}

/**
 * The run proper, in a session that holds the lease (and run lock); ends the session when done.
 * `failover` enters its session by a takeover and calls this directly, keeping the session.
 */
export async function runAsActive(deps: RunDeps, keeper: ActiveSession, opts: RunOptions = {}): Promise<RunSummary> {
  const { db, config, log } = deps;
  const actor = opts.actor ?? 'run';
  const fence = keeper.fence;
  const summary: RunSummary = {
    role: 'active', node: config.node, activeNode: config.node, epoch: fence.epoch, outcome: 'running', imported: null,
    zonesExamined: 0, zonesChanged: 0, signconfWritten: 0, signconfPublished: 0, dsRequests: [], dsCommands: [], keysGenerated: 0,
    runsAbandoned: 0, tempFilesRemoved: 0, tempFilesNotRemoved: 0, errors: [], nextRunAt: null,
  };
  const now = deps.clock.now();
  // The session holds the run lock, which proved this is no transaction-mode pooler.
  db.usePreparedStatements?.();
  let runId: number;
  try {
    await ensureSignconfDirectory(config.signconfDirectory, log);
    // Unreadable files are reported by the import below; the fingerprint then stays as it was.
    const input = await fingerprintInput(config).catch(() => null);
    const fingerprint = input ? fingerprintOf(input) : null;
    let abandoned: RunRow[] = [];
    runId = await fenced(db, fence, async (tx) => {
      if (input && fingerprint) {
        const at = deps.clock.now().toISOString();
        const recorded = parseRecordedFingerprint(await getMeta(tx, FINGERPRINT_META_KEY));
        await setMeta(tx, FINGERPRINT_META_KEY, JSON.stringify({ sha256: fingerprint, node: config.node, epoch: fence.epoch, at }));
        // The details (what `config compare` diffs against) are rewritten only when they changed.
        if (recorded?.sha256 !== fingerprint || (await getMeta(tx, DETAILS_META_KEY)) === null) {
          await setMeta(tx, DETAILS_META_KEY, canonicalJson(input));
        }
      }
      // Runs left `running` by a process that stopped without finishing: under this lease, none can still finish.
      abandoned = await abandonDeadRuns(tx, { node: config.node, epoch: fence.epoch, at: now });
      await auditAll(tx, fence, abandoned.map((r) => ({
        actor, event: 'run abandoned',
        detail: { run: r.id, node: r.node, epoch: r.epoch, startedAt: r.startedAt.toISOString() },
      })));
      return startRun(tx, config.node, now);
    });
    summary.runsAbandoned = abandoned.length;
    for (const r of abandoned) {
      log.warn({ run: r.id, node: r.node, epoch: r.epoch, startedAt: r.startedAt.toISOString() }, 'marked a run abandoned: its process stopped without finishing (killed, or it lost the lease)');
    }
  } catch (e) {
    if (!opts.keepSession) await keeper.end();
    throw e;
  }
  let workers: Db[] = [db];
  try {
    // Temp files that killed writes left behind (old enough that no live writer can own them).
    keeper.check();
    const swept = await sweepStaleTempFiles({ db, fence, config, log }, actor);
    summary.tempFilesRemoved = swept.removed;
    summary.tempFilesNotRemoved = swept.notRemoved;
    summary.imported = await syncConfiguredFiles(db, fence, config, actor);
    // Zone steps wait mostly on commits and fsyncs: several at once, each on its own connection.
    workers = await openWorkers(db, (opts.concurrency ?? ZONE_CONCURRENCY) - 1);
    const policies = new Map((await listPolicies(db)).map((p) => [p.name, p]));
    const batchSize = opts.batchSize ?? 500;
    // A forced rewrite is of every signconf file, not only those of the zones that happen to be due.
    const everyZone = opts.everyZone === true || opts.force === true;
    const pool = new PoolQueue();
    let after = '';
    for (;;) {
      const batch = opts.zones
        ? after === '' ? await explicitZones(db, opts.zones) : []
        : await zonesDue(db, everyZone ? null : now, batchSize, after);
      if (batch.length === 0) break;
      after = batch[batch.length - 1]!.name;
      // What every step of the batch starts from, in three queries rather than several per zone.
      const inputs = await readZoneInputs(db, batch, policies);
      summary.keysGenerated += await fillPools(deps, fence, keeper, policies, batch, inputs, pool, actor, summary);
      const tickets: PublicationTicket[] = [];
      await forEachZone({
        zones: batch,
        dbs: workers,
        serialKey: (zone) => (policies.get(zone.policy)?.keys.shareKeys ? zone.policy : null),
        step: async (zone, zdb) => {
          keeper.check();
          summary.zonesExamined++;
          const policy = policies.get(zone.policy);
          const input = inputs.get(zone.name);
          try {
            if (!policy || !input) throw new Error(`policy ${zone.policy} is not in the database`);
            const r = await zoneStep({ db: zdb, fence, signconfDirectory: config.signconfDirectory, now, actor, force: opts.force ?? false, pool }, input, policy);
            if (r.keysAllocated > 0 || r.actions > 0 || r.resalted || r.signconfWritten) summary.zonesChanged++;
            // The requests are in the database now; their commands run after the zone steps.
            for (const q of r.dsRequests) summary.dsRequests.push({ zone: zone.name, ...q });
            if (r.dsRequests.length > 0) await failpoint('after-ds-decision');
            if (r.signconfWritten) summary.signconfWritten++;
            if (r.publication) tickets.push(r.publication);
            log.debug(r, 'zone done');
          } catch (e) {
            if (isFatal(e)) throw e;
            summary.errors.push({ zone: zone.name, message: (e as Error).message });
            log.error({ zone: zone.name, err: (e as Error).message }, 'zone failed');
            // A signconf recorded but not put in place (the rename failed after the commit) is
            // pending: count the failure, so `check signconf` can name the zone and the reason.
            await countPublicationFailure(zdb, fence, zone.name, (e as Error).message, actor, log);
          }
          opts.progress?.(summary.zonesExamined, zone.name);
        },
      });
      // The batch's files are in place: tell the signer, then confirm what it was told.
      if (opts.publish !== 'defer' && tickets.length > 0) {
        keeper.check();
        const published = await publishZones({ db, fence, config, clock: deps.clock, log, actor }, tickets);
        summary.signconfPublished += published.published.length;
        summary.errors.push(...published.failed);
      }
      if (opts.zones) break;
    }
    // DS commands from stored state: this run's requests and any earlier one whose command has not
    // succeeded yet (failed, interrupted, or decided by a node that stopped before running it).
    if (opts.dsCommands !== false) {
      keeper.check();
      summary.dsCommands = await runPendingDsCommands({ db, fence, config, clock: deps.clock, log }, { zones: opts.zones ?? null, actor });
      for (const c of summary.dsCommands) {
        if (!c.ok) summary.errors.push({ zone: c.zone, message: `${c.type} command for key ${c.keyTag} failed (attempt ${c.attempt}; the next run tries again): ${c.summary}` });
      }
    }
    const next = await earliestNextRun(db);
    summary.nextRunAt = next === null ? null : new Date(Math.max(next.getTime(), now.getTime())).toISOString();
    summary.outcome = summary.errors.length === 0 ? 'ok' : 'partial';
    await fenced(db, fence, (tx) => finishRun(tx, runId, summary.outcome as RunOutcome, deps.clock.now(), summary));
    return summary;
  } catch (e) {
    summary.outcome = 'failed';
    // Record the failure if we still can; a lost lease makes this fail too, which is right.
    const cause = await keeper.cause(e);
    await fenced(db, fence, (tx) => finishRun(tx, runId, 'failed', deps.clock.now(), { ...summary, error: (cause as Error).message })).catch(
      () => undefined,
    );
    throw cause;
  } finally {
    await closeWorkers(workers);
    if (!opts.keepSession) await keeper.end();
  }
}

/**
 * Create the signconf directory when it is missing, but never its parents: a missing parent more
 * likely means a volume that is not mounted, and writing beneath the mount point would hide it.
 */
async function ensureSignconfDirectory(dir: string, log: Logger): Promise<void> {
  try {
    await mkdir(dir, { mode: 0o755 });
    log.warn({ dir }, 'created the signconf directory');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return;
    throw new EnforcerError(`cannot create the signconf directory ${dir}: ${(e as Error).message}`, EXIT.ERROR);
  }
}

/** Errors that mean this process must stop acting at once rather than go on with other zones. */
function isFatal(e: unknown): boolean {
  const code = (e as { exitCode?: number }).exitCode;
  return code === 75 || code === 69 || code === 78;
}

async function explicitZones(db: Db, names: string[]): Promise<ZoneRow[]> {
  const out: ZoneRow[] = [];
  for (const n of names) {
    const z = await getZone(db, n);
    if (!z) throw new Error(`no such zone ${n}`);
    out.push(z);
  }
  return out;
}

/** Generate, before the zones of a batch are processed, the keys they will take from the pool, and queue them. */
async function fillPools(
  deps: RunDeps,
  fence: Fence,
  keeper: ActiveSession,
  policies: Map<string, Policy>,
  batch: ZoneRow[],
  inputs: ReadonlyMap<string, ZoneStepInput>,
  pool: PoolQueue,
  actor: string,
  summary: RunSummary,
): Promise<number> {
  const needs = new Map<string, { slot: PoolSlot; count: number }>();
  // Ask the core (pure) which keys each zone will want now, so they can be made in advance.
  const now = deps.clock.now().getTime();
  for (const zone of batch) {
    const policy = policies.get(zone.policy);
    const loaded = inputs.get(zone.name)?.loaded;
    if (!policy || !loaded) continue;
    const wanted = enforce(loaded.state, policy, now).actions;
    for (const a of wanted) {
      if (a.type !== 'create-key') continue;
      const slot: PoolSlot = { policy: policy.name, role: a.role, algorithm: a.algorithm, bits: a.bits, repository: a.repository };
      const k = slotKey(slot);
      const n = needs.get(k) ?? { slot, count: 0 };
      // Shared keys: one key serves every zone of the policy.
      n.count = policy.keys.shareKeys ? 1 : n.count + 1;
      needs.set(k, n);
    }
  }
  let generated = 0;
  for (const { slot, count } of needs.values()) {
    try {
      generated += await ensurePool(deps.db, fence, deps.keystores, slot, count, actor, async (done, total) => {
        deps.log.debug({ slot, done, total }, 'generating keys');
        keeper.check();
      });
    } catch (e) {
      if (isFatal(e)) throw e;
      // The zones needing this slot will each fail with "no unused key"; say why once here.
      summary.errors.push({ zone: '*', message: `key generation for ${slotKey(slot)} failed: ${(e as Error).message}` });
      deps.log.error({ slot, err: (e as Error).message }, 'key generation failed');
    }
  }
  // The batch's zone steps take these keys from memory (see pool-queue.ts).
  await pool.fill(deps.db, needs.values());
  return generated;
}
