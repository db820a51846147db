import { describe, expect, it } from 'vitest';
import { expectFlags, expectNeverBogus, expectStates } from './helpers/driver.js';
import { kskRoll } from './helpers/ksk-roll.js';
import { BASE, MS_H } from './helpers/zone.js';

describe('CSK rollover', () => {
  it('CskPrePublication: DNSKEY first; then DS swap and signature swap together; old DNSKEY once its signatures are gone', () => {
    const { d, old, neu, T } = kskRoll('CskPrePublication', 'CSK');
    expectStates(d.key(neu), 'H R R H');
    expectFlags(d.flagsAt(T), old, 'PKZ');
    expectFlags(d.flagsAt(T), neu, 'PK');

    d.next();
    const ready = T + BASE.publish;
    expect(d.now).toBe(ready);
    expectStates(d.key(neu), 'R O O R');
    expectStates(d.key(old), 'U O O U');
    expect(d.ds.filter((e) => e.at >= T).map((e) => [e.keyId, e.type])).toEqual([
      [neu, 'ds-submit'],
      [old, 'ds-retract'],
    ]);
    expectFlags(d.flagsAt(ready), old, 'PK');
    expectFlags(d.flagsAt(ready), neu, 'PKZ');

    d.seen(neu, T + 10 * MS_H);
    d.gone(old, T + 11 * MS_H);
    d.next();
    // New DS everywhere: the old key no longer needs to sign the DNSKEY set.
    expect(d.now).toBe(T + 10 * MS_H + BASE.ds);
    expectStates(d.key(neu), 'O O O R');
    expectStates(d.key(old), 'U O U U');
    expectFlags(d.flagsAt(d.now), old, 'P');
    d.next();
    expect(d.now).toBe(T + 11 * MS_H + BASE.ds);
    expectStates(d.key(old), 'H O U U');
    d.next();
    expect(d.now).toBe(T + 10 * MS_H + BASE.ds + BASE.retire);
    expectStates(d.key(old), 'H O H U');

    // The old CSK's DNSKEY stays while its zone signatures may still be cached.
    d.next();
    const swapped = ready + BASE.replace + BASE.sig;
    expect(d.now).toBe(swapped);
    expectStates(d.key(neu), 'O O O O');
    expectStates(d.key(old), 'H U H H');
    expectFlags(d.flagsAt(swapped), old, null);
    d.next();
    expect(d.now).toBe(swapped + BASE.retire);
    expectStates(d.key(old), 'H H H H');
    expect(d.nameSequence(neu)).toEqual(['generate', 'publish', 'ready', 'active']);
    expectNeverBogus(d);
  });

  it('CskDoubleRRset: DS, DNSKEY and key-set signature at once; zone signatures once the DNSKEY is everywhere', () => {
    const { d, old, neu, T } = kskRoll('CskDoubleRRset', 'CSK');
    expectStates(d.key(neu), 'R R R H');
    // Signing zone data before every cache knows the DNSKEY would break rule 3 (one signature per algorithm).
    expect(d.waitsFor(neu).find((w) => w.record === 'rrsig')!.message).toContain('rule 3');
    d.seen(neu, T + MS_H);
    d.next();
    expect(d.now).toBe(T + BASE.publish);
    expectStates(d.key(neu), 'R O O R');
    expectStates(d.key(old), 'U O O U');
    d.next();
    expect(d.now).toBe(T + MS_H + BASE.ds);
    expectStates(d.key(neu), 'O O O R');
    d.gone(old, d.now);
    d.runUntil(T + 20 * 24 * MS_H);
    expect(d.when(neu, 'rrsig', 'omnipresent')).toBe(T + BASE.publish + BASE.replace + BASE.sig);
    expectStates(d.key(old), 'H H H H');
    expectNeverBogus(d);
  });
});
