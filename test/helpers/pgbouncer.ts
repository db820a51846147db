// pgbouncer (Debian's package) in front of a test database, with one entry per pool mode the
// tests need: `tx1` (pool_mode=transaction, one server connection, so every client shares a
// backend), `tx4` (transaction, four: statements wander between backends) and `session`.
// Runs as the `postgres` user when we are root (pgbouncer refuses to run as root).

import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './pg-server.js';
import { toolPath } from './tools.js';

export type PoolEntry = 'tx1' | 'tx4' | 'session';

export interface Pgbouncer {
  /** The database URL through the pooler entry. */
  url(entry: PoolEntry): string;
  stop(): Promise<void>;
}

export async function startPgbouncer(databaseUrl: string): Promise<Pgbouncer> {
  const bin = toolPath('pgbouncer');
  if (!bin) throw new Error('pgbouncer is not installed');
  const u = new URL(databaseUrl);
  const db = u.pathname.slice(1);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'enforcer-pgbouncer-'));
  chmodSync(dir, 0o777);
  const port = await freePort();
  const server = `host=${u.hostname} port=${u.port} dbname=${db} user=${decodeURIComponent(u.username)} password=${decodeURIComponent(u.password)}`;
  writeFileSync(path.join(dir, 'userlist.txt'), '');
  const ini = path.join(dir, 'pgbouncer.ini');
  writeFileSync(
    ini,
    [
      '[databases]',
      `tx1 = ${server} pool_mode=transaction pool_size=1`,
      `tx4 = ${server} pool_mode=transaction pool_size=4`,
      `session = ${server} pool_mode=session pool_size=8`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      // any: clients are not authenticated; every entry logs in to the server as the user it names.
      'auth_type = any',
      `auth_file = ${path.join(dir, 'userlist.txt')}`,
      'max_client_conn = 100',
      // node-postgres sends the store's idle_in_transaction_session_timeout as a startup parameter.
      'ignore_startup_parameters = extra_float_digits,idle_in_transaction_session_timeout',
      `logfile = ${path.join(dir, 'pgbouncer.log')}`,
      '',
    ].join('\n'),
  );
  chmodSync(ini, 0o644);
  const args = [...(process.getuid?.() === 0 ? ['-u', 'postgres'] : []), ini];
  const child: ChildProcess = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const deadline = Date.now() + 10_000;
  for (;;) {
    const up = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (up) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      let log = '';
      try {
        log = readFileSync(path.join(dir, 'pgbouncer.log'), 'utf8');
      } catch {
        // no log yet
      }
      throw new Error(`pgbouncer did not start: ${stderr}${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url(entry) {
      return `postgres://${u.username}@127.0.0.1:${port}/${entry}`;
    },
    async stop() {
      if (child.exitCode === null) {
        await new Promise<void>((r) => {
          child.once('exit', () => r());
          child.kill('SIGTERM');
        });
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
