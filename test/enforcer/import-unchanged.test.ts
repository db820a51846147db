// Bad input through the real CLI: every bad-input fixture is refused with exit code 3 and a
// message naming the file, and the database is exactly as it was before.

import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres } from '../../src/store/pg-db.js';
import { EXIT } from '../../src/util/exit-codes.js';
import { ROOT, exampleSetup, runCli } from '../helpers/cli.js';
import { createPostgresDatabase } from '../helpers/databases.js';

const fixtures = path.join(ROOT, 'test', 'fixtures', 'bad-input');

async function snapshot(url: string): Promise<string> {
  const db = await openPostgres(url);
  try {
    const out: Record<string, unknown> = {};
    for (const t of ['policy', 'zone', 'hsm_key', 'zone_key', 'signconf_record', 'audit_log', 'meta']) {
      out[t] = await db.query(`SELECT * FROM ${t} ORDER BY 1`);
    }
    return JSON.stringify(out);
  } finally {
    await db.close();
  }
}

describe('bad input changes nothing', () => {
  let url: string;
  let drop: () => Promise<void>;
  let config: string;
  let before: string;

  beforeAll(async () => {
    ({ url, drop } = await createPostgresDatabase());
    ({ config } = exampleSetup({ url }));
    const r = await runCli(['--config', config, 'run']);
    expect(r.code).toBe(0);
    before = await snapshot(url);
  });
  afterAll(async () => drop());

  const files = readdirSync(fixtures).filter((f) => f.endsWith('.xml')).sort();
  it.each(files)('%s', async (file) => {
    const kind = file.startsWith('kasp-') ? 'policy' : 'zonelist';
    const full = path.join(fixtures, file);
    const r = await runCli(['--config', config, kind, 'import', '--file', full, '--remove-missing']);
    expect(r.code).toBe(EXIT.BAD_INPUT);
    expect(r.stderr).toContain(`enforcer: ${full}`);
    expect(await snapshot(url)).toBe(before);
  });
});
