import { describe, expect, it } from 'vitest';
import { expectFlags, expectNeverBogus, expectStates } from './helpers/driver.js';
import { kskRoll } from './helpers/ksk-roll.js';
import { BASE, MS_H } from './helpers/zone.js';

describe('KSK double-signature rollover (KskDoubleSignature, OpenDNSSEC default)', () => {
  it('new DNSKEY first (key set signed by both); one DS swap at the parent; old DNSKEY once only the new DS can be cached', () => {
    const { d, old, neu, T } = kskRoll('KskDoubleSignature');
    expectStates(d.key(neu), 'H R R -');
    expect(d.waitsFor(neu).find((w) => w.record === 'ds')!.message).toContain('KskDoubleSignature: the DS is submitted once the DNSKEY is omnipresent');

    d.next();
    expect(d.now).toBe(T + BASE.publish);
    expectStates(d.key(neu), 'R O O -');
    expectStates(d.key(old), 'U O O -');
    expect(d.ds.filter((e) => e.at >= T).map((e) => [e.keyId, e.type])).toEqual([
      [neu, 'ds-submit'],
      [old, 'ds-retract'],
    ]);
    expectFlags(d.flagsAt(d.now), old, 'PK');
    expectFlags(d.flagsAt(d.now), neu, 'PK');

    d.gone(old, T + 10 * MS_H);
    d.seen(neu, T + 12 * MS_H);
    d.next();
    // ds-gone + 12 h: the old DS is in no cache, so only the new one can be, and it leads to the new key.
    expect(d.now).toBe(T + 10 * MS_H + BASE.ds);
    expectStates(d.key(old), 'H U U -');
    expectFlags(d.flagsAt(d.now), old, null);
    d.next();
    expect(d.now).toBe(T + 12 * MS_H + BASE.ds);
    expectStates(d.key(neu), 'O O O -');
    d.next();
    expect(d.now).toBe(T + 10 * MS_H + BASE.ds + BASE.retire);
    expectStates(d.key(old), 'H H H -');
    expect(d.nameSequence(neu)).toEqual(['generate', 'publish', 'ready', 'active']);
    expectNeverBogus(d);
  });
});
