// The fault suite's invariant checker, run after every scenario over the audit log, the database
// and every node's signconf directory (see snapshot.ts for what it reads):
//   I1 keys        no key generated or allocated twice; no key in use the database does not know
//   I2 files       every signconf file is the one recorded under its stamp's epoch, intact, and
//                  put in place before that epoch ended
//   I3 states      no key record or DS state moved backwards or skipped a rule
//   I4 epochs      epochs strictly increasing; one holder per epoch; every row written under an
//                  epoch was written by its holder
//   I5 takeover    after every takeover a run completes within ttl + one run's time (+ slack)
// Pure: a unit test (invariants.test.ts) shows each one failing on a hand-made violation.

import { checkFiles } from './invariant-files.js';
import { checkKeys, checkTransitions } from './invariant-keys.js';
import type { FaultSnapshot, Violation } from './snapshot.js';

export interface CheckOptions {
  ttlSeconds: number;
  /** Added to ttl + the longest run: the failover's once-a-second wait for the run lock, process start. */
  slackMs?: number;
}

export interface CheckResult {
  violations: Violation[];
  figures: Record<string, number>;
}

/** Who held each epoch, from the lease history (null: handed over, nobody held it). */
function holders(s: FaultSnapshot): Map<number, string | null> {
  const out = new Map<number, string | null>();
  for (const h of s.leaseHistory) if (!out.get(h.epoch)) out.set(h.epoch, h.holderNode);
  return out;
}

export function checkEpochs(s: FaultSnapshot): { violations: Violation[]; figures: { epochs: number } } {
  const v: Violation[] = [];
  const bad = (detail: string) => v.push({ invariant: 'I4', detail });
  const history = [...s.leaseHistory].sort((a, b) => a.id - b.id);
  const seen = new Map<number, Set<string>>();
  for (let i = 0; i < history.length; i++) {
    const h = history[i]!;
    const prev = history[i - 1];
    if (prev && h.epoch < prev.epoch) bad(`lease epoch went back from ${prev.epoch} to ${h.epoch} at ${h.at.toISOString()}`);
    if (prev && h.epoch > prev.epoch && h.epoch !== prev.epoch + 1) bad(`lease epoch jumped from ${prev.epoch} to ${h.epoch}`);
    if (h.holderNode) seen.set(h.epoch, (seen.get(h.epoch) ?? new Set()).add(h.holderNode));
  }
  for (const [epoch, nodes] of seen) if (nodes.size > 1) bad(`epoch ${epoch} was held by ${[...nodes].join(' and ')}`);
  const holder = holders(s);
  const epochs = [...holder.keys()].sort((a, b) => a - b);
  // A handover epoch is written (its audit entry) by the node handing over: the previous holder.
  const writer = (epoch: number) => holder.get(epoch) ?? holder.get(epochs[epochs.indexOf(epoch) - 1] ?? -1) ?? null;
  const own = (what: string, epoch: number, node: string) => {
    if (!holder.has(epoch)) bad(`${what} was written under epoch ${epoch}, which the lease never had`);
    else if (writer(epoch) !== node) bad(`${what} was written by ${node} under epoch ${epoch}, held by ${writer(epoch)}`);
  };
  let lastEpoch = 0;
  for (const a of [...s.audit].sort((x, y) => x.id - y.id)) {
    own(`audit ${a.id} (${a.event})`, a.epoch, a.node);
    if (a.epoch < lastEpoch) bad(`audit ${a.id} was written under epoch ${a.epoch} after an entry under epoch ${lastEpoch}`);
    lastEpoch = Math.max(lastEpoch, a.epoch);
  }
  for (const r of s.runs) {
    // An abandoned run's row was last written by the run that marked it, under that run's epoch.
    if (r.abandoned) {
      own(`run ${r.id}`, r.abandoned.runEpoch, r.node);
      own(`run ${r.id} (marked abandoned)`, r.epoch, r.abandoned.noticedBy);
    } else own(`run ${r.id}`, r.epoch, r.node);
  }
  for (const r of s.signconfRecords) own(`the signconf record of ${r.zone}`, r.writtenEpoch, r.writtenBy);
  return { violations: v, figures: { epochs: holder.size } };
}

export function checkTakeovers(s: FaultSnapshot, o: CheckOptions): { violations: Violation[]; figures: { takeovers: number; worstTakeoverMs: number; takeoverBoundMs: number } } {
  const v: Violation[] = [];
  const done = s.runs.filter((r) => r.finishedAt && r.outcome !== 'failed' && r.outcome !== 'running');
  const took = (r: (typeof done)[number]) => r.finishedAt!.getTime() - r.startedAt.getTime();
  let worst = 0;
  let bound = 0;
  const takeovers = s.audit.filter((a) => a.event === 'active node taken over');
  for (const t of takeovers) {
    // One run's time: the longest run before the takeover (the run being measured must not set its own bound).
    const before = done.filter((r) => r.startedAt.getTime() < t.at.getTime());
    const oneRun = Math.max(0, ...(before.length > 0 ? before : done).map(took));
    const limit = o.ttlSeconds * 1000 + oneRun + (o.slackMs ?? 3000);
    bound = Math.max(bound, limit);
    const next = done
      .filter((r) => r.epoch >= t.epoch && r.finishedAt!.getTime() >= t.at.getTime())
      .sort((a, b) => a.finishedAt!.getTime() - b.finishedAt!.getTime())[0];
    // A taker that died before its run (a crash right after the takeover) is superseded by the
    // next takeover, which then carries the bound.
    const later = takeovers.find((x) => x.id > t.id);
    if (later && (!next || next.finishedAt!.getTime() > later.at.getTime())) continue;
    if (!next) {
      v.push({ invariant: 'I5', detail: `${t.node} took over at epoch ${t.epoch} (${t.at.toISOString()}), and no run completed after it` });
      continue;
    }
    const ms = next.finishedAt!.getTime() - t.at.getTime();
    worst = Math.max(worst, ms);
    if (ms > limit) {
      v.push({ invariant: 'I5', detail: `${t.node} took over at epoch ${t.epoch}; the first run completed ${ms} ms later (run ${next.id} on ${next.node}), over the bound of ${limit} ms` });
    }
  }
  return { violations: v, figures: { takeovers: takeovers.length, worstTakeoverMs: worst, takeoverBoundMs: bound } };
}

export function checkInvariants(s: FaultSnapshot, o: CheckOptions): CheckResult {
  const parts = [checkKeys(s), checkFiles(s), checkTransitions(s), checkEpochs(s), checkTakeovers(s, o)];
  return {
    violations: parts.flatMap((p) => p.violations),
    figures: Object.assign({}, ...parts.map((p) => p.figures)) as Record<string, number>,
  };
}

export function describeViolations(vs: readonly Violation[]): string {
  return vs.map((x) => `${x.invariant}: ${x.detail}`).join('\n');
}
