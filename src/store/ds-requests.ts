// DS requests to the parent and their configured commands, as the database holds them (migration
// 005). A key's request is numbered (zone_key.ds_request, grown by updateZoneKeys whenever the DS
// state enters 'submit' or 'retract'); its command is pending while the key is still in that state
// and no command has succeeded for that request number (ds_command_done < ds_request).
//
// Contract: a command is started only for a request claimed in a fenced transaction that found it
// still pending (claimDsRequest); its outcome is recorded only on the request it was run for
// (recordDsCommandOutcome). A request answered (ds-seen, ds-gone, ds-submit), superseded (a retract
// of a DS still being submitted) or withdrawn (key purged, zone deleted) is no longer found by
// either, so nothing runs or is recorded for it.

import type { Algorithm, KeyRole } from '../policy/policy.js';
import type { Queryable } from './db.js';

export type DsCommandAction = 'ds-submit' | 'ds-retract';

const STATE_OF: Record<DsCommandAction, 'submit' | 'retract'> = { 'ds-submit': 'submit', 'ds-retract': 'retract' };

/** A DS request whose command has not succeeded yet, with what the command is given. */
export interface PendingDsRequest {
  keyId: number;
  zone: string;
  policy: string;
  locator: string;
  role: KeyRole;
  flags: 256 | 257;
  keyTag: number;
  algorithm: Algorithm;
  publicKey: Uint8Array;
  action: DsCommandAction;
  request: number;
  /** Attempts already started for this request. */
  attempts: number;
  /** An attempt started and never recorded an outcome (interrupted), or null. */
  startedAt: Date | null;
  failingSince: Date | null;
}

function toPending(r: Record<string, unknown>): PendingDsRequest {
  return {
    keyId: r.id as number,
    zone: r.zone as string,
    policy: r.policy as string,
    locator: r.locator as string,
    role: r.role as KeyRole,
    flags: r.flags as 256 | 257,
    keyTag: r.key_tag as number,
    algorithm: r.algorithm as Algorithm,
    publicKey: new Uint8Array(r.public_key as Uint8Array),
    action: r.ds_at_parent === 'submit' ? 'ds-submit' : 'ds-retract',
    request: r.ds_request as number,
    attempts: r.ds_command_attempts as number,
    startedAt: r.ds_command_started_at as Date | null,
    failingSince: r.ds_command_failing_since as Date | null,
  };
}

/** Pending DS requests, of these zones only when given, by zone and key. */
export async function pendingDsRequests(q: Queryable, zones: readonly string[] | null = null): Promise<PendingDsRequest[]> {
  const rows = await q.query(
    `SELECT zk.id, zk.zone, z.policy, hk.locator, zk.role, zk.flags, zk.key_tag, hk.algorithm, hk.public_key, zk.ds_at_parent,
            zk.ds_request, zk.ds_command_attempts, zk.ds_command_started_at, zk.ds_command_failing_since
       FROM zone_key zk JOIN hsm_key hk ON hk.id = zk.hsm_key_id JOIN zone z ON z.name = zk.zone
      WHERE zk.ds_at_parent IN ('submit', 'retract') AND zk.ds_command_done < zk.ds_request
        AND ($1::text[] IS NULL OR zk.zone = ANY($1::text[]))
      ORDER BY zk.zone, zk.id`,
    [zones],
  );
  return rows.map(toPending);
}

export interface ClaimedDsRequest {
  /** This attempt's number (1 for the first). */
  attempt: number;
  /** When the previous attempt started, if it never recorded an outcome (interrupted). */
  interruptedAt: Date | null;
}

/**
 * Inside the caller's fenced transaction: if the request is still pending, record that its command
 * is about to start (at `at`) and return the attempt; null when it is not (answered, superseded,
 * withdrawn, or its command already succeeded). An interrupted previous attempt counts as failing.
 */
