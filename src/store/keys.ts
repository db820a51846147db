// Keys: material in a keystore (hsm_key, known by locator) and its use by zones (zone_key, with
// the four record states of the key state model and the DS-at-parent workflow state).

import type { Algorithm, KeyRole } from '../policy/policy.js';
import type { Queryable } from './db.js';

export type RecordState = 'hidden' | 'rumoured' | 'omnipresent' | 'unretentive' | 'na';
export type DsAtParent = 'unsubmitted' | 'submit' | 'submitted' | 'seen' | 'retract' | 'retracted';

export interface HsmKeyRow {
  id: number;
  locator: string;
  repository: string;
  policy: string;
  role: KeyRole;
  algorithm: Algorithm;
  bits: number;
  publicKey: Uint8Array;
  status: 'unused' | 'allocated' | 'deleted';
  createdAt: Date;
}

export interface NewHsmKey {
  locator: string;
  repository: string;
  policy: string;
  role: KeyRole;
  algorithm: Algorithm;
  bits: number;
  publicKey: Uint8Array;
}

export interface KeyStates {
  ds: RecordState;
  dnskey: RecordState;
  rrsigdnskey: RecordState;
  rrsig: RecordState;
}

/** The records a signconf carries to the signer (their changes wait for its publication). */
export type SignconfRecordType = 'dnskey' | 'rrsigdnskey' | 'rrsig';

export interface ZoneKeyRow {
  id: number;
  zone: string;
  hsmKeyId: number;
  locator: string;
  repository: string;
  role: KeyRole;
  flags: 256 | 257;
  keyTag: number;
  algorithm: Algorithm;
  bits: number;
  publicKey: Uint8Array;
  goal: 'omnipresent' | 'hidden';
  states: KeyStates;
  changedAt: { ds: Date | null; dnskey: Date | null; rrsigdnskey: Date | null; rrsig: Date | null };
  dsAtParent: DsAtParent;
  dsAtParentChangedAt: Date | null;
  introducedAt: Date;
  activeAt: Date | null;
  retiredAt: Date | null;
  /** Records whose last change is decided but whose signconf is not yet confirmed as published. */
  unpublished: SignconfRecordType[];
}

function toHsm(r: Record<string, unknown>): HsmKeyRow {
  return {
    id: r.id as number,
    locator: r.locator as string,
    repository: r.repository as string,
    policy: r.policy as string,
    role: r.role as KeyRole,
    algorithm: r.algorithm as Algorithm,
    bits: r.bits as number,
    publicKey: new Uint8Array(r.public_key as Uint8Array),
    status: r.status as HsmKeyRow['status'],
    createdAt: r.created_at as Date,
  };
}

export async function insertHsmKey(tx: Queryable, k: NewHsmKey): Promise<HsmKeyRow> {
  const rows = await tx.query(
    `INSERT INTO hsm_key (locator, repository, policy, role, algorithm, bits, public_key)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
    [k.locator, k.repository, k.policy, k.role, k.algorithm, k.bits, k.publicKey],
  );
  return toHsm(rows[0]!);
}

export interface PoolSlot {
  policy: string;
  role: KeyRole;
  algorithm: Algorithm;
  bits: number;
  repository: string;
}

/** Unused keys for a slot, oldest first, locked so concurrent allocations never share one. */
/**
 * Unused pool keys for the slot, locked for this transaction; keys other transactions hold are
 * skipped, so zone steps running side by side each claim their own. Lock only what will be used:
 * every row locked here is hidden from the others until this transaction ends.
 */
export async function poolKeys(tx: Queryable, slot: PoolSlot, limit: number, exclude: readonly number[] = []): Promise<HsmKeyRow[]> {
  const rows = await tx.query(
    `SELECT * FROM hsm_key WHERE status = 'unused' AND policy = $1 AND role = $2 AND algorithm = $3
       AND bits = $4 AND repository = $5 AND NOT (id = ANY($7::bigint[])) ORDER BY id LIMIT $6 FOR UPDATE SKIP LOCKED`,
    [slot.policy, slot.role, slot.algorithm, slot.bits, slot.repository, limit, exclude],
  );
  return rows.map(toHsm);
}

/** Unused keys of the slot, oldest first, without locking them (the run's pool queue). */
export async function unusedKeys(q: Queryable, slot: PoolSlot, limit: number): Promise<HsmKeyRow[]> {
  const rows = await q.query(
    `SELECT * FROM hsm_key WHERE status = 'unused' AND policy = $1 AND role = $2 AND algorithm = $3
       AND bits = $4 AND repository = $5 ORDER BY id LIMIT $6`,
    [slot.policy, slot.role, slot.algorithm, slot.bits, slot.repository, limit],
  );
  return rows.map(toHsm);
}

export async function countPool(q: Queryable, slot: PoolSlot): Promise<number> {
  const rows = await q.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM hsm_key WHERE status = 'unused' AND policy = $1 AND role = $2
       AND algorithm = $3 AND bits = $4 AND repository = $5`,
    [slot.policy, slot.role, slot.algorithm, slot.bits, slot.repository],
  );
  return rows[0]?.n ?? 0;
}

