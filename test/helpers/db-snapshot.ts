// Everything the enforcer can write, captured so a test can show a process wrote nothing: every
// state table of the database and every file (hidden temp files included) of a directory.

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { openPostgres } from '../../src/store/pg-db.js';

const TABLES = ['lease', 'meta', 'policy', 'zone', 'hsm_key', 'zone_key', 'signconf_record', 'audit_log', 'run_log', 'node_state'];

export async function snapshotDatabase(url: string): Promise<Record<string, unknown[]>> {
  const db = await openPostgres(url);
  try {
    const out: Record<string, unknown[]> = {};
    for (const t of TABLES) out[t] = await db.query(`SELECT * FROM ${t} ORDER BY 1`);
    return out;
  } finally {
    await db.close();
  }
}

export function snapshotDirectory(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return out;
  }
  for (const f of names) out[f] = readFileSync(path.join(dir, f), 'utf8');
  return out;
}
