// A real two-node setup for the check tests: a PostgreSQL database the active node (node-a) has run
// on, a standby configuration (node-b) beside it sharing the kasp.xml, zone list, keystore and
// signconf directory (as with shared storage), and optionally a real authoritative DNS responder on
// 127.0.0.1 serving each zone's expected DNSKEY set, really signed with the zone keys.
// The database is marked as a test database, so ENFORCER_CLOCK_OFFSET can move a check (or a run) in time.

import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import type { CheckJson } from '../../src/checks/json.js';
import { FileKeystore } from '../../src/keys/file-keystore.js';
import { allZoneKeys, type ZoneKeyRow } from '../../src/store/keys.js';
import { openPostgres } from '../../src/store/pg-db.js';
import { exampleSetup, runCli, type CliResult } from '../helpers/cli.js';
import { createPostgresDatabase } from '../helpers/databases.js';
import { markDatabase } from '../helpers/ha-setup.js';
import { signedZone, startResponder, type DnsResponder, type SignedZoneOptions, type TestKey } from '../helpers/dns-responder.js';

const visible = (s: string) => s === 'rumoured' || s === 'omnipresent';

export interface CheckRun extends CliResult {
  /** The status line (first line of stdout). */
  line: string;
}

export interface CheckEnv {
  url: string;
  dir: string;
  active: string;
  standby: string;
  signconfDir: string;
  zones: string[];
  keys: ZoneKeyRow[];
  responder: DnsResponder | null;
  /** Serve a zone as the database expects it, minus `omitTag`, plus `addKeys`, with signing options. */
  serve(zone: string, o?: { omitTag?: number; addKeys?: TestKey[] } & Partial<Omit<SignedZoneOptions, 'publish' | 'signers'>>): void;
  /** A further configuration for node-b (same files), edited. */
  config(name: string, edit?: (text: string) => string): string;
  check(config: string, args: string[], env?: Record<string, string>): Promise<CheckRun>;
  json(config: string, args: string[], env?: Record<string, string>): Promise<CliResult & { report: CheckJson }>;
  refreshKeys(): Promise<void>;
  close(): Promise<void>;
}

export async function checkEnv(opts: { responder?: boolean; activeConfig?: (text: string) => string } = {}): Promise<CheckEnv> {
  const pg = await createPostgresDatabase();
  const setup = exampleSetup({ url: pg.url });
  writeFileSync(setup.config, (opts.activeConfig ?? ((t) => t))(readFileSync(setup.config, 'utf8').replace('node: test-node', 'node: node-a')));
  // Marked (and migrated) first, so even the first run could be moved in time.
  await markDatabase({ url: pg.url });
  const run = await runCli(['--config', setup.config, 'run']);
  expect(run.code, run.stderr).toBe(0);

  let keys: ZoneKeyRow[] = [];
  const testKeys = new Map<number, TestKey>();
  const ks = await FileKeystore.open('SoftHSM', path.join(setup.dir, 'var', 'keys'), { create: false });
  const refreshKeys = async () => {
    const db = await openPostgres(pg.url);
    keys = await allZoneKeys(db).finally(() => db.close());
    for (const k of keys) {
      if (testKeys.has(k.id)) continue;
      const { algorithm, privateKey } = await ks.exportPrivate(k.locator);
      testKeys.set(k.id, { algorithm, flags: k.flags, privateKey, publicKey: k.publicKey, keyTag: k.keyTag });
    }
  };
  await refreshKeys();
  const responder = opts.responder ? await startResponder() : null;
  const zones = [...new Set(keys.map((k) => k.zone))].sort();

  const env: CheckEnv = {
    url: pg.url,
    dir: setup.dir,
    active: setup.config,
    standby: '',
    signconfDir: path.join(setup.dir, 'signconf'),
    zones,
    get keys() {
      return keys;
    },
    responder,
    serve(zone, { omitTag, addKeys = [], ...o } = {}) {
      const rows = keys.filter((k) => k.zone === zone);
      const publish = rows.filter((k) => visible(k.states.dnskey) && k.keyTag !== omitTag).map((k) => testKeys.get(k.id)!);
      const signers = rows.filter((k) => visible(k.states.rrsigdnskey)).map((k) => testKeys.get(k.id)!);
      responder!.setZone(signedZone(zone, { publish: [...publish, ...addKeys], signers, ...o }));
    },
    config(name, edit = (t) => t) {
      const file = path.join(setup.dir, name);
      const text = readFileSync(setup.config, 'utf8').replace('node: node-a', 'node: node-b');
      const probe = responder ? ['probe:', `  servers: ["127.0.0.1:${responder.server.port}"]`, '  timeoutMs: 1000', '  retries: 1', ''].join('\n') : '';
      writeFileSync(file, edit(text + probe));
      return file;
    },
    async check(config, args, extra = {}) {
      const r = await runCli(['--config', config, 'check', ...args], extra);
      return { ...r, line: r.stdout.split('\n')[0]! };
    },
    async json(config, args, extra = {}) {
      const r = await runCli(['--config', config, 'check', ...args, '--format', 'json'], extra);
      return { ...r, report: JSON.parse(r.stdout) as CheckJson };
    },
    refreshKeys,
    async close() {
      await responder?.close();
      await pg.drop();
    },
  };
  env.standby = env.config('standby.yaml');
  if (responder) for (const zone of zones) env.serve(zone);
  return env;
}

/** The perfdata of a status line as label → value (numbers; U as null). */
export function perfdataOf(line: string): Record<string, number | null> {
  const perf = line.split(' | ')[1] ?? '';
  const out: Record<string, number | null> = {};
  for (const m of perf.matchAll(/'([^']+)'=(U|-?[\d.]+)/g)) out[m[1]!] = m[2] === 'U' ? null : Number(m[2]);
  return out;
}
