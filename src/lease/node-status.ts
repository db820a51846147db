// Everything `enforcer status` reports, gathered read-only: no lock, no lease, no write. A
// database that cannot be opened is itself an answer (WAIT: database unreachable), so this
// never throws for that; anything else unexpected does.

import type { Config } from '../config/config.js';
import { readDatabaseKind, type DatabaseKind } from '../store/database-kind.js';
import type { Db } from '../store/db.js';
import { readLease, type LeaseRow } from '../store/lease.js';
import { getMeta } from '../store/meta.js';
import { readNodeState, type NodeState } from '../store/node-state.js';
import { lastRun, type RunRow } from '../store/run-log.js';
import { readRunLockHolder, type RunLockHolder } from '../store/run-lock.js';
import { earliestNextRun } from '../store/zones.js';
import { systemClock, type Clock } from '../util/clock.js';
import { EXIT } from '../util/exit-codes.js';
import { maskUrl } from '../util/mask.js';
import { configFingerprint, FINGERPRINT_META_KEY, parseRecordedFingerprint, type RecordedFingerprint } from './config-fingerprint.js';
import { decideRole, type Role, type WaitReason } from './node-role.js';
import { describeHold, holdApplies, readHold } from './publish-hold.js';

export interface RunInfo {
  node: string;
  epoch: number;
  startedAt: string;
  finishedAt: string | null;
  /**
   * ok, partial, failed, running, or abandoned: its process stopped without finishing (killed, or it
   * lost the lease mid-run). A run still recorded as running is shown abandoned as soon as its
   * process can no longer finish it (see lastRun); the next run records it so.
   */
  outcome: string;
}

export interface NodeStatus {
  node: string;
  role: Role;
  reason: WaitReason | null;
  explanation: string;
  database: string;
  /** What the database is for (a lab database allows a moved clock); null when it could not be read. */
  databaseKind: DatabaseKind | null;
  activeNode: string | null;
  epoch: number | null;
  lease: { holder: string | null; live: boolean; acquiredAt: string | null; expiresAt: string | null } | null;
  runLock: { node: string | null; processId: number | null; backendPid: number; since: string | null } | null;
  lastRun: RunInfo | null;
  lastSuccessfulRun: RunInfo | null;
  /** ISO time, "now" when a zone is due, null when there are no zones. */
  nextRunNeeded: string | null;
  configuration: { local: string | null; localError: string | null; recorded: RecordedFingerprint | null; matches: boolean | null };
  transition: { pendingRole: string; hookError: string | null; failedAt: string | null } | null;
  /**
   * This node's clock (moved on a lab or test database) against the database's. refusesToAct: this
   * node's system clock is further from the database's than clock.maxSkew, so runs, failover and
   * switchover refuse (exit 75) here.
   */
  clock: { database: string; node: string; offsetSeconds: number; maxSkewSeconds: number; refusesToAct: boolean } | null;
}

export interface StatusDeps {
  config: Pick<Config, 'node' | 'database' | 'kasp' | 'zonelist' | 'keystores' | 'clock'>;
  /** This node's own clock (moved on a lab database), not one anchored to the database's. */
  clock: Clock;
  /** Opens the store read-only; may throw (unreachable, busy, schema not current). */
  openDb: () => Promise<Db>;
}

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);
const runInfo = (r: RunRow | null): RunInfo | null =>
  r && { node: r.node, epoch: r.epoch, startedAt: r.startedAt.toISOString(), finishedAt: iso(r.finishedAt), outcome: r.outcome };

export async function nodeStatus(deps: StatusDeps): Promise<NodeStatus> {
  const { config } = deps;
  let local: string | null = null;
  let localError: string | null = null;
  try {
    local = await configFingerprint(config);
  } catch (e) {
    localError = (e as Error).message;
  }
  const description = config.database.kind === 'postgres' ? maskUrl(config.database.url) : `embedded:${config.database.directory}`;
  let db: Db;
  try {
    db = await deps.openDb();
  } catch (e) {
    const code = (e as { exitCode?: number }).exitCode;
    if (code !== EXIT.DB_UNAVAILABLE && code !== EXIT.NOT_ACTIVE) throw e;
    // An embedded database in use by another process (75) cannot be read either.
    const reason: WaitReason = code === EXIT.NOT_ACTIVE ? 'lease-held-elsewhere' : 'database-unreachable';
    return {
      node: config.node, role: 'WAIT', reason, explanation: (e as Error).message, database: description, databaseKind: null,
      activeNode: null, epoch: null, lease: null, runLock: null, lastRun: null, lastSuccessfulRun: null, nextRunNeeded: null,
      configuration: { local, localError, recorded: null, matches: null }, transition: null, clock: null,
    };
  }
  const lease: LeaseRow = await readLease(db);
  const lockHolder: RunLockHolder | null = db.kind === 'postgres' ? await readRunLockHolder(db) : null;
  const state: NodeState | null = await readNodeState(db, config.node);
  const recorded = parseRecordedFingerprint(await getMeta(db, FINGERPRINT_META_KEY));
  const matches = local !== null && recorded !== null ? local === recorded.sha256 : null;
  const next = await earliestNextRun(db);
  const hold = await readHold(db);
  const decision = decideRole({
    hold: holdApplies(hold, config.node, lease.activeNode) ? describeHold(hold) : null,
    node: config.node,
    lease,
    lockHolder,
    state,
    // On the active node the recorded fingerprint is its own (a changed file is read at the next run).
    configMatches: lease.activeNode === config.node ? null : matches,
    configError: localError,
  });
  const nodeNow = deps.clock.now();
  const databaseKind = await readDatabaseKind(db);
  const offsetSeconds = Math.round((nodeNow.getTime() - lease.dbNow.getTime()) / 100) / 10;
  // The refusal compares the system clock (clock-skew.ts): a clock moved on purpose on a lab or
  // test database (time travel) does not make a node refuse, a wrong system clock does.
  const skewSeconds = (systemClock.now().getTime() - lease.dbNow.getTime()) / 1000;
  return {
    node: config.node,
    ...decision,
    database: db.description,
    databaseKind,
    activeNode: lease.activeNode,
    epoch: lease.epoch,
    lease: { holder: lease.held ? lease.holderNode : null, live: lease.held, acquiredAt: iso(lease.acquiredAt), expiresAt: iso(lease.expiresAt) },
    runLock: lockHolder && { node: lockHolder.node, processId: lockHolder.processId, backendPid: lockHolder.backendPid, since: iso(lockHolder.since) },
    lastRun: runInfo(await lastRun(db)),
    lastSuccessfulRun: runInfo(await lastRun(db, ['ok', 'partial'])),
    nextRunNeeded: next === null ? null : next.getTime() <= lease.dbNow.getTime() ? 'now' : next.toISOString(),
    configuration: { local, localError, recorded, matches },
    transition: state?.pendingRole ? { pendingRole: state.pendingRole, hookError: state.hookError, failedAt: iso(state.hookFailedAt) } : null,
    clock: {
      database: lease.dbNow.toISOString(),
      node: nodeNow.toISOString(),
      offsetSeconds,
      maxSkewSeconds: config.clock.maxSkewSeconds,
      refusesToAct: Math.abs(skewSeconds) > config.clock.maxSkewSeconds,
    },
  };
}
