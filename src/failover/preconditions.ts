// Drill step 1, the preconditions for taking over: this node's configuration is the one the active
// node recorded (the same comparison as `config compare`), and every key the database uses is in this
// node's keystores (a takeover would otherwise write signconfs naming keys the local signer cannot use),
// holding the private key whose public half the database has (a same-named but different file is as bad).
// Contract: reads only (the meta table, zone keys, keystore files; keystores are opened without
// creating their directory); every difference is one problem.
// Database reachability is checked by the caller, which owns the connection.

import type { Config } from '../config/config.js';
import { openKeystore } from '../keys/keystores.js';
import type { Keystore } from '../keys/keystore.js';
import { configDifferences } from '../lease/config-diff.js';
import {
  DETAILS_META_KEY, fingerprintInput, fingerprintOf, FINGERPRINT_META_KEY, parseRecordedFingerprint, type FingerprintInput,
} from '../lease/config-fingerprint.js';
import type { Queryable } from '../store/db.js';
import type { ZoneKeyRow } from '../store/keys.js';
import { getMeta } from '../store/meta.js';
import type { Problem } from './drill-types.js';
import { limiter } from '../probe/limit.js';

export async function configProblems(db: Queryable, config: Config): Promise<Problem[]> {
  const recorded = parseRecordedFingerprint(await getMeta(db, FINGERPRINT_META_KEY));
  const details = await getMeta(db, DETAILS_META_KEY);
  if (!recorded || details === null) return [{ reason: 'no configuration recorded yet: the active node records it at every run' }];
  let mine: FingerprintInput;
  try {
    mine = await fingerprintInput(config);
  } catch (e) {
    return [{ reason: `this node's configuration does not parse: ${(e as Error).message}` }];
  }
  const sha256 = fingerprintOf(mine);
  if (sha256 === recorded.sha256) return [];
  const diffs = configDifferences(mine, JSON.parse(details) as FingerprintInput, recorded.node);
  if (diffs.length === 0) diffs.push(`fingerprint: this node ${sha256}, ${recorded.node} ${recorded.sha256}`);
  return diffs.map((d) => ({ reason: `configuration differs from ${recorded.node}'s: ${d}` }));
}

/** One problem per zone key whose material this node's keystore lacks (or whose keystore is not configured). */
export async function keystoreProblems(keys: readonly ZoneKeyRow[], config: Pick<Config, 'keystores' | 'file'>): Promise<Problem[]> {
  const problems: Problem[] = [];
  const stores = new Map<string, Promise<Keystore>>();
  const store = (repository: string): Promise<Keystore> => {
    let ks = stores.get(repository);
    if (!ks) {
      const c = config.keystores[repository];
      ks = c
        ? openKeystore(repository, c, { create: false })
        : Promise.reject(new Error(`${config.file} configures no keystore ${repository}`));
      stores.set(repository, ks);
    }
    return ks;
  };
  // Keys shared between zones are looked up once.
  const present = new Map<string, Promise<string | null>>();
  const check = (k: ZoneKeyRow) => {
    const id = `${k.repository}/${k.locator}`;
    let p = present.get(id);
    if (!p) {
      p = inKeystore(store, k).catch((e: Error) => e.message);
      present.set(id, p);
    }
    return p;
  };
  // Key files are read side by side (bounded); problems come out in key order.
  const limit = limiter(16);
  const missing = await Promise.all(keys.map((k) => limit(() => check(k))));
  keys.forEach((k, i) => {
    if (missing[i]) problems.push({ zone: k.zone, reason: `key ${k.keyTag} (${k.role}, locator ${k.locator}): ${missing[i]}` });
  });
  return problems;
}

async function inKeystore(store: (repository: string) => Promise<Keystore>, k: ZoneKeyRow): Promise<string | null> {
  const ks = await store(k.repository);
  if (!(await ks.has(k.locator))) return `not in keystore ${k.repository}`;
  const pub = await ks.publicKey(k.locator);
  return Buffer.from(pub).equals(Buffer.from(k.publicKey)) ? null : `keystore ${k.repository} holds a different key under this locator`;
}
