// Two enforcer nodes as the fault suite runs them: node-a and node-b, real processes on one real
// PostgreSQL database, each with its own signconf directory and keystore (as on two machines;
// `syncKeys` is the operator's key sync), a DNS responder serving the zones as the database
// expects them (for failover's live-key step), the test-database mark (failpoints, clock
// offsets) and the lease-history trigger the invariant checker reads.

import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeFileSync } from 'node:fs';
import pg from 'pg';
import { FileKeystore } from '../../src/keys/file-keystore.js';
import { allZoneKeys } from '../../src/store/keys.js';
import { openPostgres } from '../../src/store/pg-db.js';
import { checkInvariants, type CheckResult } from '../faults/invariants.js';
import { execFile } from 'node:child_process';
import { BIN, ROOT, runCli, type CliResult } from './cli.js';
import { createPostgresDatabase } from './databases.js';
import { readSnapshot } from './fault-snapshot.js';
import { markDatabase } from './ha-setup.js';
import { installLeaseHistory } from './lease-history.js';
import type { PgServer } from './pg-server.js';
import { signedZone, startResponder, type DnsResponder, type TestKey } from './dns-responder.js';
import { startEnforcer, type Enforcer } from './processes.js';

export type Node = 'node-a' | 'node-b';
export const NODES: Node[] = ['node-a', 'node-b'];
export const other = (n: Node): Node => (n === 'node-a' ? 'node-b' : 'node-a');

export interface ClusterOptions {
  ttl?: number;
  renew?: number;
  /** A dedicated server (restart, stop); default the suite's shared one. */
  server?: PgServer;
  /** Skip the first runs (node-a active, node-b standby, keys synced). */
  bare?: boolean;
}

export interface NodeConfig {
  /** Database URL for this node (a proxy, a pooler); default the database's own. */
  url?: string;
  extra?: string[];
  kasp?: string;
  zonelist?: string;
}

export interface FailoverResult extends CliResult {
  report: { verdict: 'GO' | 'NO-GO'; exitCode: number; takeover: { epoch: number; from: string | null; forced: boolean } | null; steps: Array<{ step: number; status: string; problems: Array<{ reason: string }> }> };
}

const visible = (s: string) => s === 'rumoured' || s === 'omnipresent';

async function createDatabaseOn(server: PgServer): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `faults_${Math.random().toString(36).slice(2, 10)}`;
  const c = new pg.Client({ connectionString: server.url });
  await c.connect();
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  const u = new URL(server.url);
  u.pathname = `/${name}`;
  return { url: u.toString(), drop: async () => undefined };
}

export class FaultCluster {
  readonly configs: Record<Node, string> = { 'node-a': '', 'node-b': '' };
  private readonly testKeys = new Map<string, TestKey>();

  private constructor(
    readonly dir: string,
    readonly url: string,
    readonly responder: DnsResponder,
    readonly ttl: number,
    readonly renew: number,
    private readonly drop: () => Promise<void>,
  ) {}

  static async create(o: ClusterOptions = {}): Promise<FaultCluster> {
    const { url, drop } = o.server ? await createDatabaseOn(o.server) : await createPostgresDatabase();
    await markDatabase({ url });
    const db = await openPostgres(url);
    await installLeaseHistory(db).finally(() => db.close());
    const dir = mkdtempSync(path.join(os.tmpdir(), 'enforcer-faults-'));
    copyFileSync(path.join(ROOT, 'examples', 'kasp.xml'), path.join(dir, 'kasp.xml'));
    copyFileSync(path.join(ROOT, 'examples', 'zonelist.xml'), path.join(dir, 'zonelist.xml'));
    const c = new FaultCluster(dir, url, await startResponder(), o.ttl ?? 5, o.renew ?? 1, drop);
    for (const n of NODES) {
      mkdirSync(path.join(dir, n, 'keys'), { recursive: true, mode: 0o700 });
      mkdirSync(path.join(dir, n, 'signconf'), { mode: 0o755 });
      c.writeConfig(n);
    }
    if (!o.bare) {
      const a = await c.run('node-a');
      if (a.code !== 0) throw new Error(`first run of node-a failed: ${a.stderr}`);
      c.syncKeys();
      const b = await c.run('node-b');
      if (b.code !== 0) throw new Error(`first run of node-b failed: ${b.stderr}`);
      await c.serve();
    }
    return c;
  }

  signconfDir(n: Node): string {
    return path.join(this.dir, n, 'signconf');
  }

  keysDir(n: Node): string {
    return path.join(this.dir, n, 'keys');
  }

