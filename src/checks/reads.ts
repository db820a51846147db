// The few reads the checks need that no store module offers yet: every node's role record and the
// DS command outcomes recorded on keys (migration 003). Contract: SELECT only, inside the caller's
// read-only snapshot.

import type { Queryable } from '../store/db.js';
import type { NodeState } from '../store/node-state.js';

export async function allNodeStates(q: Queryable): Promise<NodeState[]> {
  const rows = await q.query<Record<string, unknown>>('SELECT * FROM node_state ORDER BY node');
  return rows.map((r) => ({
    node: r.node as string,
    role: r.role as NodeState['role'],
    epoch: r.epoch as number,
    changedAt: r.changed_at as Date,
    pendingRole: r.pending_role as NodeState['pendingRole'],
    hookError: r.hook_error as string | null,
    hookFailedAt: r.hook_failed_at as Date | null,
  }));
}

export interface DsCommandOutcome {
  zone: string;
  keyTag: number;
  role: string;
  /** As recorded by the run: "ds-submit command: ok", "ds-retract command: exited with code 1", … */
  status: string;
  at: Date | null;
  dsAtParent: string;
}

export async function dsCommandOutcomes(q: Queryable): Promise<DsCommandOutcome[]> {
  const rows = await q.query<Record<string, unknown>>(
    `SELECT zone, key_tag, role, ds_hook_status, ds_hook_at, ds_at_parent FROM zone_key
      WHERE ds_hook_status IS NOT NULL ORDER BY zone, key_tag`,
  );
  return rows.map((r) => ({
    zone: r.zone as string,
    keyTag: r.key_tag as number,
    role: r.role as string,
    status: r.ds_hook_status as string,
    at: r.ds_hook_at as Date | null,
    dsAtParent: r.ds_at_parent as string,
  }));
}