export async function listHsmKeys(q: Queryable): Promise<HsmKeyRow[]> {
  return (await q.query('SELECT * FROM hsm_key ORDER BY id')).map(toHsm);
}

const ZONE_KEY_SELECT = `SELECT zk.*, hk.locator, hk.repository, hk.algorithm, hk.bits, hk.public_key
  FROM zone_key zk JOIN hsm_key hk ON hk.id = zk.hsm_key_id`;

function toZoneKey(r: Record<string, unknown>): ZoneKeyRow {
  return {
    id: r.id as number,
    zone: r.zone as string,
    hsmKeyId: r.hsm_key_id as number,
    locator: r.locator as string,
    repository: r.repository as string,
    role: r.role as KeyRole,
    flags: r.flags as 256 | 257,
    keyTag: r.key_tag as number,
    algorithm: r.algorithm as Algorithm,
    bits: r.bits as number,
    publicKey: new Uint8Array(r.public_key as Uint8Array),
    goal: r.goal as ZoneKeyRow['goal'],
    states: {
      ds: r.ds_state as RecordState,
      dnskey: r.dnskey_state as RecordState,
      rrsigdnskey: r.rrsigdnskey_state as RecordState,
      rrsig: r.rrsig_state as RecordState,
    },
    changedAt: {
      ds: r.ds_changed_at as Date | null,
      dnskey: r.dnskey_changed_at as Date | null,
      rrsigdnskey: r.rrsigdnskey_changed_at as Date | null,
      rrsig: r.rrsig_changed_at as Date | null,
    },
    dsAtParent: r.ds_at_parent as DsAtParent,
    dsAtParentChangedAt: r.ds_at_parent_changed_at as Date | null,
    introducedAt: r.introduced_at as Date,
    activeAt: r.active_at as Date | null,
    retiredAt: r.retired_at as Date | null,
    unpublished: (r.unpublished as SignconfRecordType[] | null) ?? [],
  };
}

export async function zoneKeys(q: Queryable, zone: string): Promise<ZoneKeyRow[]> {
  return (await q.query(`${ZONE_KEY_SELECT} WHERE zk.zone = $1 ORDER BY zk.id`, [zone])).map(toZoneKey);
}

/** The keys of several zones in one query (a run's batch, a listing), by zone then id. */
export async function zoneKeysOf(q: Queryable, zones: readonly string[]): Promise<ZoneKeyRow[]> {
  return (await q.query(`${ZONE_KEY_SELECT} WHERE zk.zone = ANY($1::text[]) ORDER BY zk.zone, zk.id`, [zones])).map(toZoneKey);
}

export async function allZoneKeys(q: Queryable, zone?: string): Promise<ZoneKeyRow[]> {
  const rows = await q.query(`${ZONE_KEY_SELECT} WHERE $1::text IS NULL OR zk.zone = $1 ORDER BY zk.zone, zk.id`, [zone ?? null]);
  return rows.map(toZoneKey);
}

export interface NewZoneKey {
  zone: string;
  role: KeyRole;
  flags: 256 | 257;
  keyTag: number;
  goal: 'omnipresent' | 'hidden';
  states: KeyStates;
  at: Date;
}

