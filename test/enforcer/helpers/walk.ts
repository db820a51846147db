// A small harness for real-store timeline tests: one zone on a real PostgreSQL database, a kasp.xml
// file the test edits as an operator would, runs of the whole enforcer (runEnforcer) at the times
// the store schedules, and an operator who answers every DS request at once.

import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfigFile, type Config } from '../../../src/config/config.js';
import { recordDsAnswer } from '../../../src/enforcer/operator-input.js';
import { runEnforcer, type RunSummary } from '../../../src/enforcer/run.js';
import { Keystores } from '../../../src/keys/keystores.js';
import { enterActive } from '../../../src/lease/single-active.js';
import type { Db } from '../../../src/store/db.js';
import { allZoneKeys, type ZoneKeyRow } from '../../../src/store/keys.js';
import { migrate } from '../../../src/store/migrate.js';
import { openPostgres } from '../../../src/store/pg-db.js';
import { getZone } from '../../../src/store/zones.js';
import { ManualClock } from '../../../src/util/clock.js';
import { silentLogger } from '../../../src/util/logger.js';
import { createPostgresDatabase } from '../../helpers/databases.js';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

export interface KaspTerms {
  /** ISO 8601 durations. */
  dnskeyTtl: string;
  zskLifetime: string;
  kskLifetime: string;
  maxZoneTtl: string;
  dsTtl: string;
  zskManual?: boolean;
}

/** One policy, "p", in OpenDNSSEC's kasp.xml shape; every delay and safety margin 1 h. */
export function kaspXml(t: KaspTerms): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<KASP>
  <Policy name="p">
    <Description>walk</Description>
    <Signatures>
      <Resign>PT2H</Resign><Refresh>P3D</Refresh>
      <Validity><Default>P14D</Default><Denial>P14D</Denial></Validity>
      <Jitter>PT12H</Jitter><InceptionOffset>PT3600S</InceptionOffset><MaxZoneTTL>${t.maxZoneTtl}</MaxZoneTTL>
    </Signatures>
    <Denial><NSEC/></Denial>
    <Keys>
      <TTL>${t.dnskeyTtl}</TTL><RetireSafety>PT1H</RetireSafety><PublishSafety>PT1H</PublishSafety><Purge>P14D</Purge>
      <KSK><Algorithm length="256">13</Algorithm><Lifetime>${t.kskLifetime}</Lifetime><Repository>SoftHSM</Repository></KSK>
      <ZSK><Algorithm length="256">13</Algorithm><Lifetime>${t.zskLifetime}</Lifetime><Repository>SoftHSM</Repository>${t.zskManual ? '<ManualRollover/>' : ''}</ZSK>
    </Keys>
    <Zone><PropagationDelay>PT1H</PropagationDelay><SOA><TTL>PT1H</TTL><Minimum>PT1H</Minimum><Serial>unixtime</Serial></SOA></Zone>
    <Parent><PropagationDelay>PT1H</PropagationDelay><DS><TTL>${t.dsTtl}</TTL></DS><SOA><TTL>PT1H</TTL><Minimum>PT1H</Minimum></SOA></Parent>
  </Policy>
</KASP>
`;
}

function zonelistXml(zones: readonly string[]): string {
  const entries = zones.map((z) => `<Zone name="${z}"><Policy>p</Policy>
<Adapters><Input><File>/var/lib/zones/${z}</File></Input><Output><File>/var/lib/zones/${z}.signed</File></Output></Adapters>
</Zone>`);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<ZoneList>${entries.join('\n')}</ZoneList>\n`;
}

export interface WalkOptions {
  /** Further lines of enforcer.yaml (top-level sections such as `signer:`), given the walk's directory. */
  config?: (dir: string) => string[];
  /** The zones of zonelist.xml; example.com, the zone the helpers look at, by default. */
  zones?: string[];
}

export class Walk {
  readonly clock: ManualClock;
  private constructor(
    readonly db: Db,
    readonly config: Config,
    readonly dir: string,
    private readonly dropDb: () => Promise<void>,
    start: number,
  ) {
    this.clock = new ManualClock(start);
  }

  static async start(terms: KaspTerms, start: number, o: WalkOptions = {}): Promise<Walk> {
    const pg = await createPostgresDatabase();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'enforcer-walk-'));
    writeFileSync(path.join(dir, 'kasp.xml'), kaspXml(terms));
    writeFileSync(path.join(dir, 'zonelist.xml'), zonelistXml(o.zones ?? ['example.com']));
    writeFileSync(
      path.join(dir, 'enforcer.yaml'),
      ['node: walk', 'database:', `  url: ${pg.url}`, 'policy:', '  kasp: kasp.xml', '  zonelist: zonelist.xml', 'signconf:', '  directory: signconf',
        'keystores:', '  SoftHSM:', '    type: file', '    directory: keys', ...(o.config?.(dir) ?? []), ''].join('\n'),
    );
    const db = await openPostgres(pg.url);
    await migrate(db);
    return new Walk(db, loadConfigFile(path.join(dir, 'enforcer.yaml')), dir, pg.drop, start);
  }

  async close(): Promise<void> {
    await this.db.close();
    await this.dropDb();
  }

  /** The operator edits kasp.xml (the next run imports it). */
  editPolicy(terms: KaspTerms): void {
    writeFileSync(path.join(this.dir, 'kasp.xml'), kaspXml(terms));
  }

  now(): number {
    return this.clock.now().getTime();
  }

  /** One run of the whole enforcer at the clock's time; DS requests are answered at once. */
  async run(): Promise<RunSummary> {
    const s = await this.runReportingErrors();
    if (s.errors.length > 0) throw new Error(`run failed: ${JSON.stringify(s.errors)}`);
    return s;
  }

  /** As run(), but zone errors (a failed publication, say) are returned, not thrown. */
  async runReportingErrors(): Promise<RunSummary> {
    const s = await runEnforcer({ db: this.db, config: this.config, keystores: new Keystores(this.config), clock: this.clock, log: silentLogger }, {});
    for (const r of s.dsRequests) await this.answer(r.type === 'ds-submit' ? 'ds-seen' : 'ds-gone', r.keyTag, r.zone);
    return s;
  }

  async answer(kind: 'ds-seen' | 'ds-gone', keyTag: number, zone = 'example.com'): Promise<void> {
    const entered = await enterActive({ db: this.db, config: this.config, log: silentLogger });
    if (entered.role !== 'active') throw new Error('expected to be active');
    try {
      await recordDsAnswer(this.db, entered.session.fence, zone, kind, { keyTag }, this.clock.now(), 'test');
    } finally {
      await entered.session.end();
    }
  }

  /** When the store says the zone is next due (now, when it is due already or not imported yet). */
  async nextRunAt(): Promise<number> {
    return (await getZone(this.db, 'example.com'))?.nextRunAt?.getTime() ?? this.now();
  }

  /** Run at every time the store schedules, up to and including `t`; the clock ends at `t`. */
  async runUntil(t: number, each?: () => Promise<void>): Promise<void> {
    for (let i = 0; i < 1000; i++) {
      const next = Math.max(await this.nextRunAt(), this.now());
      if (next > t) break;
      this.clock.set(next);
      await this.run();
      if (each) await each();
      if ((await this.nextRunAt()) <= this.now()) this.clock.set(this.now() + 1000);
    }
    this.clock.set(Math.max(t, this.now()));
  }

  keys(): Promise<ZoneKeyRow[]> {
    return allZoneKeys(this.db, 'example.com');
  }
}
