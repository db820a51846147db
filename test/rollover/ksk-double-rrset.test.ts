import { describe, expect, it } from 'vitest';
import { expectFlags, expectNeverBogus, expectStates } from './helpers/driver.js';
import { kskRoll } from './helpers/ksk-roll.js';
import { BASE, MS_H } from './helpers/zone.js';

describe('KSK double-RRset rollover (KskDoubleRRset)', () => {
  it('new DS and DNSKEY at once; old DS retracted when the new DNSKEY is everywhere; old DNSKEY when the new DS is', () => {
    const { d, old, neu, T } = kskRoll('KskDoubleRRset');
    expectStates(d.key(neu), 'R R R -');
    expect(d.dsEvents(neu)).toEqual([{ at: T, keyId: neu, type: 'ds-submit' }]);
    expectFlags(d.flagsAt(T), neu, 'PK');
    expectFlags(d.flagsAt(T), old, 'PK');

    d.seen(neu, T + 2 * MS_H);
    d.next();
    expect(d.now).toBe(T + BASE.publish);
    expectStates(d.key(neu), 'R O O -');
    // Either DS may now be alone in a cache and both lead to a trusted key: the parent may swap them.
    expectStates(d.key(old), 'U O O -');
    expect(d.dsEvents(old).filter((e) => e.at >= T)).toEqual([{ at: T + BASE.publish, keyId: old, type: 'ds-retract' }]);

    d.next();
    expect(d.now).toBe(T + 2 * MS_H + BASE.ds);
    expectStates(d.key(neu), 'O O O -');
    expectStates(d.key(old), 'U U U -');
    expectFlags(d.flagsAt(d.now), old, null);

    d.gone(old, T + 20 * MS_H);
    d.next();
    expect(d.now).toBe(T + 2 * MS_H + BASE.ds + BASE.retire);
    expectStates(d.key(old), 'U H H -');
    d.next();
    expect(d.now).toBe(T + 20 * MS_H + BASE.ds);
    expectStates(d.key(old), 'H H H -');
    expect(d.nameSequence(neu)).toEqual(['generate', 'publish', 'ready', 'active']);
    expectNeverBogus(d);
  });
});
