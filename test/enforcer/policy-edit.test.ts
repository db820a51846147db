// Policy edits made by an operator in kasp.xml, through the whole enforcer and a real PostgreSQL
// database at every step (load, core, save): the core must compare a new TTL with the one really
// published (zone.published_ttls), and a changed policy must be enforced at the next run, not when
// each zone is next due.

import { afterEach, describe, expect, it } from 'vitest';
import { getZone, getZoneRollover } from '../../src/store/zones.js';
import { DAY, HOUR, Walk, type KaspTerms } from './helpers/walk.js';

const T0 = Date.parse('2027-01-01T00:00:00Z');
const BASE: KaspTerms = { dnskeyTtl: 'P1D', zskLifetime: 'P30D', kskLifetime: 'P90D', maxZoneTtl: 'PT1H', dsTtl: 'PT1H' };

describe('policy edits through the real store', () => {
  let walk: Walk | null = null;
  afterEach(async () => {
    await walk?.close();
    walk = null;
  });

  it('a DNSKEY TTL lowered just before a ZSK roll keeps counting at its old value (no bogus window)', async () => {
    walk = await Walk.start(BASE, T0);
    await walk.runUntil(T0 + 30 * DAY - 2 * HOUR);
    // The first step recorded the TTLs it published.
    expect((await getZoneRollover(walk.db, 'example.com'))!.publishedTtls).toMatchObject({ dnskey: { ttl: 86_400, cachedUntil: 0 } });
    const zsk1 = (await walk.keys()).find((k) => k.role === 'ZSK')!;

    // One hour before the new ZSK is published, the operator lowers the DNSKEY TTL to 5 minutes.
    const edit = T0 + 30 * DAY - HOUR;
    walk.clock.set(edit);
    walk.editPolicy({ ...BASE, dnskeyTtl: 'PT5M' });
    await walk.run();
    const ttls = (await getZoneRollover(walk.db, 'example.com'))!.publishedTtls!;
    // Resolvers that fetched the DNSKEY set before the edit hold it for the old TTL (plus propagation).
    expect(ttls.dnskey).toEqual({ ttl: 300, cachedUntil: edit + DAY + HOUR });

    // When the new ZSK starts signing, as the store has it after each run.
    let signsFrom: number | null = null;
    await walk.runUntil(T0 + 35 * DAY, async () => {
      const zsk2 = (await walk!.keys()).find((k) => k.role === 'ZSK' && k.id !== zsk1.id);
      if (zsk2 && signsFrom === null && zsk2.states.rrsig === 'rumoured') signsFrom = zsk2.changedAt.rrsig!.getTime();
    });
    const zsk2 = (await walk.keys()).find((k) => k.role === 'ZSK' && k.id !== zsk1.id)!;
    expect(zsk2.introducedAt.getTime()).toBe(T0 + 30 * DAY);
    if (signsFrom === null) throw new Error('the new ZSK never signed');
    // Every cache that may hold the DNSKEY set without the new ZSK has expired before it signs:
    // the set fetched just before the new ZSK appeared lives until edit + 1 d (+ propagation).
    expect(signsFrom).toBeGreaterThanOrEqual(edit + DAY + HOUR);
    // …and no later than that plus the publish safety margin.
    expect(signsFrom).toBeLessThanOrEqual(edit + DAY + 2 * HOUR);
  }, 120_000);

  it('a zone that never recorded its TTLs (a database from before they were kept) compares with the policy as it was', async () => {
    walk = await Walk.start(BASE, T0);
    await walk.runUntil(T0 + 10 * DAY);
    await walk.db.transaction(async (tx) => {
      await tx.query(`SELECT set_config('enforcer.epoch', (SELECT epoch::text FROM lease WHERE id = 1), true)`);
      await tx.query('UPDATE zone SET published_ttls = NULL');
    });
    const edit = walk.now();
    walk.editPolicy({ ...BASE, dnskeyTtl: 'PT5M', dsTtl: 'PT5M', maxZoneTtl: 'PT5M' });
    await walk.run();
    const ttls = (await getZoneRollover(walk.db, 'example.com'))!.publishedTtls!;
    expect(ttls).toEqual({
      dnskey: { ttl: 300, cachedUntil: edit + DAY + HOUR },
      // DS: TTL 1 h + registration delay 0 + parent propagation 1 h.
      ds: { ttl: 300, cachedUntil: edit + 2 * HOUR },
      // Zone data: max(MaxZoneTTL, negative TTL 1 h) stays 1 h, so nothing to wait out.
      rrsig: { ttl: 3600, cachedUntil: 0 },
    });
  }, 120_000);

  it('a kasp.xml change makes every zone of the policy due at the next run', async () => {
    walk = await Walk.start(BASE, T0);
    await walk.runUntil(T0 + 10 * DAY);
    const due = (await getZone(walk.db, 'example.com'))!.nextRunAt!.getTime();
    expect(due).toBeGreaterThan(walk.now());
    walk.editPolicy({ ...BASE, zskLifetime: 'P5D' });
    await walk.run();
    // The new lifetime is over already: the ZSK roll starts at this run, not when the zone was next due.
    const zsks = (await walk.keys()).filter((k) => k.role === 'ZSK');
    expect(zsks).toHaveLength(2);
    expect(zsks[1]!.introducedAt.getTime()).toBe(walk.now());
  }, 120_000);
});