/**
 * Give a zone a key, marking the keystore key allocated in the same statement (unless it is a
 * shared key already in use), and return the new row as the database holds it. Throws when
 * `allocate` is set and the key is not unused: nothing is inserted.
 */
export async function insertZoneKey(tx: Queryable, k: NewZoneKey, hsm: HsmKeyRow, allocate: boolean): Promise<ZoneKeyRow> {
  const changed = (s: RecordState) => (s === 'na' || s === 'hidden' ? null : k.at);
  const rows = await tx.query(
    `WITH allocated AS (UPDATE hsm_key SET status = 'allocated' WHERE id = $2 AND status = 'unused' AND $17::boolean RETURNING id)
     INSERT INTO zone_key (zone, hsm_key_id, role, flags, key_tag, goal, ds_state, dnskey_state, rrsigdnskey_state,
       rrsig_state, ds_changed_at, dnskey_changed_at, rrsigdnskey_changed_at, rrsig_changed_at, introduced_at, active_at)
     SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16
      WHERE NOT $17::boolean OR EXISTS (SELECT 1 FROM allocated) RETURNING *`,
    [
      k.zone, hsm.id, k.role, k.flags, k.keyTag, k.goal,
      k.states.ds, k.states.dnskey, k.states.rrsigdnskey, k.states.rrsig,
      changed(k.states.ds), changed(k.states.dnskey), changed(k.states.rrsigdnskey), changed(k.states.rrsig),
      k.at, k.states.rrsig === 'rumoured' || k.states.rrsigdnskey === 'rumoured' ? k.at : null, allocate,
    ],
  );
  // Fail closed: a pool key someone else took (or that was never unused) is not given to this zone.
  if (!rows[0]) throw new Error(`key ${hsm.locator} is no longer an unused pool key`);
  return toZoneKey({ ...rows[0], locator: hsm.locator, repository: hsm.repository, algorithm: hsm.algorithm, bits: hsm.bits, public_key: hsm.publicKey });
}

/** With <ShareKeys/>: the newest key of this slot already in use by a zone of the same policy. */
export async function sharedKeyFor(tx: Queryable, slot: PoolSlot): Promise<HsmKeyRow | null> {
  const rows = await tx.query(
    `SELECT hk.* FROM hsm_key hk JOIN zone_key zk ON zk.hsm_key_id = hk.id JOIN zone z ON z.name = zk.zone
      WHERE z.policy = $1 AND hk.role = $2 AND hk.algorithm = $3 AND hk.bits = $4 AND hk.repository = $5
        AND zk.goal = 'omnipresent' ORDER BY hk.id DESC LIMIT 1`,
    [slot.policy, slot.role, slot.algorithm, slot.bits, slot.repository],
  );
  return rows[0] ? toHsm(rows[0]) : null;
}

/** A change time to write, or 'keep' for the stored one (a change still waiting for publication). */
export type ChangeTime = Date | null | 'keep';

export interface ZoneKeyUpdate {
  goal: 'omnipresent' | 'hidden';
  states: KeyStates;
  changedAt: { ds: ChangeTime; dnskey: ChangeTime; rrsigdnskey: ChangeTime; rrsig: ChangeTime };
  dsAtParent: DsAtParent;
  dsAtParentChangedAt: Date | null;
  /** The enforcer's clock: stamps active_at / retired_at the first time they apply. */
  at: Date;
  /** The key's records whose change awaits the publication of the zone's signconf. */
  unpublished: SignconfRecordType[];
}

/** In updateZoneKeys: the key's DS-at-parent state enters 'submit' or 'retract' (a new request to the parent). */
const NEW_DS_REQUEST = `u.parent IN ('submit', 'retract') AND u.parent IS DISTINCT FROM zk.ds_at_parent`;

/**
 * Keys' new goals, record states and DS-at-parent state, in one statement (a zone step's transitions).
 * A DS-at-parent state entering 'submit' or 'retract' is a new DS request: its number grows and its
 * command starts afresh (pending, no attempts; see ds-requests.ts).
 */
