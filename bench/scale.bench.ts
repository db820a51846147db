// `npm run bench`: the enforcer at scale, through the real CLI, on a real PostgreSQL server
// (default settings, fsync on; bench/postgres.mjs) and on the embedded database, reported
// separately. For each zone count (BENCH_ZONES, default "1000,10000") and database (BENCH_DB,
// default "postgres,embedded"), one line per figure with wall time, rate and peak RSS:
//   zonelist import; key generate (pre-generating the pool); first full run with the keys
//   pre-generated; a no-op run; a run with 10% of the zones rolling their ZSK; key list --json;
// plus, once per zone count up to 1,000 (BENCH_DRILL_ZONES), the first full run generating its
// own keys and `failover --drill` against a local authoritative responder serving every zone.
// Hosted by vitest only to reuse the test helpers (the DNS responder); it asserts nothing about time.

import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';
import { FileKeystore } from '../src/keys/file-keystore.js';
import { allZoneKeys } from '../src/store/keys.js';
import { openEmbedded } from '../src/store/pglite-db.js';
import { openPostgres } from '../src/store/pg-db.js';
import type { Db } from '../src/store/db.js';
import { signedZone, startResponder, type TestKey } from '../test/helpers/dns-responder.js';
import { timeCli, type Measured } from './cli-timer.js';
// @ts-expect-error plain JavaScript helper shared with bench/keygen.mjs
import { startPostgres } from './postgres.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const counts = (process.env.BENCH_ZONES ?? '1000,10000').split(',').map(Number);
const databases = (process.env.BENCH_DB ?? 'postgres,embedded').split(',') as Array<'postgres' | 'embedded'>;
const drillZones = Number(process.env.BENCH_DRILL_ZONES ?? 1000);

function line(what: string, m: Measured, items?: { count: number; unit: string }): void {
  const rate = items ? `, ${(items.count / m.seconds).toFixed(0)} ${items.unit}/s` : '';
  process.stdout.write(`${what.padEnd(58)} ${m.seconds.toFixed(2).padStart(8)} s${rate}, peak RSS ${m.rssMiB.toFixed(0)} MiB\n`);
}

