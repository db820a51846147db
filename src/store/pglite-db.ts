// Embedded PostgreSQL (PGlite, in-process WebAssembly) for single-host use and first tries.
// PGlite's data directory must never be opened by two processes at once, so a lock file with
// the owner's pid and host guards it. A lock left by a process of this host that is no longer
// running is reported and taken over (the pid check makes that safe); any other lock refuses.

import { PGlite } from '@electric-sql/pglite';
import { promises as fs, constants } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EnforcerError, EXIT } from '../util/exit-codes.js';
import type { Db, Queryable } from './db.js';

const INT8 = 20;

export async function openEmbedded(directory: string, onStaleLock: (message: string) => void = () => undefined): Promise<Db> {
  await fs.mkdir(path.dirname(directory), { recursive: true, mode: 0o700 });
  const lockPath = `${directory}.lock`;
  await takeLock(lockPath, onStaleLock);
  let db: PGlite;
  try {
    db = await PGlite.create(directory, { parsers: { [INT8]: (v: string) => Number(v) } });
  } catch (e) {
    await fs.rm(lockPath, { force: true });
    throw new EnforcerError(`cannot open the embedded database at ${directory}: ${(e as Error).message}`, EXIT.DB_UNAVAILABLE);
  }
  const wrap = (q: { query: PGlite['query']; exec: PGlite['exec'] }): Queryable => ({
    query: async <T>(sql: string, params?: unknown[]) => (await q.query<T>(sql, params as unknown[])).rows,
    exec: async (sql: string) => {
      await q.exec(sql);
    },
  });
  return {
    kind: 'embedded',
    description: `embedded:${directory}`,
    ...wrap(db),
    transaction: (fn) => db.transaction((tx) => fn(wrap(tx))),
    close: async () => {
      try {
        await db.close();
      } finally {
        await fs.rm(lockPath, { force: true });
      }
    },
  };
}

interface LockInfo {
  pid: number;
  host: string;
  since: string;
}

async function takeLock(lockPath: string, onStaleLock: (message: string) => void, retried = false): Promise<void> {
  const me: LockInfo = { pid: process.pid, host: os.hostname(), since: new Date().toISOString() };
  try {
    const fh = await fs.open(lockPath, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
    await fh.writeFile(JSON.stringify(me) + '\n');
    await fh.sync();
    await fh.close();
    return;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  let holder: LockInfo | null = null;
  try {
    holder = JSON.parse(await fs.readFile(lockPath, 'utf8')) as LockInfo;
  } catch {
    // unreadable or half-written lock: treat as held by an unknown process
  }
  if (!retried && holder && holder.host === os.hostname() && !isAlive(holder.pid)) {
    onStaleLock(`stale embedded database lock ${lockPath} left by process ${holder.pid} (since ${holder.since}), which is no longer running; taking it over`);
    await fs.rm(lockPath, { force: true });
    return takeLock(lockPath, onStaleLock, true);
  }
  const who = holder ? `process ${holder.pid} on ${holder.host} since ${holder.since}` : 'an unknown process';
  throw new EnforcerError(`the embedded database is in use by ${who} (lock file ${lockPath})`, EXIT.NOT_ACTIVE);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