export async function claimDsRequest(tx: Queryable, keyId: number, action: DsCommandAction, request: number, at: Date): Promise<ClaimedDsRequest | null> {
  const rows = await tx.query<{ attempt: number; interrupted_at: Date | null }>(
    `WITH old AS (
       SELECT id, ds_command_started_at FROM zone_key
        WHERE id = $1 AND ds_at_parent = $2 AND ds_request = $3 AND ds_command_done < ds_request)
     UPDATE zone_key zk SET ds_command_attempts = zk.ds_command_attempts + 1, ds_command_started_at = $4,
            ds_command_failing_since = coalesce(zk.ds_command_failing_since, old.ds_command_started_at)
       FROM old WHERE zk.id = old.id
     RETURNING zk.ds_command_attempts AS attempt, old.ds_command_started_at AS interrupted_at`,
    [keyId, STATE_OF[action], request, at],
  );
  const r = rows[0];
  return r ? { attempt: r.attempt, interruptedAt: r.interrupted_at } : null;
}

/**
 * Inside the caller's fenced transaction: the outcome of the command run for `request`, when the key
 * still holds that request in the state the command was for. A success marks the request done (its
 * command is never run again); a failure keeps it pending and starts (or continues) its failing
 * period. Returns false, recording nothing, when the request was answered or withdrawn meanwhile.
 */
export async function recordDsCommandOutcome(
  tx: Queryable, keyId: number, action: DsCommandAction, request: number, outcome: { ok: boolean; status: string; at: Date },
): Promise<boolean> {
  const rows = await tx.query(
    `UPDATE zone_key SET ds_hook_status = $4, ds_hook_at = $5, ds_command_started_at = NULL,
            ds_command_done = CASE WHEN $6::boolean THEN ds_request ELSE ds_command_done END,
            ds_command_failing_since = CASE WHEN $6::boolean THEN NULL ELSE coalesce(ds_command_failing_since, $5) END
      WHERE id = $1 AND ds_at_parent = $2 AND ds_request = $3 RETURNING id`,
    [keyId, STATE_OF[action], request, outcome.status, outcome.at, outcome.ok],
  );
  return rows.length > 0;
}

/**
 * Inside the caller's fenced transaction: the operator passed these keys' retraction on by hand
 * (`key ds-retract`), so their retract command is no longer pending.
 */
export async function markDsRetractPassedOn(tx: Queryable, keyIds: readonly number[]): Promise<void> {
  if (keyIds.length === 0) return;
  await tx.query(
    `UPDATE zone_key SET ds_command_done = ds_request, ds_command_started_at = NULL, ds_command_failing_since = NULL
      WHERE id = ANY($1::bigint[]) AND ds_at_parent = 'retract'`,
    [keyIds],
  );
}

/** A key's DS request and its command, for monitoring (`check rollover`). */
export interface DsCommandState {
  zone: string;
  keyTag: number;
  role: string;
  dsAtParent: string;
  /** The request is still waiting for its command to succeed. */
  pending: boolean;
  action: DsCommandAction | null;
  attempts: number;
  startedAt: Date | null;
  failingSince: Date | null;
  /** The last outcome as recorded: "ds-submit command: ok", "ds-retract command: exited with code 1", … */
  lastStatus: string | null;
  lastAt: Date | null;
}

/** Every key with a DS request or a recorded command outcome. */
export async function dsCommandStates(q: Queryable): Promise<DsCommandState[]> {
  const rows = await q.query<Record<string, unknown>>(
    `SELECT zone, key_tag, role, ds_at_parent, ds_request, ds_command_done, ds_command_attempts, ds_command_started_at,
            ds_command_failing_since, ds_hook_status, ds_hook_at
       FROM zone_key WHERE ds_request > 0 OR ds_hook_status IS NOT NULL ORDER BY zone, key_tag`,
  );
  return rows.map((r) => {
    const waiting = r.ds_at_parent === 'submit' || r.ds_at_parent === 'retract';
    return {
      zone: r.zone as string,
      keyTag: r.key_tag as number,
      role: r.role as string,
      dsAtParent: r.ds_at_parent as string,
      pending: waiting && (r.ds_command_done as number) < (r.ds_request as number),
      action: waiting ? (r.ds_at_parent === 'submit' ? 'ds-submit' : 'ds-retract') : null,
      attempts: r.ds_command_attempts as number,
      startedAt: r.ds_command_started_at as Date | null,
      failingSince: r.ds_command_failing_since as Date | null,
      lastStatus: r.ds_hook_status as string | null,
      lastAt: r.ds_hook_at as Date | null,
    };
  });
}
