// The audit log: every state change names who (node, command), what, when (database clock) and why.

import type { Queryable } from './db.js';
import type { Fence } from './lease.js';

export interface AuditEntry {
  actor: string;
  event: string;
  zone?: string | null;
  keyLocator?: string | null;
  detail?: Record<string, unknown>;
}

export async function audit(tx: Queryable, fence: Fence, e: AuditEntry): Promise<void> {
  await auditAll(tx, fence, [e]);
}

/** Entries in one statement, in order (a zone step's state changes). */
export async function auditAll(tx: Queryable, fence: Fence, entries: readonly AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const rows = entries.map((e) => ({ actor: e.actor, zone: e.zone ?? null, key_locator: e.keyLocator ?? null, event: e.event, detail: e.detail ?? {} }));
  await tx.query(
    `INSERT INTO audit_log (node, actor, zone, key_locator, event, detail)
     SELECT $1, e->>'actor', e->>'zone', e->>'key_locator', e->>'event', e->'detail'
       FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS t(e, i) ORDER BY i`,
    [fence.node, JSON.stringify(rows)],
  );
}

export interface AuditRow {
  id: number;
  at: Date;
  node: string;
  actor: string;
  zone: string | null;
  keyLocator: string | null;
  event: string;
  detail: Record<string, unknown>;
  epoch: number;
}

export async function readAudit(q: Queryable, zone?: string): Promise<AuditRow[]> {
  const rows = await q.query<Record<string, unknown>>(
    `SELECT id, at, node, actor, zone, key_locator, event, detail, epoch FROM audit_log
      WHERE $1::text IS NULL OR zone = $1 ORDER BY id`,
    [zone ?? null],
  );
  return rows.map((r) => ({
    id: r.id as number,
    at: r.at as Date,
    node: r.node as string,
    actor: r.actor as string,
    zone: r.zone as string | null,
    keyLocator: r.key_locator as string | null,
    event: r.event as string,
    detail: r.detail as Record<string, unknown>,
    epoch: r.epoch as number,
  }));
}
