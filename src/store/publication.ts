// Publication of a zone's signconf (closed loop with the signer): a signconf that changes what
// the signer publishes is first recorded as pending, with the record changes it carries listed in
// zone_key.unpublished; once the file is in place and the signer was told, the publication is
// confirmed and those changes are stamped with that moment — by the database clock — so every
// cache wait counts from what was really published. A failed publication is counted and its
// reason kept; the zone stays due, so the next run retries. Used by src/enforcer/publication.ts.

import type { Queryable } from './db.js';

export interface PendingPublication {
  zone: string;
  path: string;
  contentHash: string;
  /** When the signconf now waiting was decided (the run's time). */
  writtenAt: Date;
  /** When the zone's oldest unconfirmed publication was decided. */
  pendingSince: Date;
  failures: number;
  error: string | null;
}

function toPending(r: Record<string, unknown>): PendingPublication {
  return {
    zone: r.zone as string,
    path: r.path as string,
    contentHash: r.content_hash as string,
    writtenAt: r.written_at as Date,
    pendingSince: (r.pending_since as Date | null) ?? (r.written_at as Date),
    failures: r.publish_failures as number,
    error: r.publish_error as string | null,
  };
}

/** Zones whose last signconf is not confirmed as published, by zone name. */
export async function pendingPublications(q: Queryable, zones?: readonly string[]): Promise<PendingPublication[]> {
  const rows = await q.query(
    `SELECT zone, path, content_hash, written_at, pending_since, publish_failures, publish_error FROM signconf_record
     WHERE published_at IS NULL AND ($1::text[] IS NULL OR zone = ANY($1::text[])) ORDER BY zone`,
    [zones ?? null],
  );
  return rows.map(toPending);
}

export interface Confirmation {
  zone: string;
  /** The document hash that was published: a newer pending record is not confirmed by this one. */
  contentHash: string;
  /** What the signer's notification said ("ok", "not configured", …), kept on the record. */
  notify: string;
  /** Published at this moment; null: now by the database clock. */
  at: Date | null;
  /** The zone's next run as computed when the signconf was decided, shifted by the publication delay; null: leave it. */
  nextRunAt: Date | null;
  decidedAt: Date;
}

/**
 * Confirm a zone's publication in the caller's fenced transaction. Returns the moment stamped,
 * or null when the record is not the pending one named (already confirmed, or rewritten since).
 */
export async function confirmPublication(tx: Queryable, c: Confirmation): Promise<Date | null> {
  const rows = await tx.query<{ published_at: Date }>(
    `UPDATE signconf_record SET published_at = coalesce($3::timestamptz, now()), pending_since = NULL, publish_failures = 0,
       publish_error = NULL, notify_status = $4, notify_at = coalesce($3::timestamptz, now())
     WHERE zone = $1 AND content_hash = $2 AND published_at IS NULL RETURNING published_at`,
    [c.zone, c.contentHash, c.at, c.notify],
  );
  const at = rows[0]?.published_at ?? null;
  if (at === null) return null;
  await tx.query(
    `UPDATE zone_key SET
       dnskey_changed_at = CASE WHEN 'dnskey' = ANY(unpublished) THEN $2 ELSE dnskey_changed_at END,
       rrsigdnskey_changed_at = CASE WHEN 'rrsigdnskey' = ANY(unpublished) THEN $2 ELSE rrsigdnskey_changed_at END,
       rrsig_changed_at = CASE WHEN 'rrsig' = ANY(unpublished) THEN $2 ELSE rrsig_changed_at END,
       unpublished = '{}'
     WHERE zone = $1 AND unpublished <> '{}'`,
    [c.zone, at],
  );
  if (c.nextRunAt !== null) {
    await tx.query(
      `UPDATE zone SET next_run_at = $2::timestamptz + greatest($3::timestamptz - $4::timestamptz, interval '0') WHERE name = $1`,
      [c.zone, c.nextRunAt, at, c.decidedAt],
    );
  }
  return at;
}

/**
 * A publication that failed (file not renamed, signer not told): counted, with its reason; the
 * zone stays due. Returns false when the zone has no pending publication (nothing to count).
 */
export async function recordPublicationFailure(tx: Queryable, zone: string, reason: string, notify: string | null): Promise<boolean> {
  const rows = await tx.query(
    `UPDATE signconf_record SET publish_failures = publish_failures + 1, publish_error = $2,
       notify_status = coalesce($3, notify_status), notify_at = CASE WHEN $3::text IS NULL THEN notify_at ELSE now() END
     WHERE zone = $1 AND published_at IS NULL RETURNING zone`,
    [zone, reason, notify],
  );
  return rows.length > 0;
}
