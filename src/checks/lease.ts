// `check lease`: the single-active guard as monitoring sees it. This node's role and why (nodeStatus,
// as `status` shows it), exactly one node acting as active (no other node still recorded active, no
// failed role transition anywhere, the active node not held by a publish hold), the last run's
// outcome, the age of the last successful run (-w/-c) and this node's clock against the database's.
// CRITICAL: this node's configuration differs from the active node's, a role transition failed, no
// node is active, another node holds the lease while this one is the active node, or the active node
// is publish-held (it took over or was handed the role and no failover on it said GO: no node
// enforces), on whichever node the check runs.
// WARNING: the last run failed, had failing zones or was abandoned (its process stopped without
// finishing, see lastRun), a node has not yet stood down, the clock is off,
// the active node is publish-held while its failover is still running its checks, or the database is
// a lab database (`enforcer db init --lab`: a moved clock is allowed there), so monitoring pointed at
// a lab by mistake never reports it as a healthy production enforcer.

import { nodeStatus, type NodeStatus } from '../lease/node-status.js';
import { describeHold, holdApplies, readHold, type PublishHold } from '../lease/publish-hold.js';
import { lastRun, type RunRow } from '../store/run-log.js';
import type { CheckContext, CheckSpec } from './check.js';
import { allNodeStates } from '../store/node-state.js';
import { RUN_AGE_THRESHOLDS, runAge } from './run-age.js';
import { readSnapshot, snapshotDb } from './snapshot.js';
import { resultOf, type CheckResult, type Finding, type PerfDatum } from './types.js';

/** Beyond this a node's clock is reported (rollover timing on a takeover uses the node's clock). */
/** On a lab database: a clock moved further than this is pointed out (it is allowed there). */
export const CLOCK_WARN_SECONDS = 60;

export const leaseCheck: CheckSpec = {
  name: 'lease',
  description: "this node's role, exactly one active node, role transitions, the publish hold, the last run and its age, this node's clock",
  thresholds: RUN_AGE_THRESHOLDS,
  run: checkLease,
};

async function checkLease(ctx: CheckContext): Promise<CheckResult> {
  const { config } = ctx;
  const now = ctx.now();
  const nodeNow = (ctx.nodeNow ?? ctx.now)();
  const read = await readSnapshot(ctx.db, async (tx) => ({
    status: await nodeStatus({ config, clock: { now: () => nodeNow }, openDb: async () => snapshotDb(ctx.db, tx) }),
    nodes: await allNodeStates(tx),
    last: await lastRun(tx),
    lastOk: await lastRun(tx, ['ok', 'partial']),
    hold: await readHold(tx),
  }));
  const s = read.status;
  const findings: Finding[] = [...roleFindings(s, config.node)];
  // The same hold on every node: it names the active node, whichever node the check runs on.
  const held = read.hold && holdApplies(read.hold, read.hold.node, s.activeNode) ? read.hold : null;
  if (held) findings.push(holdFinding(held, s));
  const ignored = new Set(ctx.ignoreNodes);
  for (const n of read.nodes) {
    if (n.pendingRole && n.node !== config.node) {
      findings.push({ status: 'CRITICAL', message: `${n.node}: its transition to ${n.pendingRole} failed at ${n.hookFailedAt?.toISOString() ?? '?'}: ${n.hookError ?? '?'}` });
    }
    if (n.role === 'active' && s.activeNode !== null && n.node !== s.activeNode && !ignored.has(n.node)) {
      findings.push({
        status: 'WARNING',
        message:
          `${n.node} last recorded itself active (epoch ${n.epoch}, ${n.changedAt.toISOString()}) but ${s.activeNode} is the active node: ` +
          `its next run makes it standby (onStandby hook); until then its signer may still be running`,
      });
    }
  }
  const lastFinding = lastRunFinding(read.last);
  if (lastFinding) findings.push(lastFinding);
  const age = runAge(read.lastOk, now, ctx.thresholds!);
  if (age.finding) findings.push(age.finding);
  if (s.databaseKind === 'lab') {
    findings.push({ status: 'WARNING', message: `${s.database} is a LAB database (enforcer db init --lab): a moved clock is allowed there; it is not for production` });
  }
  const offset = s.clock?.offsetSeconds ?? null;
  const maxSkew = config.clock.maxSkewSeconds;
  if (offset !== null && s.databaseKind === 'lab' && !s.clock!.refusesToAct) {
    if (Math.abs(offset) > CLOCK_WARN_SECONDS) {
      findings.push({ status: 'WARNING', message: `this node's clock is moved ${offset > 0 ? '+' : ''}${offset} s from the database's (lab database)` });
    }
  } else if (offset !== null && Math.abs(offset) > maxSkew / 2) {
    const off = `${offset > 0 ? '+' : ''}${offset} s`;
    findings.push(
      s.clock!.refusesToAct
        ? { status: 'CRITICAL', message: `this node's clock is ${off} off the database's (${s.clock!.database}), more than clock.maxSkew (${maxSkew} s): it refuses to act (runs, failover, switchover exit 75) until NTP fixes it` }
        : { status: 'WARNING', message: `this node's clock is ${off} off the database's, more than half of clock.maxSkew (${maxSkew} s): beyond it this node refuses to act; check NTP` },
    );
  }

  const perfdata: PerfDatum[] = [
    { label: 'lease_epoch', value: s.epoch, uom: '', min: 0, metric: { name: 'lease_epoch', help: 'The lease epoch: grows at every acquisition and takeover.' } },
    { label: 'node_active', value: s.activeNode === config.node ? 1 : 0, uom: '', min: 0, max: 1, metric: { name: 'node_active', help: '1 when this node is the recorded active node, else 0.' } },
    {
      label: 'publish_held', value: held ? 1 : 0, uom: '', min: 0, max: 1,
      metric: { name: 'publish_held', help: '1 while the active node is publish-held (it took over or was handed the role and no failover on it has said GO): no node enforces.' },
    },
    {
      label: 'node_role', value: 1, uom: '', prometheusOnly: true,
      metric: { name: 'node_info', help: "This node's name, role (ACTIVE, STANDBY, WAIT) and the active node; always 1.", labels: { node: config.node, role: s.role, active_node: s.activeNode ?? '' } },
    },
    { label: 'config_matches', value: s.configuration.matches === null ? null : s.configuration.matches ? 1 : 0, uom: '', min: 0, max: 1, metric: { name: 'config_matches', help: "1 when this node's configuration fingerprint equals the one the active node recorded, 0 when it differs." } },
    {
      label: 'lab_database', value: s.databaseKind === null ? null : s.databaseKind === 'lab' ? 1 : 0, uom: '', min: 0, max: 1,
      metric: { name: 'lab_database', help: '1 when the database is a lab database (enforcer db init --lab; a moved clock is allowed), else 0.' },
    },
    { label: 'clock_offset', value: offset, uom: 's', metric: { name: 'clock_offset_seconds', help: "This node's clock minus the database's, in seconds." } },
    age.perf,
  ];
  const role = s.role === 'WAIT' ? `WAIT (${s.reason})` : s.role;
  const lab = s.databaseKind === 'lab' ? 'LAB database: ' : '';
  return resultOf('lease', `${lab}${config.node} ${role}: ${s.explanation}; ${age.words}`, findings, perfdata);
}

