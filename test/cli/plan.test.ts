// `plan` and `rollover list` through the real CLI on the real PostgreSQL server, on the bundled
// example after its first run: a year ahead shows a complete ZSK roll and the first KSK's DS steps,
// two years a complete KSK roll with the DS swap at the parent; `rollover list` shows what each
// key waits for. Neither command changes anything in the database or on disk. A DS request the
// operator has left unanswered is answered "now" in the plan, never in the past.

import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ZonePlan } from '../../src/enforcer/plan-view.js';
import type { ZoneRollovers } from '../../src/enforcer/rollover-view.js';
import { EXIT } from '../../src/util/exit-codes.js';
import { exampleSetup, runCli } from '../helpers/cli.js';
import { createPostgresDatabase } from '../helpers/databases.js';
import { snapshotDatabase, snapshotDirectory } from '../helpers/db-snapshot.js';
import { markDatabase } from '../helpers/ha-setup.js';

type Event = ZonePlan['events'][number];

/** What happened to one key, as "type" or "type state" (when its OpenDNSSEC state changed). */
const story = (p: ZonePlan, label: string) =>
  p.events.filter((e) => e.key?.label === label).map((e) => (e.state ? `${e.type} ${e.state.from}→${e.state.to}` : e.type));

const first = (p: ZonePlan, pred: (e: Event) => boolean) => p.events.findIndex(pred);

