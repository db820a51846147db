// sslmode=verify-full against a real PostgreSQL server with TLS: the right CA connects, a wrong
// CA or a wrong host name is refused (exit 69), and the password never shows in the error.

import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres } from '../../src/store/pg-db.js';
import { EnforcerError } from '../../src/util/exit-codes.js';
import { startPgServer, type PgServer } from '../helpers/pg-server.js';
import { requireTool } from '../helpers/tools.js';

function openssl(args: string[], cwd: string) {
  execFileSync('openssl', args, { cwd, stdio: 'pipe' });
}

describe('TLS with sslmode=verify-full', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'enforcer-tls-'));
  let pg: PgServer | null = null;
  let available = true;

  beforeAll(async () => {
    available = requireTool('openssl');
    if (!available) return;
    chmodSync(dir, 0o777);
    const certs = path.join(dir, 'certs');
    execFileSync('mkdir', ['-p', certs]);
    // A CA, a server certificate for "localhost" signed by it, and an unrelated CA.
    openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=test CA'], certs);
    openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'other.key', '-out', 'other.pem', '-days', '2', '-subj', '/CN=other CA'], certs);
    openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost'], certs);
    writeFileSync(path.join(certs, 'san.ext'), 'subjectAltName=DNS:localhost\n');
    openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'san.ext'], certs);
    chmodSync(certs, 0o755);
    chmodSync(path.join(certs, 'server.key'), 0o600);
    if (process.getuid?.() === 0) {
      const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim() || 'NaN');
      const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim() || 'NaN');
      if (Number.isInteger(uid)) chownSync(path.join(certs, 'server.key'), uid, gid);
    }
    pg = await startPgServer([
      '-c', 'ssl=on',
      '-c', `ssl_cert_file=${path.join(certs, 'server.pem')}`,
      '-c', `ssl_key_file=${path.join(certs, 'server.key')}`,
    ]);
  });

  afterAll(async () => {
    await pg?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const url = (host: string, ca: string) =>
    `postgres://postgres:${pg!.password}@${host}:${pg!.port}/postgres?sslmode=verify-full&sslrootcert=${path.join(dir, 'certs', ca)}`;

  it('connects over TLS when the server certificate verifies', async (ctx) => {
    if (!available) return ctx.skip('openssl not on PATH');
    const db = await openPostgres(url('localhost', 'ca.pem'));
    try {
      const rows = await db.query<{ ssl: boolean }>('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
      expect(rows[0]?.ssl).toBe(true);
    } finally {
      await db.close();
    }
  });

  it.each([
    ['an unknown CA', 'localhost', 'other.pem'],
    ['a host name the certificate does not name', '127.0.0.1', 'ca.pem'],
  ])('refuses %s, without showing the password', async (_, host, ca) => {
    if (!available) return;
    const err = await openPostgres(url(host, ca)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EnforcerError);
    expect((err as EnforcerError).exitCode).toBe(69);
    expect((err as Error).message).toMatch(/^cannot connect to the database postgres:\/\/postgres:\*\*\*\*@/);
    expect((err as Error).message).not.toContain(pg!.password);
    expect((err as Error).message).toMatch(/certificate|altnames|Hostname/i);
  });
});
