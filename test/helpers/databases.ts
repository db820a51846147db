// Fresh, isolated databases for tests: a new database on the shared real PostgreSQL server, or a
// new embedded (PGlite) directory. The same store cases run against both.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import type { Db } from '../../src/store/db.js';
import { openEmbedded } from '../../src/store/pglite-db.js';
import { openPostgres } from '../../src/store/pg-db.js';

export type DbKind = 'embedded' | 'postgres';
export const DB_KINDS: DbKind[] = ['embedded', 'postgres'];

export interface TestDatabase {
  kind: DbKind;
  /** Config-style database section for this database. */
  database: { kind: 'postgres'; url: string } | { kind: 'embedded'; directory: string };
  open(): Promise<Db>;
  drop(): Promise<void>;
}

export async function createPostgresDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const admin = inject('pgAdminUrl');
  const name = `enforcer_test_${randomBytes(6).toString('hex')}`;
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  const u = new URL(admin);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      const d = new pg.Client({ connectionString: admin });
      await d.connect();
      await d.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await d.end();
    },
  };
}

export async function createTestDatabase(kind: DbKind): Promise<TestDatabase> {
  if (kind === 'postgres') {
    const { url, drop } = await createPostgresDatabase();
    return { kind, database: { kind, url }, open: () => openPostgres(url), drop };
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'enforcer-test-pglite-'));
  const directory = path.join(dir, 'db');
  return {
    kind,
    database: { kind, directory },
    open: () => openEmbedded(directory),
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}
