// The run lock against the real PostgreSQL server: one holder at a time, the holder named, its
// session settings in force, a killed or frozen holder losing the lock, and a connection that
// behaves like a transaction-mode pooler refused.

import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lockClientOptions, lockSessionSettings } from '../../src/lease/lock-timing.js';
import {
  lockApplicationName,
  openLockConnection,
  readRunLockHolder,
  takeRunLock,
  RunLockLostError,
  type LockConnection,
} from '../../src/store/run-lock.js';
import { createPostgresDatabase } from '../helpers/databases.js';

const timing = { ttlSeconds: 30, renewSeconds: 10 };

describe('run lock', () => {
  let url: string;
  let drop: () => Promise<void>;
  const open: LockConnection[] = [];
  const connect = async (node: string, t = timing) => {
    const c = await openLockConnection(url, lockClientOptions(t, lockApplicationName(node)));
    open.push(c);
    return c;
  };
  const admin = async <T>(fn: (c: pg.Client) => Promise<T>): Promise<T> => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      return await fn(c);
    } finally {
      await c.end();
    }
  };

  beforeEach(async () => {
    ({ url, drop } = await createPostgresDatabase());
  });
  afterEach(async () => {
    for (const c of open.splice(0)) await c.close();
    await drop();
  });

  it('has one holder at a time and names it to the others', async () => {
    const a = await takeRunLock(await connect('node-a'), lockSessionSettings(timing));
    expect(a.held).not.toBeNull();
    const b = await takeRunLock(await connect('node-b'), lockSessionSettings(timing));
    expect(b.held).toBeNull();
    if (b.held) return;
    expect(b.holder).toMatchObject({ node: 'node-a', processId: process.pid, backendPid: a.held!.backendPid });
    expect(b.holder!.since).toBeInstanceOf(Date);
    await a.held!.release();
    const again = await takeRunLock(await connect('node-b'), lockSessionSettings(timing));
    expect(again.held).not.toBeNull();
  });

  it('puts the session settings in force on the lock backend', async () => {
    const conn = await connect('node-a');
    const r = await takeRunLock(conn, lockSessionSettings(timing));
    expect(r.held).not.toBeNull();
    const rows = await conn.query<{ name: string; setting: string }>(
      `SELECT name, setting FROM pg_settings WHERE name IN ('idle_session_timeout', 'idle_in_transaction_session_timeout',
         'statement_timeout', 'tcp_keepalives_idle', 'tcp_keepalives_interval', 'tcp_keepalives_count', 'tcp_user_timeout') ORDER BY name`,
    );
    expect(Object.fromEntries(rows.map((x) => [x.name, Number(x.setting)]))).toEqual({
      idle_in_transaction_session_timeout: 30000,
      idle_session_timeout: 30000,
      statement_timeout: 10000,
      tcp_keepalives_count: 3,
      tcp_keepalives_idle: 10,
      tcp_keepalives_interval: 3,
      tcp_user_timeout: 15000,
    });
  });

  it('notices at once when the holder backend is terminated, and the lock is free at once', async () => {
    const conn = await connect('node-a');
    const r = await takeRunLock(conn, lockSessionSettings(timing));
    const lost = new Promise<number>((resolve) => conn.onLost(() => resolve(performance.now())));
    const t0 = performance.now();
    await admin((c) => c.query('SELECT pg_terminate_backend($1)', [r.held!.backendPid]));
    const detectedMs = (await lost) - t0;
    console.log(`lock loss noticed ${detectedMs.toFixed(1)} ms after pg_terminate_backend returned`);
    expect(detectedMs).toBeLessThan(1000);
    await expect(r.held!.heartbeat()).rejects.toThrow();
    const b = await takeRunLock(await connect('node-b'), lockSessionSettings(timing));
    expect(b.held).not.toBeNull();
  });

  it('frees the lock of a holder that stops talking (idle_session_timeout = ttl)', async () => {
    const short = { ttlSeconds: 5, renewSeconds: 2 };
    const conn = await connect('node-a', short);
    const r = await takeRunLock(conn, lockSessionSettings(short));
    expect(r.held).not.toBeNull();
    const t0 = Date.now();
    // The holder sends nothing from now on, as if frozen; another node polls for the lock.
    let freedAfter = 0;
    while (Date.now() - t0 < 15_000) {
      const holder = await admin((c) => readRunLockHolder({ query: async (s, p) => (await c.query(s, p as unknown[])).rows, exec: async () => undefined }));
      if (!holder) {
        freedAfter = Date.now() - t0;
        break;
      }
      await new Promise((res) => setTimeout(res, 250));
    }
    console.log(`silent holder lost the lock after ${freedAfter} ms (ttl 5000 ms)`);
    expect(freedAfter).toBeGreaterThanOrEqual(4500);
    expect(freedAfter).toBeLessThan(8000);
    await expect(r.held!.heartbeat()).rejects.toThrow();
  });

  it('refuses a connection whose statements land on different backends (transaction pooling)', async () => {
    // Two real backends behind one "connection", statements dealt out in turn: what pgbouncer
    // in pool_mode=transaction does to a client whose backend went back to the pool.
    const backends = [new pg.Client({ connectionString: url }), new pg.Client({ connectionString: url })];
    for (const b of backends) await b.connect();
    let turn = 0;
    const pooled: LockConnection = {
      query: async <T>(sql: string, params?: unknown[]) => (await backends[turn++ % 2]!.query(sql, params as unknown[])).rows as T[],
      exec: async () => undefined,
      onLost: () => undefined,
      close: async () => {
        for (const b of backends) await b.end().catch(() => undefined);
      },
    };
    open.push(pooled);
    await expect(takeRunLock(pooled, lockSessionSettings(timing))).rejects.toThrow(/transaction-mode pooler/);
  });

  it('a heartbeat that reaches another backend means the lock is lost', async () => {
    const backends = [new pg.Client({ connectionString: url }), new pg.Client({ connectionString: url })];
    for (const b of backends) await b.connect();
    let switched = false;
    const conn: LockConnection = {
      query: async <T>(sql: string, params?: unknown[]) => (await backends[switched ? 1 : 0]!.query(sql, params as unknown[])).rows as T[],
      exec: async () => undefined,
      onLost: () => undefined,
      close: async () => {
        for (const b of backends) await b.end().catch(() => undefined);
      },
    };
    open.push(conn);
    const r = await takeRunLock(conn, lockSessionSettings(timing));
    await r.held!.heartbeat();
    switched = true;
    const err = await r.held!.heartbeat().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RunLockLostError);
    expect((err as Error).message).toMatch(/ran on backend \d+ without this session's marker/);
  });
});