describe('plan and rollover list', () => {
  let drop: () => Promise<void>;
  let url: string;
  let dir: string;
  let config: string;
  let tags: { ksk: number; zsk: number };
  const cli = (...args: string[]) => runCli(['--config', config, ...args]);
  const json = async (...args: string[]) => {
    const r = await cli('--json', ...args);
    if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}${r.stdout}`);
    return JSON.parse(r.stdout);
  };
  const snapshot = async () => ({
    db: await snapshotDatabase(url),
    signconf: snapshotDirectory(path.join(dir, 'signconf')),
    keys: snapshotDirectory(path.join(dir, 'var', 'keys')),
  });
  let before: Awaited<ReturnType<typeof snapshot>>;

  beforeAll(async () => {
    const pg = await createPostgresDatabase();
    drop = pg.drop;
    url = pg.url;
    ({ dir, config } = exampleSetup({ url }));
    await json('run');
    const keys: Array<{ zone: string; role: string; keyTag: number }> = await json('key', 'list', '--zone', 'example.com');
    tags = { ksk: keys.find((k) => k.role === 'KSK')!.keyTag, zsk: keys.find((k) => k.role === 'ZSK')!.keyTag };
    before = await snapshot();
  });
  afterAll(async () => drop());

  it('a year ahead: a complete ZSK roll, and the DS of the first KSK submitted and seen', async () => {
    const [p]: ZonePlan[] = await json('plan', '--until', 'P1Y', '--zone', 'example.com');
    expect(p).toMatchObject({ zone: 'example.com', policy: 'default', dsDelaySeconds: 0, stopped: 'until' });
    const times = p!.events.map((e) => Date.parse(e.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));

    // The first ZSK becomes active, then is retired once the new one took over, and dies.
    expect(story(p!, `ZSK ${tags.zsk}`)).toEqual(
      expect.arrayContaining(['transition ready→active', 'set-goal active→retire', 'transition retire→dead', 'purge-key']),
    );
    // The new ZSK goes all the way: generated, published, ready, active.
    expect(story(p!, 'new ZSK #1').slice(0, 2)).toEqual(['create-key', 'transition generate→publish']);
    expect(story(p!, 'new ZSK #1')).toEqual(expect.arrayContaining(['transition publish→ready', 'transition ready→active']));
    expect(first(p!, (e) => e.key?.label === 'new ZSK #1' && e.state?.to === 'active')).toBeLessThan(
      first(p!, (e) => e.key?.label === `ZSK ${tags.zsk}` && e.state?.to === 'dead'),
    );

    // The first KSK: DS requested when its DNSKEY is known everywhere, seen at once, then active.
    const ksk = story(p!, `KSK ${tags.ksk}`);
    expect(ksk).toEqual(expect.arrayContaining(['ds-submit', 'ds-seen', 'transition ready→active']));
    expect(ksk.indexOf('ds-submit')).toBeLessThan(ksk.indexOf('ds-seen'));
    expect(ksk.indexOf('ds-seen')).toBeLessThan(ksk.indexOf('transition ready→active'));
    const submit = p!.events.find((e) => e.type === 'ds-submit')!;
    expect(submit.text).toBe(`ds-submit: put the DS for key ${tags.ksk} at the parent`);

    // Every change of flags reaches the signer in a signconf.
    const signconfs = p!.events.filter((e) => e.type === 'signconf');
    expect(signconfs.some((e) => e.signconf!.some((k) => k.key.label === 'new ZSK #1' && k.publish && !k.zsk))).toBe(true);
    expect(signconfs.some((e) => e.signconf!.some((k) => k.key.label === 'new ZSK #1' && k.zsk))).toBe(true);
  });

  it('two years ahead: a complete KSK roll with the DS swapped at the parent', async () => {
    const [p]: ZonePlan[] = await json('plan', '--until', 'P2Y', '--zone', 'example.com', '--ds-delay', 'P1D');
    expect(p!.dsDelaySeconds).toBe(86_400);
    const fresh = story(p!, 'new KSK #1');
    expect(fresh.slice(0, 2)).toEqual(['create-key', 'transition generate→publish']);
    expect(fresh).toEqual(expect.arrayContaining(['ds-submit', 'ds-seen', 'transition ready→active']));
    const old = story(p!, `KSK ${tags.ksk}`);
    expect(old).toEqual(expect.arrayContaining(['set-goal active→retire', 'ds-retract', 'ds-gone', 'transition retire→dead']));
    // The operator answers a day after each request.
    const at = (label: string, type: string) => Date.parse(p!.events.find((e) => e.key?.label === label && e.type === type)!.at);
    expect(at('new KSK #1', 'ds-seen') - at('new KSK #1', 'ds-submit')).toBe(86_400_000);
    expect(at(`KSK ${tags.ksk}`, 'ds-gone') - at(`KSK ${tags.ksk}`, 'ds-retract')).toBe(86_400_000);
    // Double signature: the DS is swapped in one step, once the new DNSKEY is known everywhere;
    // the old key dies only after the new one is active.
    expect(at(`KSK ${tags.ksk}`, 'ds-retract')).toBe(at('new KSK #1', 'ds-submit'));
    expect(first(p!, (e) => e.key?.label === 'new KSK #1' && e.state?.to === 'active')).toBeLessThan(
      first(p!, (e) => e.key?.label === `KSK ${tags.ksk}` && e.state?.to === 'dead'),
    );
    expect(p!.events.find((e) => e.key?.label === 'new KSK #1' && e.type === 'ds-submit')!.text).toBe('ds-submit: put the DS for new KSK #1 at the parent');
  });

  it('prints a readable timeline', async () => {
    const r = await cli('plan', '--until', 'P1Y', '--zone', 'example.com');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^example\.com \(policy default\): from \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ until .*; the operator answers DS requests at once$/);
    const line = /^ {2}\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ {2}\S.*$/;
    expect(lines.slice(1, -2).every((l) => line.test(l))).toBe(true);
    expect(r.stdout).toMatch(new RegExp(`KSK ${tags.ksk} +ds-submit: put the DS for key ${tags.ksk} at the parent\n`));
    expect(r.stdout).toMatch(new RegExp(`KSK ${tags.ksk} +operator: ds-seen`));
    expect(r.stdout).toMatch(/new ZSK #1 +DNSKEY rumoured → omnipresent \(publish → ready\)\n/);
    expect(r.stdout).toMatch(new RegExp(`ZSK ${tags.zsk} +DNSKEY unretentive → hidden \\(retire → dead\\)\n`));
    expect(r.stdout).toMatch(/zone +signconf: KSK \d+ Publish\+KSK, .*new ZSK #1 Publish\n/);
  });

  it('covers every zone, or the one --zone names', async () => {
    const all: ZonePlan[] = await json('plan', '--until', 'P1D');
    expect(all.map((p) => p.zone)).toEqual(['example.com', 'example.net', 'example.org']);
    const one: ZonePlan[] = await json('plan', '--until', new Date(Date.now() + 86_400_000).toISOString(), '--zone', 'Example.NET.');
    expect(one.map((p) => p.zone)).toEqual(['example.net']);
  });

  it('checks its arguments', async () => {
    expect((await cli('plan', '--until', 'tomorrow')).code).toBe(EXIT.USAGE);
    expect((await cli('plan', '--until', '2001-01-01')).code).toBe(EXIT.USAGE);
    expect((await cli('plan', '--until', 'P1Y', '--ds-delay', '2d')).code).toBe(EXIT.USAGE);
    expect((await cli('plan')).code).toBe(EXIT.USAGE);
    const r = await cli('--json', 'plan', '--until', 'P1Y', '--zone', 'nosuch.example');
    expect(r.code).toBe(EXIT.BAD_INPUT);
    expect(JSON.parse(r.stdout)).toMatchObject({ error: 'no such zone nosuch.example' });
  });

  it('rollover list: the keys on their way in and what each waits for, and the next rolls', async () => {
    const [z]: ZoneRollovers[] = await json('rollover', 'list', '--zone', 'example.com');
    expect(z!.keys.map((k) => `${k.key.label} ${k.state}`)).toEqual([`KSK ${tags.ksk} publish`, `ZSK ${tags.zsk} publish`]);
    const dnskey = z!.keys[1]!.waits.find((w) => w.record === 'dnskey')!;
    expect(dnskey).toMatchObject({ kind: 'time', from: 'rumoured', to: 'omnipresent' });
    expect(Date.parse(dnskey.until!)).toBeGreaterThan(Date.parse(dnskey.since!));
    expect(dnskey.message).toContain('waiting until');
    expect(z!.zoneWaits.map((w) => w.kind)).toEqual(['roll', 'roll']);
    expect(z!.zoneWaits.map((w) => w.message).join('\n')).toContain(`key ${tags.zsk} rolls at`);
    expect(z!.dueNow).toEqual([]);

    const all: ZoneRollovers[] = await json('rollover', 'list');
    expect(all.map((x) => x.zone)).toEqual(['example.com', 'example.net', 'example.org']);
    const text = await cli('rollover', 'list', '--zone', 'example.com');
    expect(text.stdout).toMatch(new RegExp(`^  ZSK ${tags.zsk} \\[publish\\] DNSKEY rumoured → omnipresent: waiting until `, 'm'));
    expect(text.stdout).toMatch(/^ {2}next roll: ZSK algorithm 13 .* rolls at /m);
  });

  it('changes nothing in the database or on disk', async () => {
    expect(await snapshot()).toEqual(before);
  });
});

describe('plan with a DS request already waiting', () => {
  let drop: () => Promise<void>;
  let config: string;
  // The test database honours ENFORCER_CLOCK_OFFSET: two days after the keys were made, the run
  // asks for the KSK's DS; a day later nobody has said ds-seen yet.
  const json = async (offset: string, ...args: string[]) => {
    const r = await runCli(['--config', config, '--json', ...args], { ENFORCER_CLOCK_OFFSET: offset });
    if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}${r.stdout}`);
    return JSON.parse(r.stdout);
  };

  beforeAll(async () => {
    const pg = await createPostgresDatabase();
    drop = pg.drop;
    ({ config } = exampleSetup({ url: pg.url }));
    await markDatabase({ url: pg.url });
    await json('0', 'run');
    await json('+48h', 'run');
  });
  afterAll(async () => drop());

  it('rollover list says since when ds-seen is awaited; plan answers it at once, not in the past', async () => {
    const [z]: ZoneRollovers[] = await json('+72h', 'rollover', 'list', '--zone', 'example.com');
    const ksk = z!.keys.find((k) => k.key.role === 'KSK')!;
    expect(ksk).toMatchObject({ state: 'ready', dsAtParent: 'submit' });
    const wait = ksk.waits.find((w) => w.kind === 'ds-seen')!;
    expect(wait.message).toContain(`KSK ${ksk.key.keyTag} (algorithm 13): waiting for ds-seen since ${wait.since}`);
    expect(Date.parse(z!.at) - Date.parse(wait.since!)).toBeGreaterThanOrEqual(24 * 3600 * 1000);

    const [p]: ZonePlan[] = await json('+72h', 'plan', '--zone', 'example.com', '--until', 'P1D');
    const seen = p!.events.find((e) => e.type === 'ds-seen')!;
    expect(seen.key!.label).toBe(`KSK ${ksk.key.keyTag}`);
    expect(seen.at).toBe(p!.from);
    const active = p!.events.find((e) => e.key?.label === `KSK ${ksk.key.keyTag}` && e.state?.to === 'active')!;
    expect(Date.parse(active.at)).toBeGreaterThan(Date.parse(p!.from));
  });
});
