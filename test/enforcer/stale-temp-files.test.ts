// Stale temp files through the real CLI on real PostgreSQL: temp files of prepareFile's pattern that
// are older than a run may take are removed by the active node's next run, in the signconf directory
// and in the file keystore's directory (where they hold private keys), named in the log and the
// audit log, never with their content; everything else is left alone: a fresh temp file, names that
// only look similar, and a symlink or a directory under a matching name.

import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { lutimes } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAudit } from '../../src/store/audit.js';
import { openPostgres } from '../../src/store/pg-db.js';
import { exampleSetup, runCli } from '../helpers/cli.js';
import { createPostgresDatabase } from '../helpers/databases.js';

const HOURS = 3600;
const SECRET = 'MC4CAQAwBQYDK2VwBCIEIPRETEND-PRIVATE-KEY-MATERIAL';

describe('stale temp files', () => {
  let drop: () => Promise<void> = async () => undefined;
  let url: string;
  let config: string;
  let signconfDir: string;
  let keysDir: string;
  beforeAll(async () => {
    const pg = await createPostgresDatabase();
    ({ url, drop } = pg);
    const setup = exampleSetup({ url });
    config = setup.config;
    signconfDir = path.join(setup.dir, 'signconf');
    keysDir = path.join(setup.dir, 'var', 'keys');
    const first = await runCli(['--config', config, 'run']);
    expect(first.code, first.stderr).toBe(0);
  });
  afterAll(async () => drop());

  /** A file `ageSeconds` old (by its mtime). */
  const file = (dir: string, name: string, ageSeconds: number, content = '', mode = 0o644): string => {
    const p = path.join(dir, name);
    writeFileSync(p, content, { mode });
    const t = new Date(Date.now() - ageSeconds * 1000);
    utimesSync(p, t, t);
    return p;
  };

  it("the next run removes only its own pattern's stale files, in the signconf and keystore directories", async () => {
    const locator = readdirSync(keysDir).find((n) => n.endsWith('.pem'))!.replace('.pem', '');
    // Stale: a torn signconf temp file and a key temp file holding a private key, both 3 hours old.
    const staleSignconf = file(signconfDir, '.example.com.xml.0123456789ab.tmp', 3 * HOURS, '<SignerConfiguration>');
    const staleKey = file(keysDir, `.${locator}.pem.a1b2c3d4e5f6.tmp`, 3 * HOURS, `DNSSEC-Algorithm: 13\n-----BEGIN PRIVATE KEY-----\n${SECRET}\n`, 0o600);
    // Left alone: the same pattern but young (a write in progress could own it) ...
    const fresh = [
      file(signconfDir, '.example.net.xml.abcdefabcdef.tmp', 60),
      file(keysDir, `.${locator}.pem.00000000000f.tmp`, 60, '', 0o600),
    ];
    // ... names that only look like it, however old ...
    const similar = [
      '.example.com.xml.tmp',
      'x.tmp',
      'example.com.xml.0123456789ab.tmp',
      '.example.com.xml.0123456789AB.tmp',
      '.example.com.xml.0123456789a.tmp',
      '.example.com.xml.0123456789ab.tmp.bak',
      '..0123456789ab.tmp.x',
    ].map((n) => file(signconfDir, n, 3 * HOURS));
    // ... and what is not a regular file under a matching name: a symlink (to an old file elsewhere) and a directory.
    const target = file(path.dirname(signconfDir), 'elsewhere.xml', 3 * HOURS, 'keep me');
    const link = path.join(signconfDir, '.example.org.xml.fedcba987654.tmp');
    symlinkSync(target, link);
    const old = new Date(Date.now() - 3 * HOURS * 1000);
    await lutimes(link, old, old);
    const dir = path.join(signconfDir, '.example.org.xml.111111111111.tmp');
    mkdirSync(dir);
    utimesSync(dir, old, old);

    const r = await runCli(['--config', config, '--json', 'run']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ role: 'active', outcome: 'ok', tempFilesRemoved: 2, tempFilesNotRemoved: 0 });

    expect(existsSync(staleSignconf)).toBe(false);
    expect(existsSync(staleKey)).toBe(false);
    for (const p of [...fresh, ...similar, target, dir]) expect(existsSync(p), p).toBe(true);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(target, 'utf8')).toBe('keep me');

    // Logged and audited by name, never with the content.
    const logs = r.stderr.trim().split('\n').map((l) => JSON.parse(l) as { msg: string; file?: string; directory?: string });
    const removed = logs.filter((l) => l.msg.startsWith('removed a stale temp file'));
    expect(removed.map((l) => [l.directory, l.file])).toEqual([
      [signconfDir, '.example.com.xml.0123456789ab.tmp'],
      [keysDir, `.${locator}.pem.a1b2c3d4e5f6.tmp`],
    ]);
    expect(r.stderr).not.toContain(SECRET);
    const db = await openPostgres(url);
    try {
      const audit = (await readAudit(db)).filter((a) => a.event === 'stale temp file removed');
      expect(audit.map((a) => a.detail.file)).toEqual(['.example.com.xml.0123456789ab.tmp', `.${locator}.pem.a1b2c3d4e5f6.tmp`]);
      expect(audit[1]).toMatchObject({ actor: 'run', node: 'test-node', detail: { directory: keysDir, bytes: expect.any(Number) } });
      expect(JSON.stringify(audit)).not.toContain(SECRET);
    } finally {
      await db.close();
    }

    // The human-readable summary counts them; the next run finds nothing more to remove.
    const again = await runCli(['--config', config, '--json', 'run']);
    expect(JSON.parse(again.stdout)).toMatchObject({ outcome: 'ok', tempFilesRemoved: 0 });
  });

  it('says so in the run summary', async () => {
    file(signconfDir, '.example.net.xml.0000000000aa.tmp', 2 * HOURS);
    const r = await runCli(['--config', config, 'run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('\n  stale temp files removed: 1 (left by interrupted writes)\n');
  });
});
