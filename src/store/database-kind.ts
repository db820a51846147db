// What a database is for: production (no mark), a lab (meta row database_kind = lab, written by
// `enforcer db init --lab`) or the test suite (database_kind = test, written by the test helpers
// only). A lab allows a moved clock; it is marked only while it holds nothing a production
// enforcer wrote, checked and marked in one transaction that holds the lease row, and the mark is
// never removed. Contract: reads anywhere; markLabDatabase is the one writer of the lab mark.

import type { Db, Queryable } from './db.js';
import { audit } from './audit.js';

export const DATABASE_KIND_KEY = 'database_kind';

export type DatabaseKind = 'production' | 'lab' | 'test';

/** The meta value of each mark; production is the absence of a mark. */
const MARKS: Record<Exclude<DatabaseKind, 'production'>, string> = { lab: 'lab', test: 'test' };

/** A kind from the mark's value; an unknown value counts as production (nothing is allowed). */
function kindOf(value: string | null): DatabaseKind {
  if (value === MARKS.lab) return 'lab';
  if (value === MARKS.test) return 'test';
  return 'production';
}

async function readMark(q: Queryable): Promise<string | null> {
  const rows = await q.query<{ value: string }>('SELECT value FROM meta WHERE key = $1', [DATABASE_KIND_KEY]);
  return rows[0]?.value ?? null;
}

export async function readDatabaseKind(q: Queryable): Promise<DatabaseKind> {
  return kindOf(await readMark(q));
}

/** Row counts of every table an enforcer writes (meta apart from the mark: its keys). */
const PRODUCTION_DATA = `SELECT
  (SELECT count(*) FROM policy) AS policies,
  (SELECT count(*) FROM zone) AS zones,
  (SELECT count(*) FROM hsm_key) AS keys,
  (SELECT count(*) FROM zone_key) AS zone_keys,
  (SELECT count(*) FROM signconf_record) AS signconf_records,
  (SELECT count(*) FROM run_log) AS runs,
  (SELECT count(*) FROM audit_log) AS audit_entries,
  (SELECT count(*) FROM node_state) AS node_records,
  (SELECT string_agg(key, ', ' ORDER BY key) FROM meta WHERE key <> '${DATABASE_KIND_KEY}') AS meta_keys`;

const WORDS: Array<[string, string, string]> = [
  ['policies', 'policy', 'policies'],
  ['zones', 'zone', 'zones'],
  ['keys', 'key', 'keys'],
  ['zone_keys', 'zone key', 'zone keys'],
  ['signconf_records', 'signconf record', 'signconf records'],
  ['runs', 'recorded run', 'recorded runs'],
  ['audit_entries', 'audit log entry', 'audit log entries'],
  ['node_records', 'node role record', 'node role records'],
];

export type LabMarkOutcome =
  | { outcome: 'marked' }
  | { outcome: 'already-lab' }
  /** Nothing was written; `found` says why, one item per kind of data. */
  | { outcome: 'refused'; kind: DatabaseKind; found: string[] };

/**
 * Everything in the database that counts as production data, one item per kind ("3 zones"):
 * a lease epoch above 0 or any node recorded in the lease (an enforcer acted here), any policy,
 * zone, key, zone key, signconf record, run, audit entry, node role record or meta row, and a
 * mark other than the lab mark (a test database belongs to the test suite). Empty for a database
 * that holds nothing but the schema. Inside markLabDatabase, the caller holds the lease row.
 */
export async function findProductionData(q: Queryable): Promise<{ kind: DatabaseKind; found: string[] }> {
  const lease = (await q.query<{ epoch: number; active_node: string | null; holder_node: string | null }>('SELECT epoch, active_node, holder_node FROM lease WHERE id = 1'))[0];
  if (!lease) throw new Error('the lease row is missing; run enforcer db migrate');
  const mark = await readMark(q);
  const kind = kindOf(mark);
  const found: string[] = [];
  if (kind === 'test') found.push(`the mark ${DATABASE_KIND_KEY} = ${mark} (a database of the test suite)`);
  else if (kind === 'production' && mark !== null) found.push(`the mark ${DATABASE_KIND_KEY} = ${mark}, which this enforcer does not know`);
  if (lease.epoch > 0) found.push(`lease epoch ${lease.epoch} (an enforcer has acted as the active node)`);
  if (lease.active_node) found.push(`active node ${lease.active_node} recorded in the lease`);
  if (lease.holder_node && lease.holder_node !== lease.active_node) found.push(`lease held by ${lease.holder_node}`);
  const counts = (await q.query<Record<string, number | string | null>>(PRODUCTION_DATA))[0]!;
  for (const [column, one, many] of WORDS) {
    const n = Number(counts[column]);
    if (n > 0) found.push(`${n} ${n === 1 ? one : many}`);
  }
  const meta = counts.meta_keys as string | null;
  if (meta) found.push(`meta rows ${meta}`);
  return { kind, found };
}

/**
 * Mark the database as a lab database, in one transaction: the lease row is locked FOR UPDATE
 * first (so no enforcer can acquire or take over the lease, nor hold a fenced write, until this
 * commits), then the database is checked for production data (findProductionData), and only if
 * there is none is the mark written, fenced under the current epoch (0), with an audit entry.
 */
export async function markLabDatabase(db: Db, who: { node: string; actor: string }): Promise<LabMarkOutcome> {
  return db.transaction(async (tx) => {
    const locked = await tx.query<{ epoch: number }>('SELECT epoch FROM lease WHERE id = 1 FOR UPDATE');
    if (!locked[0]) throw new Error('the lease row is missing; run enforcer db migrate');
    const { kind, found } = await findProductionData(tx);
    if (kind === 'lab') return { outcome: 'already-lab' as const };
    if (found.length) return { outcome: 'refused' as const, kind, found };
    const epoch = locked[0].epoch;
    // The current epoch (0 here); the database-side fence checks it like any other write.
    await tx.query(`SELECT set_config('enforcer.epoch', $1, true)`, [String(epoch)]);
    await tx.query('INSERT INTO meta (key, value) VALUES ($1, $2)', [DATABASE_KIND_KEY, MARKS.lab]);
    await audit(tx, { node: who.node, epoch }, { actor: who.actor, event: 'lab-database-marked', detail: { mark: `${DATABASE_KIND_KEY}=${MARKS.lab}` } });
    return { outcome: 'marked' as const };
  });
}