function zonelist(n: number): string {
  const zones = Array.from({ length: n }, (_, i) => `  <Zone name="z${String(i).padStart(6, '0')}.bench.example"><Policy>default</Policy></Zone>`);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<ZoneList>\n${zones.join('\n')}\n</ZoneList>\n`;
}

interface Setup {
  dir: string;
  config: string;
  open: () => Promise<Db>;
  stop: () => Promise<void>;
}

async function setup(kind: 'postgres' | 'embedded', n: number, probePort?: number): Promise<Setup> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'enforcer-bench-'));
  copyFileSync(path.join(ROOT, 'examples', 'kasp.xml'), path.join(dir, 'kasp.xml'));
  writeFileSync(path.join(dir, 'zonelist.xml'), zonelist(n));
  let database: string;
  let open: () => Promise<Db>;
  let stop: () => Promise<void> = async () => undefined;
  if (kind === 'postgres') {
    const pg = (await startPostgres()) as { url: string; stop: () => Promise<void> };
    database = `database: { url: "${pg.url}" }`;
    open = () => openPostgres(pg.url);
    stop = pg.stop;
  } else {
    database = 'database: { dataDirectory: db }';
    open = () => openEmbedded(path.join(dir, 'db'));
  }
  const config = path.join(dir, 'enforcer.yaml');
  const probe = probePort ? `probe: { servers: ["127.0.0.1:${probePort}"], timeoutMs: 2000, retries: 2 }\n` : '';
  writeFileSync(
    config,
    `node: bench\n${database}\npolicy: { kasp: kasp.xml, zonelist: zonelist.xml }\nsignconf: { directory: signconf }\n` +
      `keystores: { SoftHSM: { type: file, directory: keys } }\nlog: { level: warn }\n${probe}`,
  );
  return { dir, config, open, stop };
}

/** Ask for a ZSK roll on every tenth zone, as `key rollover` would, and make those zones due. */
async function requestRolls(s: Setup): Promise<number> {
  const db = await s.open();
  try {
    const rolled = await db.transaction(async (tx) => {
      await tx.query(`SELECT set_config('enforcer.epoch', (SELECT epoch::text FROM lease WHERE id = 1), true)`);
      const rows = await tx.query(
        `UPDATE zone SET roll_requested = '{"ZSK": true}'::jsonb, next_run_at = NULL
          WHERE right(split_part(name, '.', 1), 1) = '0' RETURNING name`,
      );
      return rows.length;
    });
    return rolled;
  } finally {
    await db.close();
  }
}

async function machine(): Promise<string> {
  return `${os.cpus().length} cores (${os.cpus()[0]?.model.trim()}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
}

describe('enforcer at scale', () => {
  it('prints the figures', async () => {
    process.stdout.write(`\nmachine: ${await machine()}\n`);
    for (const kind of databases) {
      for (const n of counts) {
        process.stdout.write(`\n${kind}, ${n} zones (ECDSA P-256 KSK + ZSK each)\n`);
        const s = await setup(kind, n);
        try {
          await timeCli(['--config', s.config, 'policy', 'import']);
          line('zonelist import', await timeCli(['--config', s.config, 'zonelist', 'import']), { count: n, unit: 'zones' });
          line(`key generate --count ${n} (${2 * n} keys)`, await timeCli(['--config', s.config, 'key', 'generate', '--policy', 'default', '--count', String(n)]), { count: 2 * n, unit: 'keys' });
          line('first full run (keys pre-generated)', await timeCli(['--config', s.config, 'run']), { count: n, unit: 'zones' });
          line('no-op run (nothing due)', await timeCli(['--config', s.config, 'run']));
          const rolling = await requestRolls(s);
          line(`run with ${rolling} zones (${Math.round((100 * rolling) / n)}%) rolling their ZSK`, await timeCli(['--config', s.config, 'run']), { count: rolling, unit: 'zones' });
          line('key list --json', await timeCli(['--config', s.config, '--json', 'key', 'list']), { count: n, unit: 'zones' });
        } finally {
          await s.stop();
        }
      }
    }
    if (drillZones > 0) await drill(drillZones, databases[0] ?? 'postgres');
  });
});

/** The first run making its own keys, then a failover drill against a responder serving every zone. */
async function drill(n: number, kind: 'postgres' | 'embedded'): Promise<void> {
  process.stdout.write(`\n${kind}, ${n} zones, keys generated by the run, then failover --drill\n`);
  const responder = await startResponder();
  const s = await setup(kind, n, responder.server.port);
  try {
    line('first full run (generating 2 keys per zone)', await timeCli(['--config', s.config, 'run']), { count: n, unit: 'zones' });
    const db = await s.open();
    const keys = await allZoneKeys(db).finally(() => db.close());
    const ks = await FileKeystore.open('SoftHSM', path.join(s.dir, 'keys'), { create: false });
    const byZone = new Map<string, TestKey[]>();
    for (const k of keys) {
      const { algorithm, privateKey } = await ks.exportPrivate(k.locator);
      byZone.set(k.zone, [...(byZone.get(k.zone) ?? []), { algorithm, flags: k.flags, privateKey, publicKey: k.publicKey, keyTag: k.keyTag }]);
    }
    for (const [zone, zoneKeys] of byZone) responder.setZone(signedZone(zone, { publish: zoneKeys, signers: zoneKeys.filter((k) => k.flags === 257) }));
    const m = await timeCli(['--config', s.config, '--json', 'failover', '--drill']);
    const report = JSON.parse(m.stdout) as { verdict: string; zones: unknown[] };
    if (report.verdict !== 'GO') throw new Error(`drill said ${report.verdict}: ${m.stdout.slice(0, 2000)}`);
    line(`failover --drill (${report.zones.length} zones, 1 server, GO)`, m, { count: n, unit: 'zones' });
  } finally {
    await responder.close();
    await s.stop();
  }
}