  writeConfig(n: Node, o: NodeConfig = {}): string {
    const file = path.join(this.dir, `${n}.yaml`);
    writeFileSync(
      file,
      [
        `node: ${n}`,
        `database: { url: "${o.url ?? this.url}" }`,
        `policy: { kasp: ${o.kasp ?? 'kasp.xml'}, zonelist: ${o.zonelist ?? 'zonelist.xml'} }`,
        `signconf: { directory: ${n}/signconf }`,
        `keystores: { SoftHSM: { type: file, directory: ${n}/keys } }`,
        'log: { level: info }',
        `lease: { ttl: ${this.ttl}, renewInterval: ${this.renew} }`,
        'probe:',
        `  servers: ["127.0.0.1:${this.responder.server.port}"]`,
        '  timeoutMs: 1000',
        '  retries: 1',
        ...(o.extra ?? []),
        '',
      ].join('\n'),
    );
    this.configs[n] = file;
    return file;
  }

  /** A CLI command on a node, waited for. */
  cli(n: Node, args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
    return runCli(['--config', this.configs[n], ...args], env);
  }

  /** A CLI command started through a wrapper (e.g. faketime -f +3d), waited for. */
  cliUnder(wrapper: string[], n: Node, args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
    return new Promise((resolve) => {
      execFile(
        wrapper[0]!,
        [...wrapper.slice(1), process.execPath, BIN, '--config', this.configs[n], ...args],
        { env: { ...process.env, ENFORCER_DATABASE_URL: undefined, ENFORCER_CONFIG: undefined, ...env }, timeout: 120_000 },
        (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
      );
    });
  }

  /** `run --json` on a node. */
  async run(n: Node, args: string[] = [], env: Record<string, string | undefined> = {}): Promise<CliResult & { summary: Record<string, unknown> | null }> {
    const r = await this.cli(n, ['--json', 'run', ...args], env);
    let summary: Record<string, unknown> | null = null;
    try {
      summary = JSON.parse(r.stdout) as Record<string, unknown>;
    } catch {
      summary = null;
    }
    return { ...r, summary };
  }

  async failover(n: Node, args: string[] = [], env: Record<string, string | undefined> = {}): Promise<FailoverResult> {
    this.syncKeys();
    const r = await this.cli(n, ['--json', 'failover', ...args], env);
    return { ...r, report: JSON.parse(r.stdout) as FailoverResult['report'] };
  }

  /** A CLI command on a node as a process under the test's control. */
  spawn(n: Node, args: string[], env: Record<string, string | undefined> = {}): Enforcer {
    return startEnforcer(['--config', this.configs[n], ...args], env);
  }

  /** The operator's key sync: every key file of either keystore in both (a copy keeps mode 0600). */
  syncKeys(): void {
    for (const from of NODES) {
      for (const f of readdirSync(this.keysDir(from))) {
        if (!/^[0-9a-f]{32}\.pem$/.test(f)) continue;
        const to = path.join(this.keysDir(other(from)), f);
        if (existsSync(to)) continue;
        copyFileSync(path.join(this.keysDir(from), f), to);
        chmodSync(to, 0o600);
      }
    }
  }

  /** Serve every zone as the database expects it now (optionally leaving one key tag out). */
  async serve(omitTag?: number): Promise<void> {
    const db = await openPostgres(this.url);
    const keys = await allZoneKeys(db).finally(() => db.close());
    const zones = [...new Set(keys.map((k) => k.zone))];
    for (const zone of zones) {
      const rows = keys.filter((k) => k.zone === zone);
      const key = async (k: (typeof rows)[number]) => {
        if (!this.testKeys.has(k.locator)) {
          const n = NODES.find((x) => existsSync(path.join(this.keysDir(x), `${k.locator}.pem`)))!;
          const ks = await FileKeystore.open('SoftHSM', this.keysDir(n), { create: false });
          const { algorithm, privateKey } = await ks.exportPrivate(k.locator);
          this.testKeys.set(k.locator, { algorithm, flags: k.flags, privateKey, publicKey: k.publicKey, keyTag: k.keyTag });
        }
        return this.testKeys.get(k.locator)!;
      };
      const publish = await Promise.all(rows.filter((k) => visible(k.states.dnskey) && k.keyTag !== omitTag).map(key));
      const signers = await Promise.all(rows.filter((k) => visible(k.states.rrsigdnskey)).map(key));
      this.responder.setZone(signedZone(zone, { publish, signers }));
    }
  }

  async sql<T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
    const db = await openPostgres(this.url);
    try {
      return await db.query<T>(text, params);
    } finally {
      await db.close();
    }
  }

  async lease(): Promise<{ epoch: number; active_node: string | null; holder_node: string | null; held: boolean }> {
    return (await this.sql<{ epoch: number; active_node: string | null; holder_node: string | null; held: boolean }>(
      'SELECT epoch, active_node, holder_node, coalesce(expires_at > now(), false) AS held FROM lease',
    ))[0]!;
  }

  /** Run every invariant over the database and both nodes' directories. */
  async check(): Promise<CheckResult> {
    const dirs = Object.fromEntries(NODES.map((n) => [n, { signconf: this.signconfDir(n), keys: this.keysDir(n) }]));
    return checkInvariants(await readSnapshot(this.url, dirs), { ttlSeconds: this.ttl });
  }

  async close(): Promise<void> {
    await this.responder.close();
    await this.drop();
  }
}
