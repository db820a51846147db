// Two enforcer nodes on one database for the single-active tests: a config per node in one
// scratch directory (the signconf directory and keystore shared, as if on shared storage), and
// the test-database mark that lets failpoints and clock offsets through (src/store/test-database.ts).

import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Db } from '../../src/store/db.js';
import { migrate } from '../../src/store/migrate.js';
import { openEmbedded } from '../../src/store/pglite-db.js';
import { openPostgres } from '../../src/store/pg-db.js';
import { TEST_DATABASE_MARK } from '../../src/store/test-database.js';
import { ROOT } from './cli.js';

/** Write the mark by hand under the current epoch, as no enforcer command would. */
export async function markTestDatabase(db: Db): Promise<void> {
  await migrate(db);
  await db.transaction(async (tx) => {
    await tx.query(`SELECT set_config('enforcer.epoch', (SELECT epoch::text FROM lease WHERE id = 1), true)`);
    await tx.query('INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value', [
      TEST_DATABASE_MARK.key,
      TEST_DATABASE_MARK.value,
    ]);
  });
}

export async function markDatabase(database: { url: string } | { directory: string }): Promise<void> {
  const db = 'url' in database ? await openPostgres(database.url) : await openEmbedded(database.directory);
  try {
    await markTestDatabase(db);
  } finally {
    await db.close();
  }
}

export interface NodeOptions {
  ttl?: number;
  renewInterval?: number;
  hooks?: { onActive?: string; onStandby?: string; timeout?: number };
  logLevel?: string;
}

export interface TwoNodes {
  dir: string;
  configs: Record<string, string>;
  signconfDir: string;
}

/** Configs for the given nodes in one scratch directory with the bundled example files. */
export function nodesSetup(database: { url: string } | { directory: string }, nodes: string[], opts: NodeOptions = {}): TwoNodes {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'enforcer-ha-'));
  copyFileSync(path.join(ROOT, 'examples', 'kasp.xml'), path.join(dir, 'kasp.xml'));
  copyFileSync(path.join(ROOT, 'examples', 'zonelist.xml'), path.join(dir, 'zonelist.xml'));
  const configs: Record<string, string> = {};
  for (const node of nodes) {
    const lines = [
      `node: ${node}`,
      'database:',
      'url' in database ? `  url: ${database.url}` : `  dataDirectory: ${database.directory}`,
      'policy: { kasp: kasp.xml, zonelist: zonelist.xml }',
      'signconf: { directory: signconf }',
      'keystores: { SoftHSM: { type: file, directory: var/keys } }',
      `log: { level: ${opts.logLevel ?? 'info'} }`,
    ];
    if (opts.ttl !== undefined || opts.renewInterval !== undefined) {
      lines.push('lease:');
      if (opts.ttl !== undefined) lines.push(`  ttl: ${opts.ttl}`);
      if (opts.renewInterval !== undefined) lines.push(`  renewInterval: ${opts.renewInterval}`);
    }
    if (opts.hooks) {
      lines.push('hooks:');
      if (opts.hooks.onActive) lines.push(`  onActive: ${JSON.stringify(opts.hooks.onActive)}`);
      if (opts.hooks.onStandby) lines.push(`  onStandby: ${JSON.stringify(opts.hooks.onStandby)}`);
      if (opts.hooks.timeout) lines.push(`  timeout: ${opts.hooks.timeout}`);
    }
    configs[node] = path.join(dir, `${node}.yaml`);
    writeFileSync(configs[node], lines.join('\n') + '\n');
  }
  return { dir, configs, signconfDir: path.join(dir, 'signconf') };
}
