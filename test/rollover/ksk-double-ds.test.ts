import { describe, expect, it } from 'vitest';
import { expectFlags, expectNeverBogus, expectStates } from './helpers/driver.js';
import { kskRoll } from './helpers/ksk-roll.js';
import { BASE, MS_H } from './helpers/zone.js';

describe('KSK double-DS rollover (KskDoubleDS)', () => {
  it('new DS first; DNSKEY swap once both DS are everywhere; old DS retracted once the new DNSKEY is', () => {
    const { d, old, neu, T } = kskRoll('KskDoubleDS');
    expectStates(d.key(neu), 'R H H -');
    expect(d.dsEvents(neu)).toEqual([{ at: T, keyId: neu, type: 'ds-submit' }]);
    expect(d.waitsFor(neu).find((w) => w.record === 'dnskey')!.message).toContain("KskDoubleDS: the DNSKEY is published once the key's DS is omnipresent");
    expect(d.waitsFor(neu).find((w) => w.record === 'ds')!.kind).toBe('ds-seen');
    expect(d.last.nextRunAt).toBe(T + 100 * 86_400_000); // only the next lifetime: nothing moves without ds-seen

    d.seen(neu, T + 5 * MS_H);
    d.next();
    // ds-seen + DS TTL + registration delay + parent propagation: both DS everywhere, swap the DNSKEYs.
    expect(d.now).toBe(T + 5 * MS_H + BASE.ds);
    expectStates(d.key(neu), 'O R R -');
    expectStates(d.key(old), 'O U U -');
    expectFlags(d.flagsAt(d.now), neu, 'PK');
    expectFlags(d.flagsAt(d.now), old, null);

    d.next();
    const swap = T + 5 * MS_H + BASE.ds;
    expect(d.now).toBe(swap + BASE.publish);
    expectStates(d.key(neu), 'O O O -');
    // The old DNSKEY's own timer ran out an hour earlier, but a cache might still have the DNSKEY set from
    // before the swap until the new DNSKEY is omnipresent (rule 2), so it becomes hidden only now.
    expectStates(d.key(old), 'U H H -');
    expect(d.dsEvents(old).filter((e) => e.at >= T)).toEqual([{ at: swap + BASE.publish, keyId: old, type: 'ds-retract' }]);

    d.gone(old, swap + BASE.publish + 4 * MS_H);
    d.next();
    expect(d.now).toBe(swap + BASE.publish + 4 * MS_H + BASE.ds);
    expectStates(d.key(old), 'H H H -');
    expect(d.nameSequence(neu)).toEqual(['generate', 'publish', 'active']);
    expect(d.nameSequence(old).slice(-3)).toEqual(['active', 'retire', 'dead']);
    expectNeverBogus(d);
  });
});
