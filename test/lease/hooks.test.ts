// Role-change hooks: the runner (environment, logged output, timeout killing the whole process
// group) and when the guard runs them: once when a node becomes active, once when it becomes
// standby, and a failing hook failing the transition until a later run succeeds.

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/config.js';
import { runHook } from '../../src/lease/hook-runner.js';
import { decideRole } from '../../src/lease/node-role.js';
import { HookFailedError } from '../../src/lease/role-transition.js';
import { enterActive } from '../../src/lease/single-active.js';
import { takeOver } from '../../src/lease/take-over.js';
import type { Db } from '../../src/store/db.js';
import { readLease, releaseLease } from '../../src/store/lease.js';
import { migrate } from '../../src/store/migrate.js';
import { readNodeState } from '../../src/store/node-state.js';
import { EXIT } from '../../src/util/exit-codes.js';
import { silentLogger } from '../../src/util/logger.js';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { captureLogger } from '../helpers/log-capture.js';

const scratch = () => mkdtempSync(path.join(os.tmpdir(), 'enforcer-hooks-'));

/** Running (a zombie left for an init that does not reap counts as dead). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

describe('hook runner', () => {
  it('passes the role in the environment, hides database credentials and logs every output line', async () => {
    const { log, lines } = captureLogger();
    const prev = process.env.ENFORCER_DATABASE_URL;
    process.env.ENFORCER_DATABASE_URL = 'postgres://u:secret@db/x';
    try {
      const r = await runHook({
        name: 'onActive',
        command: 'echo "node=$ENFORCER_NODE epoch=$ENFORCER_EPOCH role=$ENFORCER_ROLE active=$ENFORCER_ACTIVE_NODE url=${ENFORCER_DATABASE_URL:-none}"; echo oops >&2',
        timeoutSeconds: 10,
        env: { ENFORCER_NODE: 'node-a', ENFORCER_EPOCH: '7', ENFORCER_ROLE: 'active', ENFORCER_ACTIVE_NODE: 'node-a' },
        log,
      });
      expect(r).toMatchObject({ ok: true, exitCode: 0, summary: 'ok' });
    } finally {
      if (prev === undefined) delete process.env.ENFORCER_DATABASE_URL;
      else process.env.ENFORCER_DATABASE_URL = prev;
    }
    expect(lines.find((l) => l.stream === 'stdout')).toMatchObject({ level: 30, hook: 'onActive', msg: 'node=node-a epoch=7 role=active active=node-a url=none' });
    expect(lines.find((l) => l.stream === 'stderr')).toMatchObject({ level: 40, msg: 'oops' });
  });

  it('reports a failing exit code', async () => {
    const r = await runHook({ name: 'onStandby', command: 'exit 3', timeoutSeconds: 10, env: {}, log: silentLogger });
    expect(r).toMatchObject({ ok: false, exitCode: 3, summary: 'exited with code 3' });
  });

  it('kills the whole process group when the hook overruns its timeout', async () => {
    const dir = scratch();
    const pidFile = path.join(dir, 'pid');
    const t0 = performance.now();
    const r = await runHook({ name: 'onActive', command: `sleep 60 & echo $! > ${pidFile}; wait`, timeoutSeconds: 1, env: {}, log: silentLogger });
    expect(r).toMatchObject({ ok: false, timedOut: true, summary: 'timed out after 1 s and was killed' });
    expect(performance.now() - t0).toBeLessThan(4000);
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    await new Promise((res) => setTimeout(res, 200));
    expect(alive(grandchild)).toBe(false);
  });

  it('kills the hook when the caller aborts (the process stopped acting)', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 300);
    const r = await runHook({ name: 'onActive', command: 'sleep 30', timeoutSeconds: 60, env: {}, log: silentLogger, signal: ac.signal });
    expect(r).toMatchObject({ ok: false, aborted: true });
  });
});

describe('role transitions', () => {
  let tdb: TestDatabase;
  let db: Db;
  let dir: string;
  beforeEach(async () => {
    tdb = await createTestDatabase('postgres');
    db = await tdb.open();
    await migrate(db);
    dir = scratch();
  });
  afterEach(async () => {
    await db.close();
    await tdb.drop();
  });

  const record = (file: string) => `echo "$ENFORCER_NODE $ENFORCER_ROLE epoch=$ENFORCER_EPOCH active=$ENFORCER_ACTIVE_NODE" >> ${file}`;
  const config = (node: string, hooks: Partial<Config['hooks']> = {}) => ({
    node,
    database: tdb.database,
    lease: { ttlSeconds: 30, renewSeconds: 10 },
    clock: { maxSkewSeconds: 60 },
    hooks: { onActive: record(path.join(dir, 'hooks.log')), onStandby: record(path.join(dir, 'hooks.log')), timeoutSeconds: 10, ...hooks },
  });
  const hookLog = () => {
    try {
      return readFileSync(path.join(dir, 'hooks.log'), 'utf8').trim().split('\n');
    } catch {
      return [];
    }
  };
  const enter = async (node: string, hooks: Partial<Config['hooks']> = {}) => {
    const e = await enterActive({ db, config: config(node, hooks), log: silentLogger });
    if (e.role === 'active') await e.session.end();
    return e.role;
  };

  it('runs onActive when a node becomes active and onStandby when it becomes standby, once each', async () => {
    expect(await enter('node-a')).toBe('active');
    expect(await enter('node-a')).toBe('active');
    expect(await enter('node-b')).toBe('standby'); // never active: nothing to stop
    expect(hookLog()).toEqual(['node-a active epoch=1 active=node-a']);

    const t = await takeOver(db, 'node-b', 30, 'test');
    await releaseLease(db, t.fence);
    expect(await enter('node-b')).toBe('active');
    expect(await enter('node-a')).toBe('standby');
    expect(await enter('node-a')).toBe('standby');
    expect(hookLog()).toEqual(['node-a active epoch=1 active=node-a', 'node-b active epoch=4 active=node-b', 'node-a standby epoch=4 active=node-b']);
  });

  it('fails the transition when the hook fails, shows it, and retries at the next run', async () => {
    const failing = { onActive: 'echo signer will not start >&2; exit 1' };
    const err = await enter('node-a', failing).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HookFailedError);
    expect((err as HookFailedError).exitCode).toBe(EXIT.ERROR);
    expect((err as Error).message).toBe('node-a did not become active: the onActive hook exited with code 1; the next run retries');
    const lease = await readLease(db);
    expect(lease).toMatchObject({ activeNode: 'node-a', holderNode: null, held: false });
    const state = await readNodeState(db, 'node-a');
    expect(state).toMatchObject({ pendingRole: 'active', hookError: 'exited with code 1' });
    expect(decideRole({ node: 'node-a', lease, lockHolder: null, state, configMatches: null, configError: null })).toMatchObject({
      role: 'WAIT',
      reason: 'transition-failed',
    });
    expect(await enter('node-a')).toBe('active');
    expect(await readNodeState(db, 'node-a')).toMatchObject({ role: 'active', pendingRole: null, hookError: null });
    expect(hookLog()).toEqual(['node-a active epoch=2 active=node-a']);
  });
});
