// The whole enforcer (core + database + keystore + signconf files) walked through seven months of
// an advancing clock on a real PostgreSQL: the example's KSK+ZSK zone is introduced, its DS is
// requested and confirmed by the operator, and its ZSK rolls by pre-publication. At every run the
// signconf file on disk must carry the flags the record states call for.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile, type Config } from '../../src/config/config.js';
import { recordDsAnswer } from '../../src/enforcer/operator-input.js';
import { runEnforcer, type RunSummary } from '../../src/enforcer/run.js';
import { enterActive } from '../../src/lease/single-active.js';
import { Keystores } from '../../src/keys/keystores.js';
import { allZoneKeys } from '../../src/store/keys.js';
import { getZone } from '../../src/store/zones.js';
import type { Db } from '../../src/store/db.js';
import { openPostgres } from '../../src/store/pg-db.js';
import { migrate } from '../../src/store/migrate.js';
import { ManualClock } from '../../src/util/clock.js';
import { silentLogger } from '../../src/util/logger.js';
import { exampleSetup } from '../helpers/cli.js';
import { createPostgresDatabase } from '../helpers/databases.js';

const DAY = 86_400_000;

interface Flags {
  tag: number;
  flags: string;
}

describe('enforcer timeline on the example (real database and files)', () => {
  let db: Db;
  let drop: () => Promise<void>;
  let config: Config;
  let dir: string;
  const clock = new ManualClock(Date.parse('2027-01-01T00:00:00Z'));

  beforeAll(async () => {
    const pg = await createPostgresDatabase();
    drop = pg.drop;
    const setup = exampleSetup({ url: pg.url });
    dir = setup.dir;
    // The configured submit command receives the DNSKEY and DS records on stdin.
    config = { ...loadConfigFile(setup.config), ds: { submitCommand: `cat > "${setup.dir}/ds-$ENFORCER_KEYTAG.txt"`, retractCommand: null, timeoutSeconds: 10 } };
    db = await openPostgres(pg.url);
    await migrate(db);
  });
  afterAll(async () => {
    await db.close();
    await drop();
  });

  const run = (): Promise<RunSummary> =>
    runEnforcer({ db, config, keystores: new Keystores(config), clock, log: silentLogger }, { zones: ['example.com'] });

  /** Signconf key flags of example.com as written on disk, by key tag. */
  async function fileFlags(): Promise<Flags[]> {
    const xml = readFileSync(path.join(dir, 'signconf', 'example.com.xml'), 'utf8');
    const keys = await allZoneKeys(db, 'example.com');
    const tagOf = new Map(keys.map((k) => [k.locator, k.keyTag]));
    return [...xml.matchAll(/<Key>([\s\S]*?)<\/Key>/g)].map((m) => ({
      tag: tagOf.get(/<Locator>(\w+)<\/Locator>/.exec(m[1]!)![1]!)!,
      flags: ['KSK', 'ZSK', 'Publish'].filter((f) => m[1]!.includes(`<${f}/>`)).join(','),
    }));
  }

  async function dsSeen(keyTag: number): Promise<void> {
    const entered = await enterActive({ db, config, log: silentLogger });
    if (entered.role !== 'active') throw new Error('expected to be active');
    try {
      await recordDsAnswer(db, entered.session.fence, 'example.com', 'ds-seen', { keyTag }, clock.now(), 'test');
    } finally {
      await entered.session.end();
    }
  }

  it('introduces the keys, asks for the DS, and rolls the ZSK by pre-publication', async () => {
    const first = await run();
    expect(first).toMatchObject({ outcome: 'ok', signconfWritten: 1, dsRequests: [] });
    const keys0 = await allZoneKeys(db, 'example.com');
    const ksk = keys0.find((k) => k.role === 'KSK')!;
    const zsk1 = keys0.find((k) => k.role === 'ZSK')!;
    // New zone: both keys published and signing at once; no DS yet.
    expect(await fileFlags()).toEqual([
      { tag: ksk.keyTag, flags: 'KSK,Publish' },
      { tag: zsk1.keyTag, flags: 'ZSK,Publish' },
    ]);

    // Walk the clock from one scheduled run to the next; answer DS requests a day late.
    const seen: string[] = [];
    let dsAskedAt: number | null = null;
    let newZskPublishedAt: number | null = null;
    let oldZskGoneAt: number | null = null;
    for (let i = 0; i < 400 && clock.now().getTime() < Date.parse('2027-08-01T00:00:00Z'); i++) {
      const s = await run();
      expect(s.errors).toEqual([]);
      for (const r of s.dsRequests) {
        seen.push(`${r.type} ${r.keyTag}`);
        dsAskedAt = clock.now().getTime();
        const sent = readFileSync(path.join(dir, `ds-${r.keyTag}.txt`), 'utf8').split('\n');
        expect(sent[0]).toMatch(new RegExp(`^example\\.com\\. 3600 IN DNSKEY 257 3 13 `));
        expect(sent[1]).toMatch(new RegExp(`^example\\.com\\. 3600 IN DS ${r.keyTag} 13 2 [0-9A-F]{64}$`));
        // The command succeeded: the workflow says submitted, and still waits for ds-seen.
        expect((await allZoneKeys(db, 'example.com')).find((k) => k.keyTag === r.keyTag)).toMatchObject({ dsAtParent: 'submitted', states: { ds: 'rumoured' } });
      }
      if (dsAskedAt !== null && clock.now().getTime() >= dsAskedAt + DAY && !seen.includes(`ds-seen ${ksk.keyTag}`)) {
        await dsSeen(ksk.keyTag);
        seen.push(`ds-seen ${ksk.keyTag}`);
        continue; // the answer makes the zone due now
      }
      const flags = await fileFlags();
      const zsks = (await allZoneKeys(db, 'example.com')).filter((k) => k.role === 'ZSK');
      const zsk2 = zsks.find((k) => k.id !== zsk1.id);
      if (zsk2 && newZskPublishedAt === null && flags.some((f) => f.tag === zsk2.keyTag)) {
        newZskPublishedAt = clock.now().getTime();
        // Pre-publication: the new ZSK is published but does not sign yet; the old one still signs.
        expect(flags).toEqual([
          { tag: ksk.keyTag, flags: 'KSK,Publish' },
          { tag: zsk1.keyTag, flags: 'ZSK,Publish' },
          { tag: zsk2.keyTag, flags: 'Publish' },
        ]);
      }
      if (zsk2 && oldZskGoneAt === null && !flags.some((f) => f.tag === zsk1.keyTag)) {
        oldZskGoneAt = clock.now().getTime();
        expect(flags).toEqual([
          { tag: ksk.keyTag, flags: 'KSK,Publish' },
          { tag: zsk2.keyTag, flags: 'ZSK,Publish' },
        ]);
      }
      // null = due now (an answer or a command result just came in).
      const next = (await getZone(db, 'example.com'))!.nextRunAt?.getTime() ?? clock.now().getTime();
      clock.set(Math.max(next, clock.now().getTime() + 1000));
    }
    // The DS was asked for once, for the KSK, and confirmed.
    expect(seen.slice(0, 2)).toEqual([`ds-submit ${ksk.keyTag}`, `ds-seen ${ksk.keyTag}`]);
    const final = await allZoneKeys(db, 'example.com');
    expect(final.find((k) => k.id === ksk.id)).toMatchObject({ dsAtParent: 'seen', states: { ds: 'omnipresent', dnskey: 'omnipresent' } });
    // The ZSK rolled once its 90-day lifetime was up, and the old one left the signconf.
    const start = Date.parse('2027-01-01T00:00:00Z');
    expect(newZskPublishedAt).not.toBeNull();
    expect(newZskPublishedAt! - start).toBeGreaterThanOrEqual(89 * DAY);
    expect(newZskPublishedAt! - start).toBeLessThanOrEqual(91 * DAY);
    expect(oldZskGoneAt).not.toBeNull();
    expect(oldZskGoneAt!).toBeGreaterThan(newZskPublishedAt!);
  }, 240_000); // dozens of CLI runs: generous, so a slow machine is not a failure
});
