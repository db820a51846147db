// `enforcer key ds-check` through the real CLI: two nodes on the real PostgreSQL server, two real
// parent servers on 127.0.0.1. Exit codes, the table and --json, report-only mode against a database
// snapshot, --apply refused on the standby (or skipped with --if-active), and ds-seen recorded with
// the evidence once both parent servers serve the DS.

import { appendFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatServer } from '../../src/probe/servers.js';
import { readAudit } from '../../src/store/audit.js';
import { openPostgres } from '../../src/store/pg-db.js';
import { EXIT } from '../../src/util/exit-codes.js';
import { runCli } from '../helpers/cli.js';
import { createPostgresDatabase } from '../helpers/databases.js';
import { snapshotDatabase } from '../helpers/db-snapshot.js';
import { startResponder, type DnsResponder } from '../helpers/dns-responder.js';
import { markDatabase, nodesSetup } from '../helpers/ha-setup.js';
import { dsRecord, parentZone, type KeyLike } from '../helpers/parent-zone.js';

const ZONE = 'example.org';
// Two hours on: the example's lab policy (example.org, one CSK) has asked for its DS by then.
const LATER = { ENFORCER_CLOCK_OFFSET: '+2h' };

interface KeyRow {
  zone: string;
  keyTag: number;
  role: string;
  dsAtParent: string;
  algorithm: number;
}