export async function updateZoneKeys(tx: Queryable, updates: ReadonlyArray<{ id: number; update: ZoneKeyUpdate }>): Promise<void> {
  if (updates.length === 0) return;
  const iso = (d: Date | null) => (d === null ? null : d.toISOString());
  const at = (d: ChangeTime) => (d === 'keep' ? null : iso(d));
  const rows = updates.map(({ id, update: u }) => ({
    id, goal: u.goal, ds: u.states.ds, dnskey: u.states.dnskey, rrsigdnskey: u.states.rrsigdnskey, rrsig: u.states.rrsig,
    ds_at: at(u.changedAt.ds), dnskey_at: at(u.changedAt.dnskey), rrsigdnskey_at: at(u.changedAt.rrsigdnskey), rrsig_at: at(u.changedAt.rrsig),
    keep: (['ds', 'dnskey', 'rrsigdnskey', 'rrsig'] as const).filter((r) => u.changedAt[r] === 'keep'),
    parent: u.dsAtParent, parent_at: iso(u.dsAtParentChangedAt), at: iso(u.at), unpublished: u.unpublished,
  }));
  await tx.query(
    `UPDATE zone_key zk SET goal = u.goal, ds_state = u.ds, dnskey_state = u.dnskey, rrsigdnskey_state = u.rrsigdnskey, rrsig_state = u.rrsig,
       ds_changed_at = CASE WHEN 'ds' = ANY(u.keep) THEN zk.ds_changed_at ELSE u.ds_at END,
       dnskey_changed_at = CASE WHEN 'dnskey' = ANY(u.keep) THEN zk.dnskey_changed_at ELSE u.dnskey_at END,
       rrsigdnskey_changed_at = CASE WHEN 'rrsigdnskey' = ANY(u.keep) THEN zk.rrsigdnskey_changed_at ELSE u.rrsigdnskey_at END,
       rrsig_changed_at = CASE WHEN 'rrsig' = ANY(u.keep) THEN zk.rrsig_changed_at ELSE u.rrsig_at END,
       ds_at_parent = u.parent, ds_at_parent_changed_at = u.parent_at, unpublished = u.unpublished,
       ds_request = zk.ds_request + CASE WHEN ${NEW_DS_REQUEST} THEN 1 ELSE 0 END,
       ds_command_attempts = CASE WHEN ${NEW_DS_REQUEST} THEN 0 ELSE zk.ds_command_attempts END,
       ds_command_started_at = CASE WHEN ${NEW_DS_REQUEST} THEN NULL ELSE zk.ds_command_started_at END,
       ds_command_failing_since = CASE WHEN ${NEW_DS_REQUEST} THEN NULL ELSE zk.ds_command_failing_since END,
       active_at = coalesce(zk.active_at, CASE WHEN u.rrsigdnskey IN ('rumoured', 'omnipresent') OR u.rrsig IN ('rumoured', 'omnipresent') THEN u.at END),
       retired_at = coalesce(zk.retired_at, CASE WHEN u.goal = 'hidden' THEN u.at END)
     FROM jsonb_to_recordset($1::jsonb) AS u(id bigint, goal text, ds text, dnskey text, rrsigdnskey text, rrsig text,
       ds_at timestamptz, dnskey_at timestamptz, rrsigdnskey_at timestamptz, rrsig_at timestamptz, keep text[], parent text,
       parent_at timestamptz, at timestamptz, unpublished text[])
     WHERE zk.id = u.id AND zk.id = ANY($2::bigint[])`,
    // The id list lets the planner look the few keys up by primary key instead of scanning the table.
    [JSON.stringify(rows), updates.map((u) => u.id)],
  );
}

/** Remove a purged key from the zone; the key material is marked deleted once no zone uses it. */
export async function purgeZoneKey(tx: Queryable, id: number): Promise<void> {
  const rows = await tx.query<{ hsm_key_id: number }>('DELETE FROM zone_key WHERE id = $1 RETURNING hsm_key_id', [id]);
  const hsm = rows[0]?.hsm_key_id;
  if (hsm === undefined) return;
  await tx.query(
    `UPDATE hsm_key SET status = 'deleted' WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM zone_key WHERE hsm_key_id = $1)`,
    [hsm],
  );
}
