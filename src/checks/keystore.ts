// `check keystore`: can this node's signer use every key the database uses, so that this node (the
// standby, typically) is known able to take over? Each zone key that still matters (every key but the
// dead ones waiting to be purged) must be in this node's keystore with the public key the database
// has (keystoreProblems, as the drill's step 1) and must sign: a test signature verified against the
// database's public key. Unused pool keys are checked for presence too: a roll after a takeover
// would allocate them. Stale temp files of interrupted key writes (each may hold a private key) in a
// file keystore's directory are a WARNING. No thresholds: nothing here is a matter of degree.
// Contract: keystores are opened without creating anything; a test signature is all that is made.

import type { Config } from '../config/config.js';
import { verify } from '../dnssec/signature.js';
import { keystoreProblems } from '../failover/preconditions.js';
import { fileKeystoreDirectories, openKeystore } from '../keys/keystores.js';
import type { Keystore } from '../keys/keystore.js';
import { allZoneKeys, listHsmKeys, type HsmKeyRow, type ZoneKeyRow } from '../store/keys.js';
import type { CheckContext, CheckSpec } from './check.js';
import { readSnapshot } from './snapshot.js';
import { staleTempFindings, staleTempPerf } from './stale-temp.js';
import { resultOf, type CheckResult, type Finding, type PerfDatum } from './types.js';

export const keystoreCheck: CheckSpec = {
  name: 'keystore',
  description: "every key the database uses is in this node's keystore, is the same key and signs; pool keys are present; no stale temp files in file keystores",
  thresholds: null,
  run: checkKeystore,
};

const TEST_DATA = new TextEncoder().encode('dnssec-enforcer keystore check');

const dead = (k: ZoneKeyRow) => k.goal === 'hidden' && Object.values(k.states).every((s) => s === 'hidden' || s === 'na');
const id = (k: { repository: string; locator: string }) => `${k.repository}/${k.locator}`;

async function checkKeystore(ctx: CheckContext): Promise<CheckResult> {
  const read = await readSnapshot(ctx.db, async (tx) => ({ keys: (await allZoneKeys(tx)).filter((k) => !dead(k)), hsm: await listHsmKeys(tx) }));
  const open = opener(ctx.config);
  const findings: Finding[] = [];

  // Per distinct key (shared keys once), then one finding per zone that uses it.
  const distinct = new Map(read.keys.map((k) => [id(k), k]));
  const missing = new Map<string, string>();
  const unusable = new Map<string, string>();
  for (const [key, k] of distinct) {
    const [problem] = await keystoreProblems([k], ctx.config);
    // keystoreProblems' reason names the key already: "key 12345 (KSK, locator …): not in keystore X".
    if (problem) missing.set(key, problem.reason);
    else {
      const why = await signProblem(open, k);
      if (why) unusable.set(key, why);
    }
  }
  for (const k of read.keys) {
    const gone = missing.get(id(k));
    const broken = unusable.get(id(k));
    const what = gone ?? (broken ? `key ${k.keyTag} (${k.role}, locator ${k.locator}): ${broken}` : null);
    if (what) findings.push({ status: 'CRITICAL', zone: k.zone, message: `${what}; this node could not sign with it after a takeover` });
  }

  const pool = read.hsm.filter((h) => h.status === 'unused');
  let poolMissing = 0;
  for (const h of pool) {
    const why = await presenceProblem(open, h);
    if (!why) continue;
    poolMissing++;
    findings.push({ status: 'WARNING', message: `pool key ${h.locator} (policy ${h.policy}, ${h.role}): ${why}; a roll after a takeover would allocate it` });
  }

  const temps = await staleTempFindings(
    fileKeystoreDirectories(ctx.config).map((k) => ({ what: `keystore ${k.keystores.join(', ')} directory`, directory: k.directory })),
    ctx.config.lease.ttlSeconds,
  );
  findings.push(...temps.findings);

  const perfdata: PerfDatum[] = [
    { label: 'keystore_keys', value: distinct.size, uom: '', min: 0, metric: { name: 'keystore_keys_checked', help: 'Distinct keys in use by zones that the check looked for in this node\'s keystores.' } },
    { label: 'keystore_missing', value: missing.size, uom: '', min: 0, max: distinct.size, metric: { name: 'keystore_keys_missing', help: "Keys in use that this node's keystores lack or hold a different key for." } },
    { label: 'keystore_unusable', value: unusable.size, uom: '', min: 0, max: distinct.size, metric: { name: 'keystore_keys_unusable', help: 'Keys in use that are present but fail a test signature.' } },
    { label: 'keystore_pool', value: pool.length, uom: '', min: 0, metric: { name: 'keystore_pool_keys', help: 'Unused pool keys in the database.' } },
    { label: 'keystore_pool_missing', value: poolMissing, uom: '', min: 0, max: pool.length, metric: { name: 'keystore_pool_keys_missing', help: "Unused pool keys this node's keystores lack." } },
    staleTempPerf('keystore_stale_temp_files', 'keystore', temps.count),
  ];
  const bad = missing.size + unusable.size;
  const summary = bad === 0
    ? `all ${distinct.size} keys in use present and signing${pool.length ? `, ${pool.length - poolMissing} of ${pool.length} pool keys present` : ''}`
    : `${bad} of ${distinct.size} keys in use not usable on ${ctx.config.node} (${missing.size} missing or different, ${unusable.size} not signing)${poolMissing ? `, ${poolMissing} pool keys missing` : ''}`;
  const tempWords = temps.count > 0 ? `; ${temps.count} stale temp file${temps.count === 1 ? '' : 's'}` : '';
  return resultOf('keystore', summary + tempWords, findings, perfdata);
}

type Open = (repository: string) => Promise<Keystore>;

/** Keystores opened once each and never created (a missing directory is the finding). */
function opener(config: Pick<Config, 'keystores' | 'file'>): Open {
  const stores = new Map<string, Promise<Keystore>>();
  return (repository) => {
    let ks = stores.get(repository);
    if (!ks) {
      const c = config.keystores[repository];
      ks = c ? openKeystore(repository, c, { create: false }) : Promise.reject(new Error(`${config.file} configures no keystore ${repository}`));
      stores.set(repository, ks);
    }
    return ks;
  };
}

async function signProblem(open: Open, k: ZoneKeyRow): Promise<string | null> {
  try {
    const signature = await (await open(k.repository)).sign(k.locator, TEST_DATA);
    return verify(k.algorithm, k.publicKey, TEST_DATA, signature) ? null : 'a test signature does not verify with the public key the database has';
  } catch (e) {
    return `cannot sign: ${(e as Error).message}`;
  }
}

async function presenceProblem(open: Open, h: HsmKeyRow): Promise<string | null> {
  try {
    const ks = await open(h.repository);
    if (!(await ks.has(h.locator))) return `not in keystore ${h.repository}`;
    return Buffer.from(await ks.publicKey(h.locator)).equals(Buffer.from(h.publicKey)) ? null : `keystore ${h.repository} holds a different key under this locator`;
  } catch (e) {
    return (e as Error).message;
  }
}