describe('enforcer key ds-check', () => {
  let url: string;
  let drop: () => Promise<void>;
  let configs: Record<string, string>;
  let p1: DnsResponder;
  let p2: DnsResponder;
  let csk: KeyRow & KeyLike;
  const cli = (node: string, args: string[]) => runCli(['--config', configs[node]!, '--log-level', 'warn', ...args], LATER);
  const json = async (node: string, ...args: string[]) => {
    const r = await cli(node, ['--json', ...args]);
    return { ...r, out: JSON.parse(r.stdout) };
  };
  const keyList = async (): Promise<KeyRow[]> => (await json('node-a', 'key', 'list')).out;
  const s1 = () => formatServer(p1.server);
  const s2 = () => formatServer(p2.server);

  function parents(first: KeyLike[], second: KeyLike[]): void {
    p1.setZone(parentZone('org', { children: { [ZONE]: first.map((k) => dsRecord(ZONE, k)) } }));
    p2.setZone(parentZone('org', { children: { [ZONE]: second.map((k) => dsRecord(ZONE, k)) } }));
  }

  beforeAll(async () => {
    ({ url, drop } = await createPostgresDatabase());
    [p1, p2] = await Promise.all([startResponder(), startResponder()]);
    ({ configs } = nodesSetup({ url }, ['node-a', 'node-b']));
    for (const file of Object.values(configs)) {
      appendFileSync(file, ['dsCheck:', `  zones: { ${ZONE}: { servers: ["${s1()}", "${s2()}"] } }`, '  timeoutMs: 250', '  retries: 1', ''].join('\n'));
    }
    await markDatabase({ url });
    for (const offset of ['+0', '+2h']) {
      const r = await runCli(['--config', configs['node-a']!, 'run'], { ENFORCER_CLOCK_OFFSET: offset });
      expect(r.code, r.stderr).toBe(0);
    }
    const row = (await keyList()).find((k) => k.zone === ZONE)!;
    expect(row).toMatchObject({ role: 'CSK', dsAtParent: 'submit' });
    // The public key, as the parent's DS must be computed from it.
    const exported = (await json('node-a', 'key', 'export', '--zone', ZONE)).out as string[];
    const [, flags, , algorithm, key] = /IN DNSKEY (\d+) (\d+) (\d+) (\S+)/.exec(exported[0]!)!;
    csk = { ...row, flags: Number(flags), algorithm: Number(algorithm), publicKey: new Uint8Array(Buffer.from(key!, 'base64')) };
  });
  afterAll(async () => {
    await Promise.all([p1?.close(), p2?.close()]);
    await drop?.();
  });

  it('documents its exit codes and verdicts in --help', async () => {
    const r = await runCli(['key', 'ds-check', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Exit codes: 0 nothing waiting, or every waiting key confirmed/);
    expect(r.stdout).toMatch(/Verdicts: confirmed .*pending .*unknown/s);
  });

  it('exits 1 and records nothing while one parent server lacks the DS, naming the server', async () => {
    parents([csk], []);
    const r = await json('node-a', 'key', 'ds-check', '--apply');
    expect(r.code).toBe(1);
    expect(r.out.zones[0].keys).toEqual([
      expect.objectContaining({ keyTag: csk.keyTag, dsAtParent: 'submit', wants: 'ds-seen', verdict: 'pending', recorded: false, reason: `not served by ${s2()}` }),
    ]);
    expect((await keyList()).find((k) => k.zone === ZONE)).toMatchObject({ dsAtParent: 'submit' });

    const text = await cli('node-a', ['key', 'ds-check']);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(new RegExp(`^ZONE +KEY +ROLE +DS@PARENT +WANTS +VERDICT +RECORDED\\n${ZONE} +${csk.keyTag} +CSK +submit +ds-seen +pending +-\\n`));
    expect(text.stdout).toContain(`  ${s2()}: no DS (NOERROR from org., over udp)`);
    expect(text.stdout).toContain(`  key ${csk.keyTag}: pending: not served by ${s2()}`);
    // Merely waiting is no news for cron.
    expect((await cli('node-a', ['key', 'ds-check', '--quiet'])).stdout).toBe('');
  });

  it('changes nothing without --apply when both servers serve the DS, and exits 0', async () => {
    parents([csk], [csk]);
    const before = await snapshotDatabase(url);
    const r = await json('node-a', 'key', 'ds-check');
    expect(r.code).toBe(0);
    expect(r.out).toMatchObject({ apply: false, counts: { waiting: 1, confirmed: 1, recorded: 0 } });
    expect(await snapshotDatabase(url)).toEqual(before);
  });

  it('refuses --apply on the standby node (75), reports there, and skips quietly with --if-active', async () => {
    const refused = await json('node-b', 'key', 'ds-check', '--apply');
    expect(refused.code).toBe(EXIT.NOT_ACTIVE);
    expect(refused.out.error).toMatch(/this node \(node-b\) is standby; node-a is the active node/);
    expect((await json('node-b', 'key', 'ds-check')).code).toBe(0);
    const skipped = await cli('node-b', ['key', 'ds-check', '--apply', '--if-active', '--quiet']);
    expect(skipped).toMatchObject({ code: 0, stdout: '' });
    expect((await keyList()).find((k) => k.zone === ZONE)).toMatchObject({ dsAtParent: 'submit' });
  });

  it('records ds-seen with the evidence on the active node, then finds nothing waiting', async () => {
    const r = await cli('node-a', ['key', 'ds-check', '--apply']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`${ZONE} +${csk.keyTag} +CSK +submit +ds-seen +confirmed +yes`));
    expect(r.stdout).toContain(`  key ${csk.keyTag}: confirmed: every parent server (2) serves a DS for key ${csk.keyTag}; ds-seen recorded`);
    expect((await keyList()).find((k) => k.zone === ZONE)).toMatchObject({ dsAtParent: 'seen' });
    const db = await openPostgres(url);
    try {
      const seen = (await readAudit(db, ZONE)).filter((a) => a.event === 'ds-seen');
      expect(seen).toHaveLength(1);
      expect(seen[0]).toMatchObject({ node: 'node-a', actor: 'key ds-check', detail: { keyTag: csk.keyTag, from: 'submit', to: 'seen' } });
      expect(seen[0]!.detail.evidence).toMatchObject({ serverSource: 'zone', servers: [{ server: s1() }, { server: s2() }] });
    } finally {
      await db.close();
    }
    const after = await cli('node-a', ['key', 'ds-check', '--apply']);
    expect(after).toMatchObject({ code: 0, stdout: 'no key is waiting for the parent\n' });
  });

  it('refuses an unknown zone (3) and --if-active without --apply (2)', async () => {
    const r = await json('node-a', 'key', 'ds-check', '--zone', 'nowhere.example');
    expect(r.code).toBe(EXIT.BAD_INPUT);
    expect(r.out.error).toBe('no such zone nowhere.example');
    expect((await cli('node-a', ['key', 'ds-check', '--if-active'])).code).toBe(EXIT.USAGE);
  });
});
