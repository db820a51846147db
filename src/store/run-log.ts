// One row per enforcer run, so `status` and monitoring can say when the last run was and how it ended.

import type { Queryable } from './db.js';

export type RunOutcome = 'running' | 'ok' | 'partial' | 'failed';

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

export interface RunRow {
  id: number;
  node: string;
  startedAt: Date;
  finishedAt: Date | null;
  outcome: RunOutcome;
  summary: Record<string, unknown>;
  epoch: number;
}

/** The latest run, or the latest that ended with one of `outcomes`. */
export async function lastRun(q: Queryable, outcomes?: RunOutcome[]): Promise<RunRow | null> {
  const rows = await q.query<Record<string, unknown>>(
    'SELECT * FROM run_log WHERE $1::text[] IS NULL OR outcome = ANY($1) ORDER BY id DESC LIMIT 1',
    [outcomes ?? null],
  );
  const r = rows[0];
  if (!r) return null;
  return {
    id: r.id as number,
    node: r.node as string,
    startedAt: r.started_at as Date,
    finishedAt: r.finished_at as Date | null,
    outcome: r.outcome as RunOutcome,
    summary: r.summary as Record<string, unknown>,
    epoch: r.epoch as number,
  };
}
