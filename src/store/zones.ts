// Zones as the zone list (or `zone add`) declares them, plus the enforcer's per-zone state:
// NSEC3 salt and when the zone must next be looked at.

import type { ZoneEntry } from '../policy/policy.js';
import { canonicalJson } from '../util/canonical-json.js';
import { EnforcerError, EXIT } from '../util/exit-codes.js';
import type { Queryable } from './db.js';

export interface ZoneRow extends ZoneEntry {
  nsec3Salt: string | null;
  saltChangedAt: Date | null;
  nextRunAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

const COLUMNS = `name, policy, signconf_path, input_adapter, output_adapter, nsec3_salt, salt_changed_at,
  next_run_at, created_at, updated_at`;

function toZone(r: Record<string, unknown>): ZoneRow {
  return {
    name: r.name as string,
    policy: r.policy as string,
    signconfPath: r.signconf_path as string | null,
    input: r.input_adapter as ZoneEntry['input'],
    output: r.output_adapter as ZoneEntry['output'],
    nsec3Salt: r.nsec3_salt as string | null,
    saltChangedAt: r.salt_changed_at as Date | null,
    nextRunAt: r.next_run_at as Date | null,
    createdAt: r.created_at as Date,
    updatedAt: r.updated_at as Date,
  };
}

export async function listZones(q: Queryable): Promise<ZoneRow[]> {
  return (await q.query(`SELECT ${COLUMNS} FROM zone ORDER BY name`)).map(toZone);
}

export async function getZone(q: Queryable, name: string): Promise<ZoneRow | null> {
  const rows = await q.query(`SELECT ${COLUMNS} FROM zone WHERE name = $1`, [name]);
  return rows[0] ? toZone(rows[0]) : null;
}

/** Zones whose next run time has come (or was never set), oldest first, in batches. */
/** Zones due at `now` (every zone when `now` is null), by name after `after`. */
export async function zonesDue(q: Queryable, now: Date | null, limit: number, after = ''): Promise<ZoneRow[]> {
  const rows = await q.query(
    `SELECT ${COLUMNS} FROM zone WHERE ($1::timestamptz IS NULL OR next_run_at IS NULL OR next_run_at <= $1) AND name > $2 ORDER BY name LIMIT $3`,
    [now, after, limit],
  );
  return rows.map(toZone);
}

async function policyExists(q: Queryable, policy: string): Promise<boolean> {
  return (await q.query('SELECT 1 FROM policy WHERE name = $1', [policy])).length > 0;
}

function entryKey(z: ZoneEntry): string {
  return canonicalJson({ policy: z.policy, signconfPath: z.signconfPath, input: z.input, output: z.output });
}

export async function addZone(tx: Queryable, z: ZoneEntry): Promise<void> {
  if (!(await policyExists(tx, z.policy))) {
    throw new EnforcerError(`zone ${z.name}: unknown policy ${z.policy}`, EXIT.BAD_INPUT);
  }
  if (await getZone(tx, z.name)) throw new EnforcerError(`zone ${z.name} already exists`, EXIT.BAD_INPUT);
  await tx.query(
    `INSERT INTO zone (name, policy, signconf_path, input_adapter, output_adapter) VALUES ($1, $2, $3, $4, $5)`,
    [z.name, z.policy, z.signconfPath, json(z.input), json(z.output)],
  );
}

function json(v: unknown): string | null {
  return v === null || v === undefined ? null : JSON.stringify(v);
}

export async function updateZone(tx: Queryable, z: ZoneEntry): Promise<void> {
  await tx.query(
    `UPDATE zone SET policy = $2, signconf_path = $3, input_adapter = $4, output_adapter = $5,
       updated_at = now(), next_run_at = NULL WHERE name = $1`,
    [z.name, z.policy, z.signconfPath, json(z.input), json(z.output)],
  );
}

export async function deleteZone(tx: Queryable, name: string): Promise<boolean> {
  return (await tx.query('DELETE FROM zone WHERE name = $1 RETURNING name', [name])).length > 0;
}

export async function setZonePolicy(tx: Queryable, name: string, policy: string): Promise<void> {
  if (!(await policyExists(tx, policy))) throw new EnforcerError(`unknown policy ${policy}`, EXIT.BAD_INPUT);
  const rows = await tx.query(
    'UPDATE zone SET policy = $2, updated_at = now(), next_run_at = NULL WHERE name = $1 RETURNING name',
    [name, policy],
  );
  if (rows.length === 0) throw new EnforcerError(`no such zone ${name}`, EXIT.BAD_INPUT);
}

export async function setNsec3Salt(tx: Queryable, name: string, salt: string, at: Date): Promise<void> {
  await tx.query('UPDATE zone SET nsec3_salt = $2, salt_changed_at = $3 WHERE name = $1', [name, salt, at]);
}

export async function setNextRun(tx: Queryable, name: string, at: Date | null): Promise<void> {
  await tx.query('UPDATE zone SET next_run_at = $2 WHERE name = $1', [name, at]);
}

/** The end of a zone step: when to look at it next and, when it changed, its new NSEC3 salt. */
export async function finishZoneStep(tx: Queryable, name: string, nextRunAt: Date | null, salt: { salt: string; at: Date } | null): Promise<void> {
  await tx.query(
    `UPDATE zone SET next_run_at = $2, nsec3_salt = CASE WHEN $3::text IS NULL THEN nsec3_salt ELSE $3 END,
       salt_changed_at = CASE WHEN $3::text IS NULL THEN salt_changed_at ELSE $4::timestamptz END WHERE name = $1`,
    [name, nextRunAt, salt?.salt ?? null, salt?.at ?? null],
  );
}

export interface ZoneImportCounts {
  added: string[];
  updated: string[];
  unchanged: string[];
  removed: string[];
}

/** Apply a whole zone list; with removeMissing, zones not in it are deleted. */
export async function importZones(tx: Queryable, entries: ZoneEntry[], removeMissing: boolean): Promise<ZoneImportCounts> {
  const existing = new Map((await listZones(tx)).map((z) => [z.name, z]));
  const out: ZoneImportCounts = { added: [], updated: [], unchanged: [], removed: [] };
  for (const z of entries) {
    const old = existing.get(z.name);
    if (!old) {
      await addZone(tx, z);
      out.added.push(z.name);
    } else if (entryKey(old) !== entryKey(z)) {
      if (!(await policyExists(tx, z.policy))) throw new EnforcerError(`zone ${z.name}: unknown policy ${z.policy}`, EXIT.BAD_INPUT);
      await updateZone(tx, z);
      out.updated.push(z.name);
    } else {
      out.unchanged.push(z.name);
    }
  }
  if (removeMissing) {
    const keep = new Set(entries.map((z) => z.name));
    for (const name of existing.keys()) {
      if (!keep.has(name)) {
        await deleteZone(tx, name);
        out.removed.push(name);
      }
    }
  }
  return out;
}

/** The earliest time any zone needs the enforcer again (null when there are no zones). */
export async function earliestNextRun(q: Queryable): Promise<Date | null> {
  const rows = await q.query<{ at: Date | null; due: boolean }>(
    'SELECT min(next_run_at) AS at, bool_or(next_run_at IS NULL) AS due FROM zone',
  );
  const r = rows[0];
  if (!r || (r.at === null && !r.due)) return null;
  return r.due ? new Date(0) : r.at;
}

/** Zone-level inputs of the rollover core, as stored (see migration 003). */
export interface ZoneRolloverRow {
  rollRequested: Record<string, boolean>;
  /** Null until the core has recorded the TTLs it published. */
  publishedTtls: Record<string, { ttl: number; cachedUntil: number }> | null;
  retire: boolean;
}

export async function getZoneRollover(q: Queryable, name: string): Promise<ZoneRolloverRow | null> {
  const rows = await q.query<{ roll_requested: Record<string, boolean>; published_ttls: ZoneRolloverRow['publishedTtls']; retire: boolean }>(
    'SELECT roll_requested, published_ttls, retire FROM zone WHERE name = $1',
    [name],
  );
  const r = rows[0];
  return r ? { rollRequested: r.roll_requested, publishedTtls: r.published_ttls, retire: r.retire } : null;
}

/** getZoneRollover for several zones in one query. */
export async function zoneRollovers(q: Queryable, names: readonly string[]): Promise<Map<string, ZoneRolloverRow>> {
  const rows = await q.query<{ name: string; roll_requested: Record<string, boolean>; published_ttls: ZoneRolloverRow['publishedTtls']; retire: boolean }>(
    'SELECT name, roll_requested, published_ttls, retire FROM zone WHERE name = ANY($1::text[])',
    [names],
  );
  return new Map(rows.map((r) => [r.name, { rollRequested: r.roll_requested, publishedTtls: r.published_ttls, retire: r.retire }]));
}

/**
 * Record `ttls` as the zone's published TTLs unless some are recorded already: the first step of a
 * zone (or the first after an upgrade) stores what it published, so a later policy edit has the
 * old values to compare with.
 */
export async function recordPublishedTtlsOnce(tx: Queryable, name: string, ttls: NonNullable<ZoneRolloverRow['publishedTtls']>): Promise<void> {
  await tx.query('UPDATE zone SET published_ttls = $2 WHERE name = $1 AND published_ttls IS NULL', [name, JSON.stringify(ttls)]);
}

/**
 * Pin `ttls` (the TTLs of `policy` as it stands, before a change) on the zones of that policy that
 * have recorded none yet. Called before a policy is edited or a zone moves to another policy.
 */
export async function pinUnrecordedTtls(tx: Queryable, policy: string, ttls: NonNullable<ZoneRolloverRow['publishedTtls']>): Promise<number> {
  const rows = await tx.query('UPDATE zone SET published_ttls = $2 WHERE policy = $1 AND published_ttls IS NULL RETURNING name', [policy, JSON.stringify(ttls)]);
  return rows.length;
}

export async function setZoneRollover(tx: Queryable, name: string, r: ZoneRolloverRow): Promise<void> {
  await tx.query('UPDATE zone SET roll_requested = $2, published_ttls = $3, retire = $4 WHERE name = $1', [
    name,
    JSON.stringify(r.rollRequested),
    r.publishedTtls === null ? null : JSON.stringify(r.publishedTtls),
    r.retire,
  ]);
}
