// Scenario 19: the signer is not told. Both nodes tell the signer through signer.notifyCommand,
// which fails while the file `signer-down` exists beside the cluster. The nodes run ahead
// (ENFORCER_CLOCK_OFFSET) two hours at a time through the lab policy's daily ZSK roll of
// example.org:
//   1. the signer is down for 3 days from just before the roll: no record of any zone moves on
//      unless its signconf is published (a record moved to rumoured or unretentive waits as
//      unpublished, its change time untouched), `check signconf` is CRITICAL naming the zone,
//      and once the signer is back the roll resumes and completes;
//   2. the rename of example.org's signconf fails after the commit on several runs in a row (its
//      path is occupied by a directory): the same holds, and the failures are counted.
// The invariants I1-I5 hold after each.

import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FaultCluster, NODES } from '../../helpers/fault-cluster.js';
import { Scenario } from '../../helpers/fault-report.js';

const offset = (hours: number) => ({ ENFORCER_CLOCK_OFFSET: `+${hours}h` });
const ZONE = 'example.org';

interface KeyRow {
  id: number;
  zone: string;
  role: string;
  states: string;
  changed: string;
  unpublished: string[];
}

describe('scenario 19: the signer not told', () => {
  const clusters: FaultCluster[] = [];
  afterAll(async () => {
    for (const c of clusters) await c.close();
  });

  const setUp = async () => {
    const c = await FaultCluster.create();
    clusters.push(c);
    const down = path.join(c.dir, 'signer-down');
    for (const n of NODES) {
      c.writeConfig(n, { extra: ['signer:', `  notifyCommand: 'test ! -e "${down}" && echo "$ENFORCER_NODE {zone}" >> "${c.dir}/notified.log"'`, '  timeout: 10'] });
    }
    const keys = () =>
      c.sql<KeyRow>(
        `SELECT id::int, zone, role, concat_ws(' ', ds_state, dnskey_state, rrsigdnskey_state, rrsig_state) AS states,
                concat_ws(' ', dnskey_changed_at, rrsigdnskey_changed_at, rrsig_changed_at) AS changed, unpublished
           FROM zone_key ORDER BY id`,
      );
    return { c, down, keys };
  };

  /** Between two readings, only the zone's records waiting for their publication changed. */
  const onlyUnpublishedMoved = (before: KeyRow[], after: KeyRow[]) => {
    const old = new Map(before.map((k) => [k.id, k]));
    for (const k of after.filter((k) => k.zone === ZONE)) {
      const was = old.get(k.id);
      if (!was) {
        // A key introduced meanwhile: its DNSKEY may be decided, never published.
        expect(k.unpublished.length > 0 || /^(hidden|na) hidden hidden (hidden|na)$/.test(k.states), JSON.stringify(k)).toBe(true);
        continue;
      }
      if (was.states !== k.states || was.changed !== k.changed) expect(k.unpublished.length, `${JSON.stringify(was)} -> ${JSON.stringify(k)}`).toBeGreaterThan(0);
    }
  };

  it('a signer down for 3 days in the middle of a CSK roll holds the zone, is reported, and the roll completes afterwards', async () => {
    const s = new Scenario('19.1 the signer down for 3 days in the middle of a CSK roll');
    const { c, down, keys } = await setUp();
    const csks = async () => (await keys()).filter((k) => k.zone === ZONE && k.role === 'CSK');
    const [first] = await csks();
    // The operator answers the zone's DS requests at once, except while the signer is down (so
    // that nothing of the zone moves then but what waits for the signer).
    const asked: Array<{ type: string; keyTag: number }> = [];
    let hours = 0;
    const run = async (answer: boolean) => {
      const r = await c.run('node-a', [], offset(hours));
      expect(r.summary, r.stderr).toMatchObject({ role: 'active' });
      asked.push(...((r.summary?.dsRequests as Array<{ zone: string; type: string; keyTag: number }>) ?? []).filter((q) => q.zone === ZONE));
      while (answer && asked.length > 0) {
        const q = asked.shift()!;
        const a = await c.cli('node-a', ['key', q.type === 'ds-submit' ? 'ds-seen' : 'ds-gone', '--zone', ZONE, '--keytag', String(q.keyTag)], offset(hours));
        expect(a.code, a.stderr).toBe(0);
      }
      return r;
    };
    // Up to the moment the current CSK is about to be rolled (lifetime P1D).
    for (; hours < 22; hours += 2) expect((await run(true)).summary).toMatchObject({ outcome: 'ok' });
    writeFileSync(down, '');
    const held = await keys();
    let failures = 0;
    for (const end = hours + 72; hours < end; hours += 2) {
      const r = await run(false);
      failures += ((r.summary?.errors as unknown[]) ?? []).length;
      onlyUnpublishedMoved(held, await keys());
      s.add('runs with the signer down');
    }
    expect(failures).toBeGreaterThan(0);
    expect((await csks()).some((k) => k.id !== first!.id && k.unpublished.includes('dnskey')), JSON.stringify(await csks())).toBe(true);
    const check = await c.cli('node-a', ['check', 'signconf'], offset(hours));
    expect(check.code).toBe(2);
    expect(check.stdout).toMatch(new RegExp(`\\nCRITICAL ${ZONE.replace('.', '\\.')}: unpublished: \\S+ not published for [0-9]+ (h|d) .*failed attempts, last: the signer was not told`));
    s.add('check signconf CRITICAL');

    // The signer is back: the roll resumes and the first CSK leaves.
    rmSync(down);
    for (const end = hours + 72; hours < end; hours += 2) {
      expect((await run(true)).summary).toMatchObject({ outcome: 'ok' });
      s.add('runs after the signer came back');
    }
    const last = await csks();
    expect(last.find((k) => k.id === first!.id)?.states ?? 'purged', JSON.stringify(last)).toMatch(/^(purged|hidden hidden hidden hidden)$/);
    expect(last.every((k) => k.unpublished.length === 0)).toBe(true);
    const final = await c.cli('node-a', ['check', 'signconf'], offset(hours - 2));
    expect(final.code, final.stdout).toBe(0);
    s.set('hours walked', hours);
    await s.finish(c);
  });

  it('a rename that fails after the commit on several runs in a row: nothing ages, the failures are counted', async () => {
    const s = new Scenario('19.2 the signconf rename failing after the commit, run after run');
    const { c, keys } = await setUp();
    const [record] = await c.sql<{ path: string }>(`SELECT path FROM signconf_record WHERE zone = $1`, [ZONE]);
    let hours = 0;
    for (; hours < 22; hours += 2) expect((await c.run('node-a', [], offset(hours))).summary).toMatchObject({ outcome: 'ok' });
    rmSync(record!.path);
    mkdirSync(path.join(record!.path, 'occupied'), { recursive: true });
    const held = await keys();
    let failed = 0;
    for (const end = hours + 12; hours < end; hours += 2) {
      const r = await c.run('node-a', [], offset(hours));
      failed += ((r.summary?.errors as Array<{ zone: string }>) ?? []).filter((e) => e.zone === ZONE).length;
      onlyUnpublishedMoved(held, await keys());
      s.add('runs with the rename failing');
    }
    expect(failed).toBeGreaterThan(1);
    const [counted] = await c.sql<{ publish_failures: number; publish_error: string }>(
      `SELECT publish_failures, publish_error FROM signconf_record WHERE zone = $1`,
      [ZONE],
    );
    expect(counted!.publish_failures).toBe(failed);
    expect(counted!.publish_error).toMatch(/^the signconf was not put in place: .*(EISDIR|directory)/i);
    rmSync(record!.path, { recursive: true });
    for (const end = hours + 48; hours < end; hours += 2) expect((await c.run('node-a', [], offset(hours))).summary).toMatchObject({ outcome: 'ok' });
    expect((await keys()).every((k) => k.unpublished.length === 0)).toBe(true);
    await s.finish(c);
  });
});
