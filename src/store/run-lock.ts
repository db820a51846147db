// The run lock: a session-level advisory lock held on a connection of its own (never the store's,
// never a pooled one), so that it lives exactly as long as one server backend. The server ends
// that backend, and so frees the lock, when its holder dies, freezes or drops off the network:
// the caller passes idle_session_timeout, TCP keepalive and timeout settings, which are SET
// right after connecting and read back; a server that ignores them is refused.
//
// A transaction-mode pooler (pgbouncer pool_mode=transaction) would hand each statement to any
// backend and the lock would silently belong to nobody. Every statement here therefore also
// proves it runs on the backend that took the lock: same pg_backend_pid(), and a session-only
// marker (a custom setting no pooler replays) still set. Policy (what the timeouts are, how
// often to heartbeat, what to do on loss) is the caller's; this module only does the SQL.

import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { EnforcerError, EXIT } from '../util/exit-codes.js';
import { maskUrl } from '../util/mask.js';
import type { Queryable } from './db.js';
import { pgClientConfig } from './pg-config.js';

/** The advisory lock key shared by every enforcer on a database ("a run is acting"). */
export const RUN_LOCK_KEY = 7_245_100_002;

/** Session settings for the lock's backend, in PostgreSQL's base units. */
export interface LockSessionSettings {
  idle_session_timeout: number; // ms
  idle_in_transaction_session_timeout: number; // ms
  statement_timeout: number; // ms
  tcp_keepalives_idle: number; // s
  tcp_keepalives_interval: number; // s
  tcp_keepalives_count: number;
  tcp_user_timeout: number; // ms
}

const TCP_ONLY = new Set(['tcp_keepalives_idle', 'tcp_keepalives_interval', 'tcp_keepalives_count', 'tcp_user_timeout']);

/** The lock's own connection. */
export interface LockConnection extends Queryable {
  /** Called at most once, when the connection fails or ends other than through close(). */
  onLost(cb: (err: Error) => void): void;
  close(): Promise<void>;
}

export interface LockClientOptions {
  applicationName: string;
  connectTimeoutMs: number;
  queryTimeoutMs: number;
  keepAliveInitialDelayMs: number;
}

export async function openLockConnection(url: string, opts: LockClientOptions): Promise<LockConnection> {
  const client = new pg.Client(pgClientConfig(url, opts));
  let closing = false;
  let lost: ((err: Error) => void) | null = null;
  // A failure before anyone listens is kept and reported on registration, never dropped.
  let failure: Error | null = null;
  const fire = (err: Error) => {
    if (closing || failure) return;
    failure = err;
    lost?.(err);
  };
  client.on('error', fire);
  client.on('end', () => fire(new Error('the server closed the connection')));
  try {
    await client.connect();
  } catch (e) {
    closing = true;
    await client.end().catch(() => undefined);
    throw new EnforcerError(`cannot connect to the database ${maskUrl(url)} for the run lock: ${(e as Error).message}`, EXIT.DB_UNAVAILABLE);
  }
  return {
    query: async <T>(sql: string, params?: unknown[]) => (await client.query(sql, params as unknown[])).rows as T[],
    exec: async (sql: string) => {
      await client.query(sql);
    },
    onLost: (cb) => {
      lost = cb;
      if (failure) queueMicrotask(() => cb(failure!));
    },
    close: async () => {
      closing = true;
      await client.end().catch(() => undefined);
    },
  };
}

export class RunLockLostError extends EnforcerError {
  constructor(reason: string) {
    super(`run lock lost: ${reason}; stopping without writing`, EXIT.NOT_ACTIVE);
  }
}

/** Who holds the run lock, as the server sees it. */
export interface RunLockHolder {
  backendPid: number;
  /** Node and process id from the holder's application_name (enforcer-lock:<pid>@<node>). */
  node: string | null;
  processId: number | null;
  applicationName: string | null;
  /** When the holder's backend started (it takes the lock right after connecting). */
  since: Date | null;
  clientAddr: string | null;
}

export function lockApplicationName(node: string, pid: number = process.pid): string {
  return `enforcer-lock:${pid}@${node}`.slice(0, 63);
}

const HOLDER = `SELECT l.pid, a.application_name, a.backend_start, host(a.client_addr) AS client_addr
  FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
 WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
   AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
   AND ((l.classid::bigint << 32) | l.objid::bigint) = $1`;

/** The current holder of the run lock, or null when it is free. Works on any connection. */
export async function readRunLockHolder(q: Queryable): Promise<RunLockHolder | null> {
  const rows = await q.query<{ pid: number; application_name: string | null; backend_start: Date | null; client_addr: string | null }>(HOLDER, [
    RUN_LOCK_KEY,
  ]);
  const r = rows[0];
  if (!r) return null;
  const m = /^enforcer-lock:(\d+)@(.+)$/.exec(r.application_name ?? '');
  return {
    backendPid: r.pid,
    node: m ? m[2]! : null,
    processId: m ? Number(m[1]) : null,
    applicationName: r.application_name,
    since: r.backend_start,
    clientAddr: r.client_addr,
  };
}

export async function backendPid(q: Queryable): Promise<number> {
  return (await q.query<{ pid: number }>('SELECT pg_backend_pid() AS pid'))[0]!.pid;
}

