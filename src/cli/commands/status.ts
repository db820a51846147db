// `enforcer status`: this node's role (ACTIVE, STANDBY or WAIT with the reason), the active node
// and epoch, the lease and run lock, the last run, when a run is next needed, whether this node's
// configuration matches the active node's, and how far this node's clock is from the database's.
// Read-only; safe to run from monitoring at any rate.

import type { Command } from 'commander';
import { nodeStatus, type NodeStatus, type RunInfo } from '../../lease/node-status.js';
import { EXIT, type ExitCode } from '../../util/exit-codes.js';
import { action } from '../action.js';
import { databaseKindNote, formatOffset, printJson } from '../output.js';

/** Clock differences beyond this are pointed out (lease decisions never use the node's clock). */
const CLOCK_WARN_SECONDS = 60;

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description("this node's role (ACTIVE, STANDBY, WAIT and why), the active node, epoch, last and next run")
    .addHelpText(
      'after',
      `
Examples:
  enforcer --config /etc/dnssec-enforcer/enforcer.yaml status
  enforcer --config /etc/dnssec-enforcer/enforcer.yaml --json status

Exit codes: 0 ACTIVE or STANDBY, 69 WAIT because the database cannot be reached,
75 WAIT for any other reason (configuration differs, lease held elsewhere, hook failed, no active node yet).`,
    )
    .action(
      action(async (ctx) => {
        // This node's own clock, read through ctx: opening the database may move it (lab and test databases).
        const s = await nodeStatus({ config: ctx.config, clock: { now: () => ctx.nodeClock.now() }, openDb: () => ctx.readDb() });
        if (ctx.json) printJson(s);
        else process.stdout.write(describeStatus(s) + '\n');
        const exitCode = statusExitCode(s);
        return { exitCode, message: `${s.role}${s.reason ? ` (${s.reason})` : ''}`, fields: { role: s.role, reason: s.reason, activeNode: s.activeNode, epoch: s.epoch } };
      }),
    );
}

export function statusExitCode(s: NodeStatus): ExitCode {
  if (s.role !== 'WAIT') return EXIT.OK;
  return s.reason === 'database-unreachable' ? EXIT.DB_UNAVAILABLE : EXIT.NOT_ACTIVE;
}

function run(r: RunInfo | null): string {
  if (!r) return 'none';
  const line = `${r.outcome} on ${r.node} (epoch ${r.epoch}), started ${r.startedAt}${r.finishedAt ? `, finished ${r.finishedAt}` : ''}`;
  return r.outcome === 'abandoned' ? `${line} (its process stopped without finishing: killed?)` : line;
}

export function describeStatus(s: NodeStatus): string {
  const rows: Array<[string, string]> = [
    ['node', s.node],
    ['role', s.role === 'WAIT' ? `WAIT (${s.reason})` : s.role],
    ['why', s.explanation],
    ['database', `${s.database}${databaseKindNote(s.databaseKind)}`],
  ];
  if (s.epoch !== null) rows.push(['active node', `${s.activeNode ?? 'none'} (epoch ${s.epoch})`]);
  if (s.lease) {
    rows.push(['lease', s.lease.live ? `held by ${s.lease.holder} since ${s.lease.acquiredAt}, until ${s.lease.expiresAt}` : 'free']);
  }
  if (s.database.startsWith('postgres')) {
    const l = s.runLock;
    rows.push(['run lock', l ? `held by ${l.node ?? '?'} (process ${l.processId ?? '?'}, backend ${l.backendPid}) since ${l.since}` : s.epoch === null ? 'unknown' : 'free']);
  }
  if (s.epoch !== null) {
    rows.push(['last run', run(s.lastRun)]);
    rows.push(['last successful run', run(s.lastSuccessfulRun)]);
    rows.push(['next run needed', s.nextRunNeeded ?? 'when a zone is added']);
  }
  const c = s.configuration;
  const short = (h: string | null | undefined) => (h ? h.slice(0, 12) : '?');
  let config: string;
  if (c.localError) config = `cannot be read here: ${c.localError}`;
  else if (s.epoch === null) config = `${short(c.local)} (not compared: the database could not be read)`;
  else if (!c.recorded) config = `${short(c.local)} (no active node has recorded one yet)`;
  else if (c.matches) config = `${short(c.local)}, the same as ${c.recorded.node} recorded at ${c.recorded.at}`;
  else config = `${short(c.local)} DIFFERS from ${short(c.recorded.sha256)} recorded by ${c.recorded.node} at ${c.recorded.at}`;
  rows.push(['configuration', config]);
  if (s.transition) rows.push(['transition', `to ${s.transition.pendingRole} failed at ${s.transition.failedAt}: ${s.transition.hookError}`]);
  if (s.clock) {
    const off = s.clock.offsetSeconds;
    const note =
      s.clock.refusesToAct
        ? ` (more than clock.maxSkew, ${s.clock.maxSkewSeconds} s: this node REFUSES TO ACT until its clock is fixed)`
        : Math.abs(off) <= CLOCK_WARN_SECONDS
          ? ''
          : s.databaseKind === 'lab'
            ? ` (lab database: clock moved ${formatOffset(off)})`
            : " (this node's clock is off; leases use the database clock only)";
    rows.push(['clock', `database ${s.clock.database}, this node ${off >= 0 ? '+' : ''}${off} s${note}`]);
  }
  const width = Math.max(...rows.map(([k]) => k.length)) + 1;
  return rows.map(([k, v]) => `${(k + ':').padEnd(width)} ${v}`).join('\n');
}