function roleFindings(s: NodeStatus, node: string): Finding[] {
  if (s.role !== 'WAIT') return [];
  switch (s.reason) {
    case 'config-differs':
      return [{ status: 'CRITICAL', message: `${s.explanation}; this node could not take over as configured (enforcer config compare lists the differences)` }];
    case 'transition-failed':
      return [{ status: 'CRITICAL', message: `${s.explanation}; the next run retries the hook` }];
    case 'no-active-node':
      return [{ status: 'CRITICAL', message: s.explanation }];
    case 'lease-held-elsewhere':
      // Another node acting while this one is the recorded active node is a takeover or a split.
      return [{ status: s.activeNode === node ? 'CRITICAL' : 'WARNING', message: s.explanation }];
    case 'publish-held':
      // Said by holdFinding, in the same words on both nodes.
      return [];
    default:
      return [{ status: 'UNKNOWN', message: s.explanation }];
  }
}

/**
 * The active node under a publish hold: nobody enforces (its runs are refused, the other node is
 * standby). CRITICAL, except while its failover holds the lease and is still running its checks
 * (a hold not yet judged), which ends in GO or NO-GO within the failover's run and probe time.
 */
function holdFinding(hold: PublishHold, s: NodeStatus): Finding {
  const running = hold.verdict === 'pending' && s.lease?.live === true && s.lease.holder === hold.node;
  if (running) return { status: 'WARNING', message: `${describeHold(hold)}; its failover is running now (lease held until ${s.lease!.expiresAt ?? '?'})` };
  return { status: 'CRITICAL', message: `${describeHold(hold)}: no node enforces until \`enforcer failover\` on ${hold.node} says GO` };
}

function lastRunFinding(last: RunRow | null): Finding | null {
  if (!last) return null;
  const where = `the last run (on ${last.node}, epoch ${last.epoch}, started ${last.startedAt.toISOString()})`;
  if (last.outcome === 'failed') {
    const error = typeof last.summary.error === 'string' ? `: ${last.summary.error}` : '';
    return { status: 'WARNING', message: `${where} failed${error}` };
  }
  if (last.outcome === 'partial') {
    const errors = Array.isArray(last.summary.errors) ? (last.summary.errors as Array<{ zone?: string; message?: string }>) : [];
    const first = errors[0] ? `, first: ${errors[0].zone ?? '?'}: ${errors[0].message ?? '?'}` : '';
    return { status: 'WARNING', message: `${where} finished with ${errors.length} failing zone${errors.length === 1 ? '' : 's'}${first}` };
  }
  if (last.outcome === 'abandoned') {
    const marked = last.summary.abandoned as { noticedBy?: string; noticedEpoch?: number } | undefined;
    const noticed = marked?.noticedBy ? `; recorded as abandoned by ${marked.noticedBy}'s run under epoch ${marked.noticedEpoch ?? '?'}` : '; the next run records it as abandoned';
    return { status: 'WARNING', message: `${where} was abandoned: its process stopped without finishing (killed, or it lost the lease mid-run)${noticed}` };
  }
  return null;
}
