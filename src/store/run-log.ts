// One row per enforcer run, so `status` and monitoring can say when the last run was and how it ended.
//
// A run's row is written only by that run, under its lease epoch (the fence), except one way: a run
// left at `running` by a process that stopped without finishing (killed, or it lost the lease
// mid-run) can never be finished by it, since every acquisition and takeover grows the epoch and the
// fence refuses writes under any older one. The next run marks such rows `abandoned`
// (abandonDeadRuns). The fence trigger restamps every row it writes with the current epoch, so
// the marked row's `epoch` is the marking run's; the abandoned run's own epoch and who noticed it
// are kept in its summary (`abandoned: { runEpoch, noticedBy, noticedEpoch, noticedAt }`), and
// lastRun reports the run's own epoch. Until the next run, lastRun already reports such a row as
// abandoned.

import type { Queryable } from './db.js';

export type RunOutcome = 'running' | 'ok' | 'partial' | 'failed' | 'abandoned';

/** What an abandoned row's summary holds. */
export interface AbandonedRun {
  /** The epoch the abandoned run acted under. */
  runEpoch: number;
  /** The node and epoch of the run that marked it, and when. */
  noticedBy: string;
  noticedEpoch: number;
  noticedAt: string;
}

export async function startRun(tx: Queryable, node: string, at: Date): Promise<number> {
  const rows = await tx.query<{ id: number }>(
    `INSERT INTO run_log (node, started_at, outcome) VALUES ($1, $2, 'running') RETURNING id`,
    [node, at],
  );
  return rows[0]!.id;
}

export async function finishRun(tx: Queryable, id: number, outcome: RunOutcome, at: Date, summary: object): Promise<void> {
  await tx.query('UPDATE run_log SET outcome = $2, finished_at = $3, summary = $4 WHERE id = $1', [
    id,
    outcome,
    at,
    JSON.stringify(summary),
  ]);
}

/**
 * Mark every run still recorded as `running` under an epoch older than `epoch` as abandoned; to be
 * called in the fenced transaction of a run that holds the lease under `epoch`, before it records
 * its own start. Race-free: the fenced transaction holds the lease row FOR SHARE and has proved
 * `epoch` is current, and a process acting under an older epoch can no longer write its row (the
 * fence refuses it), so none of these rows can still be finished.
 */
export async function abandonDeadRuns(tx: Queryable, by: { node: string; epoch: number; at: Date }): Promise<RunRow[]> {
  const rows = await tx.query<Record<string, unknown>>(
    `UPDATE run_log SET outcome = 'abandoned',
       summary = jsonb_build_object('abandoned', jsonb_build_object(
         'runEpoch', epoch, 'noticedBy', $2::text, 'noticedEpoch', $1::bigint, 'noticedAt', $3::timestamptz))
     WHERE outcome = 'running' AND epoch < $1
     RETURNING *`,
    [by.epoch, by.node, by.at],
  );
  return rows.map(toRunRow).sort((a, b) => a.id - b.id);
}

export interface RunRow {
  id: number;
  node: string;
  startedAt: Date;
  finishedAt: Date | null;
  outcome: RunOutcome;
  summary: Record<string, unknown>;
  epoch: number;
}

/**
 * The latest run, or the latest recorded with one of `outcomes`. A row still recorded as `running`
 * whose process can no longer finish it comes back as `abandoned` already (the next run records it
 * so): only the process holding the live lease under the row's epoch can write the row (every
 * acquisition grows the epoch), so a running row under another epoch, or under the current one
 * while nobody holds the lease, is dead. Judged in the same statement as the lease is read, so a
 * run starting or finishing meanwhile cannot make a live run look dead.
 */
export async function lastRun(q: Queryable, outcomes?: RunOutcome[]): Promise<RunRow | null> {
  const rows = await q.query<Record<string, unknown>>(
    `SELECT r.*, r.outcome = 'running' AND NOT (r.epoch = l.epoch AND coalesce(l.expires_at > now(), false)) AS dead
       FROM run_log r CROSS JOIN lease l
      WHERE l.id = 1 AND ($1::text[] IS NULL OR r.outcome = ANY($1))
      ORDER BY r.id DESC LIMIT 1`,
    [outcomes ?? null],
  );
  const r = rows[0];
  if (!r) return null;
  const row = toRunRow(r);
  return r.dead === true ? { ...row, outcome: 'abandoned' } : row;
}

function toRunRow(r: Record<string, unknown>): RunRow {
  const summary = r.summary as Record<string, unknown>;
  const abandoned = r.outcome === 'abandoned' ? (summary.abandoned as Partial<AbandonedRun> | undefined) : undefined;
  return {
    id: r.id as number,
    node: r.node as string,
    startedAt: r.started_at as Date,
    finishedAt: r.finished_at as Date | null,
    outcome: r.outcome as RunOutcome,
    summary,
    // An abandoned row was last written by the run that marked it: report the run's own epoch.
    epoch: typeof abandoned?.runEpoch === 'number' ? abandoned.runEpoch : (r.epoch as number),
  };
}
