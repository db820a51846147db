// `enforcer db init --lab`: make the configured database a lab database, where an operator can
// walk a timeline with a moved clock (--lab-time). Refused, with nothing written, when the database
// holds production data (store/database-kind.ts decides, atomically) or when this configuration's
// signconf directory or file keystores already hold files: a lab must not write where a signer
// reads, nor mix its keys with real ones. Idempotent: an already-lab database is left as it is.

import { readdir } from 'node:fs/promises';
import type { Config } from '../config/config.js';
import { findProductionData, markLabDatabase, readDatabaseKind, type DatabaseKind } from '../store/database-kind.js';
import type { Db } from '../store/db.js';

export type LabInit =
  | { outcome: 'marked' | 'already-lab'; database: string }
  | { outcome: 'refused'; database: string; kind: DatabaseKind; found: string[] };

const SIGNCONF_FILE = /\.xml$/i;
const KEY_FILE = /^[0-9a-f]{32}\.pem$/;

/** Names in `dir` matching `pattern`; none when the directory does not exist yet. */
async function filesIn(dir: string, pattern: RegExp): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((n) => pattern.test(n)).sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}

const some = (names: string[]) => names.slice(0, 3).join(', ') + (names.length > 3 ? ', …' : '');

/** Files this configuration would write over or mix with: signconf files, keys in file keystores. */
async function filesInTheWay(config: Pick<Config, 'signconfDirectory' | 'keystores'>): Promise<string[]> {
  const found: string[] = [];
  const signconf = await filesIn(config.signconfDirectory, SIGNCONF_FILE);
  if (signconf.length) {
    found.push(`the signconf directory ${config.signconfDirectory} already holds ${signconf.length} signconf file${signconf.length === 1 ? '' : 's'} (${some(signconf)})`);
  }
  for (const [name, ks] of Object.entries(config.keystores)) {
    if (ks.type !== 'file') continue;
    const keys = await filesIn(ks.directory, KEY_FILE);
    if (keys.length) found.push(`keystore ${name} (${ks.directory}) already holds ${keys.length} key${keys.length === 1 ? '' : 's'}`);
  }
  return found;
}

export async function initLabDatabase(
  db: Db,
  config: Pick<Config, 'node' | 'signconfDirectory' | 'keystores'>,
  actor: string,
): Promise<LabInit> {
  const database = db.description;
  // Already a lab: its own signconf files and keys are expected by now.
  if ((await readDatabaseKind(db)) === 'lab') return { outcome: 'already-lab', database };
  const files = await filesInTheWay(config);
  if (files.length) {
    // Not marked; what the database holds is said too, so one attempt names every obstacle.
    const data = await findProductionData(db);
    return { outcome: 'refused', database, kind: data.kind, found: [...data.found, ...files] };
  }
  const r = await markLabDatabase(db, { node: config.node, actor });
  return r.outcome === 'refused' ? { ...r, database } : { outcome: r.outcome, database };
}
