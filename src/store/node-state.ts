// What each node last knew of its own role (table node_state, migration 002), so role-change
// hooks run once per transition, and a transition whose hook failed is retried and shown by
// `status`. Unfenced on purpose (see the migration): a row only speaks for the node that wrote it.

import type { Queryable } from './db.js';

export type NodeRole = 'active' | 'standby';

export interface NodeState {
  node: string;
  role: NodeRole;
  epoch: number;
  changedAt: Date;
  pendingRole: NodeRole | null;
  hookError: string | null;
  hookFailedAt: Date | null;
}

export async function readNodeState(q: Queryable, node: string): Promise<NodeState | null> {
  const rows = await q.query<Record<string, unknown>>('SELECT * FROM node_state WHERE node = $1', [node]);
  return rows[0] ? toNodeState(rows[0]) : null;
}

/** Every node's record (monitoring: which nodes believe they are active). */
export async function allNodeStates(q: Queryable): Promise<NodeState[]> {
  return (await q.query<Record<string, unknown>>('SELECT * FROM node_state ORDER BY node')).map(toNodeState);
}

function toNodeState(r: Record<string, unknown>): NodeState {
  return {
    node: r.node as string,
    role: r.role as NodeRole,
    epoch: r.epoch as number,
    changedAt: r.changed_at as Date,
    pendingRole: r.pending_role as NodeRole | null,
    hookError: r.hook_error as string | null,
    hookFailedAt: r.hook_failed_at as Date | null,
  };
}

/** The node completed a transition to `role` (its hook, if any, succeeded). */
export async function recordRole(q: Queryable, node: string, role: NodeRole, epoch: number): Promise<void> {
  await q.query(
    `INSERT INTO node_state (node, role, epoch) VALUES ($1, $2, $3)
     ON CONFLICT (node) DO UPDATE SET role = EXCLUDED.role, epoch = EXCLUDED.epoch, changed_at = now(),
       pending_role = NULL, hook_error = NULL, hook_failed_at = NULL`,
    [node, role, epoch],
  );
}

/** A transition to `pendingRole` failed in its hook; the recorded role stays what it was. */
export async function recordHookFailure(q: Queryable, node: string, pendingRole: NodeRole, epoch: number, error: string): Promise<void> {
  // A node seen for the first time has no role yet; record the opposite of what it tried to become.
  const fallback: NodeRole = pendingRole === 'active' ? 'standby' : 'active';
  await q.query(
    `INSERT INTO node_state (node, role, epoch, pending_role, hook_error, hook_failed_at) VALUES ($1, $2, $3, $4, $5, now())
     ON CONFLICT (node) DO UPDATE SET pending_role = EXCLUDED.pending_role, hook_error = EXCLUDED.hook_error,
       hook_failed_at = EXCLUDED.hook_failed_at`,
    [node, fallback, epoch, pendingRole, error],
  );
}