/** A run lock this process holds. */
export interface HeldRunLock {
  readonly backendPid: number;
  /** Prove the lock is still held by the same backend; throws RunLockLostError otherwise. */
  heartbeat(): Promise<void>;
  /** Unlock and close the connection (best effort: a dead connection has freed it already). */
  release(): Promise<void>;
}

export type TakeResult = { held: HeldRunLock } | { held: null; holder: RunLockHolder | null };

/**
 * Configure the session, prove it is a direct session on a writable primary, then try the lock.
 * Throws EnforcerError when the server cannot give the guarantees; returns the holder when taken.
 */
export async function takeRunLock(conn: LockConnection, settings: LockSessionSettings): Promise<TakeResult> {
  await checkServer(conn);
  const pid = await backendPid(conn);
  const probe = randomBytes(8).toString('hex');
  await conn.query(`SELECT set_config('enforcer.lock_probe', $1, false)`, [probe]);
  await assertSameSession(conn, pid, probe, false);
  await applySettings(conn, settings);
  await assertSameSession(conn, pid, probe, false);
  const got = await conn.query<{ ok: boolean; pid: number }>('SELECT pg_try_advisory_lock($1) AS ok, pg_backend_pid() AS pid', [RUN_LOCK_KEY]);
  if (got[0]!.pid !== pid) throw poolerError(`the lock statement ran on backend ${got[0]!.pid}, not ${pid}`);
  if (!got[0]!.ok) return { held: null, holder: await readRunLockHolder(conn) };
  const held: HeldRunLock = {
    backendPid: pid,
    heartbeat: () => assertSameSession(conn, pid, probe, true),
    release: async () => {
      await conn.query('SELECT pg_advisory_unlock($1)', [RUN_LOCK_KEY]).catch(() => undefined);
      await conn.close();
    },
  };
  try {
    await held.heartbeat();
  } catch (e) {
    await held.release();
    throw e;
  }
  return { held };
}

function poolerError(detail: string): EnforcerError {
  return new EnforcerError(
    `the run lock's connection does not keep one server session (${detail}); a transaction-mode ` +
      `pooler such as pgbouncer (pool_mode=transaction) cannot carry a session lock: connect the enforcer to ` +
      `PostgreSQL directly or through a session-mode pool`,
    EXIT.ERROR,
  );
}

async function assertSameSession(conn: Queryable, pid: number, probe: string, lockHeld: boolean): Promise<void> {
  const rows = await conn.query<{ pid: number; probe: string | null; held: boolean }>(
    `SELECT pg_backend_pid() AS pid, current_setting('enforcer.lock_probe', true) AS probe,
            EXISTS (SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
                       AND l.pid = pg_backend_pid()
                       AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                       AND ((l.classid::bigint << 32) | l.objid::bigint) = $1) AS held`,
    [RUN_LOCK_KEY],
  );
  const r = rows[0]!;
  if (r.pid !== pid || r.probe !== probe) {
    const detail = `statement ran on backend ${r.pid} ${r.probe === probe ? 'with' : 'without'} this session's marker, expected backend ${pid}`;
    if (lockHeld) throw new RunLockLostError(`${detail} (a transaction-mode pooler?)`);
    throw poolerError(detail);
  }
  if (lockHeld && !r.held) throw new RunLockLostError(`backend ${pid} no longer holds the advisory lock`);
}

async function checkServer(conn: Queryable): Promise<void> {
  const r = (
    await conn.query<{ version: number; recovery: boolean; read_only: string }>(
      `SELECT current_setting('server_version_num')::int AS version, pg_is_in_recovery() AS recovery,
              current_setting('transaction_read_only') AS read_only`,
    )
  )[0]!;
  if (r.version < 140000) {
    throw new EnforcerError(
      `PostgreSQL ${Math.floor(r.version / 10000)} cannot end an idle session (idle_session_timeout needs 14 or later); ` +
        `a frozen enforcer could keep the run lock forever, so this server is refused`,
      EXIT.ERROR,
    );
  }
  if (r.recovery || r.read_only === 'on') {
    throw new EnforcerError('the database is read-only (a hot standby?); the enforcer must connect to the primary', EXIT.ERROR);
  }
}

async function applySettings(conn: Queryable, s: LockSessionSettings): Promise<void> {
  const entries = Object.entries(s) as Array<[keyof LockSessionSettings, number]>;
  for (const [name, value] of entries) {
    await conn.query('SELECT set_config($1, $2, false)', [name, String(value)]);
  }
  const rows = await conn.query<{ name: string; setting: string; unix: boolean }>(
    `SELECT name, setting, inet_server_addr() IS NULL AS unix FROM pg_settings WHERE name = ANY($1)`,
    [entries.map(([n]) => n)],
  );
  const actual = new Map(rows.map((r) => [r.name, r]));
  for (const [name, value] of entries) {
    const r = actual.get(name);
    // Over a Unix socket there is no TCP to keep alive: PostgreSQL reads these as 0 there.
    if (r && r.unix && TCP_ONLY.has(name) && Number(r.setting) === 0) continue;
    if (!r || Number(r.setting) !== value) {
      throw new EnforcerError(
        `the server did not accept ${name} = ${value} on the run lock's session (it reads ${r?.setting ?? 'nothing'}); ` +
          'without it a dead or frozen holder could keep the lock',
        EXIT.ERROR,
      );
    }
  }
}
