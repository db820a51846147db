// What the enforcer last wrote as each zone's signconf: path, content hash, epoch, writer, time.
// Readers (monitoring, failover) compare the file on disk against this row.

import type { Queryable } from './db.js';

export interface SignconfRecord {
  zone: string;
  path: string;
  contentHash: string;
  writtenEpoch: number;
  writtenBy: string;
  writtenAt: Date;
  /** When this document was confirmed as published (in place, signer told); null while pending. */
  publishedAt?: Date | null;
  /** While pending: when the oldest unconfirmed signconf of the zone was decided. */
  pendingSince?: Date | null;
  /** Failed publication attempts in a row, and the last reason. */
  publishFailures?: number;
  publishError?: string | null;
}

function toRecord(r: Record<string, unknown>): SignconfRecord {
  return {
    zone: r.zone as string,
    path: r.path as string,
    contentHash: r.content_hash as string,
    writtenEpoch: r.written_epoch as number,
    writtenBy: r.written_by as string,
    writtenAt: r.written_at as Date,
    publishedAt: (r.published_at as Date | null | undefined) ?? null,
    pendingSince: (r.pending_since as Date | null | undefined) ?? null,
    publishFailures: (r.publish_failures as number | undefined) ?? 0,
    publishError: (r.publish_error as string | null | undefined) ?? null,
  };
}

export async function getSignconfRecord(q: Queryable, zone: string): Promise<SignconfRecord | null> {
  const rows = await q.query('SELECT * FROM signconf_record WHERE zone = $1', [zone]);
  return rows[0] ? toRecord(rows[0]) : null;
}

/** The records of several zones in one query (a run's batch). */
export async function signconfRecordsOf(q: Queryable, zones: readonly string[]): Promise<Map<string, SignconfRecord>> {
  const rows = await q.query('SELECT * FROM signconf_record WHERE zone = ANY($1::text[])', [zones]);
  return new Map(rows.map((r) => [r.zone as string, toRecord(r)]));
}

export async function listSignconfRecords(q: Queryable): Promise<SignconfRecord[]> {
  return (await q.query('SELECT * FROM signconf_record ORDER BY zone')).map(toRecord);
}

/**
 * Record a signconf about to be put in place. It is pending until confirmPublication
 * (publication.ts); pending_since keeps the oldest unconfirmed decision across retries.
 */
export async function recordSignconf(tx: Queryable, r: SignconfRecord): Promise<void> {
  await tx.query(
    `INSERT INTO signconf_record (zone, path, content_hash, written_epoch, written_by, written_at, published_at, pending_since)
     VALUES ($1, $2, $3, $4, $5, $6, NULL, $6)
     ON CONFLICT (zone) DO UPDATE SET path = EXCLUDED.path, content_hash = EXCLUDED.content_hash,
       written_epoch = EXCLUDED.written_epoch, written_by = EXCLUDED.written_by, written_at = EXCLUDED.written_at,
       published_at = NULL,
       pending_since = CASE WHEN signconf_record.published_at IS NULL THEN coalesce(signconf_record.pending_since, EXCLUDED.written_at)
                            ELSE EXCLUDED.written_at END`,
    [r.zone, r.path, r.contentHash, r.writtenEpoch, r.writtenBy, r.writtenAt],
  );
}
