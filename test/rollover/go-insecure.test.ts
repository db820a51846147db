import { describe, expect, it } from 'vitest';
import { expectFlags, expectNeverBogus, expectStates } from './helpers/driver.js';
import { kskRoll } from './helpers/ksk-roll.js';
import { withKeys } from './helpers/policies.js';
import { BASE, MS_H, signedZone } from './helpers/zone.js';
import { basePolicy } from './helpers/policies.js';

describe('zone deleted mid-roll: going insecure', () => {
  it('retracts every DS first and keeps DNSKEYs and signatures until no cache can hold a DS', () => {
    const { d, old, neu, T } = kskRoll('KskDoubleSignature');
    d.next(); // T + 9 h: new DS submitted, old DS retraction requested
    const zsk = d.keys('ZSK')[0]!.id;
    const R = d.now + MS_H;
    d.retire(R);
    expect(d.state.keys.every((k) => k.goal === 'hidden')).toBe(true);
    expect(d.actions.filter((a) => a.at === R && a.action.type === 'create-key')).toEqual([]);
    // The DS still being submitted is withdrawn as well.
    expectStates(d.key(neu), 'U O O -');
    expect(d.dsEvents(neu).map((e) => e.type)).toEqual(['ds-submit', 'ds-retract']);
    // Nothing else moves: the DNSKEYs and signatures must outlive every cached DS.
    expectStates(d.key(old), 'U O O -');
    expectStates(d.key(zsk), '- O - O');
    expect(d.waitsFor(zsk).find((w) => w.record === 'dnskey')!.kind).toBe('rule');
    expect(d.last.nextRunAt).toBeNull();

    d.gone(old, R + 2 * MS_H);
    d.gone(neu, R + 5 * MS_H);
    d.next();
    expect(d.now).toBe(R + 2 * MS_H + BASE.ds);
    // Only the newer DS can still be cached, and it leads to the newer key: the old one may go.
    expectStates(d.key(old), 'H U U -');
    expectStates(d.key(neu), 'U O O -');
    expectFlags(d.flagsAt(d.now), zsk, 'PZ');
    d.next();
    const insecure = R + 5 * MS_H + BASE.ds;
    expect(d.now).toBe(insecure);
    // No DS anywhere: everything else goes at once.
    expectStates(d.key(neu), 'H U U -');
    expectStates(d.key(zsk), '- U - U');
    expect(d.flagsAt(insecure).size).toBe(0);
    d.next();
    expect(d.now).toBe(R + 2 * MS_H + BASE.ds + BASE.retire);
    expectStates(d.key(old), 'H H H -');
    d.next();
    expect(d.now).toBe(insecure + BASE.retire);
    // The ZSK left the signconf with its last flags: the signer drops its signatures at once, so they
    // are out of caches after zone data TTL + propagation, not after a replacement period. The core
    // counts from the last change of its records (its DNSKEY went hidden at insecure + retire), an
    // upper bound of the moment it left.
    d.next();
    expect(d.now).toBe(insecure + BASE.retire + BASE.sig);
    expect(d.state.keys.every((k) => Object.values(k.states).every((s) => s === 'hidden' || s === 'na'))).toBe(true);
    d.runUntil(insecure + BASE.retire + BASE.sig + BASE.purge);
    expect(d.state.keys).toEqual([]);
    expect(T).toBeLessThan(R);
    expectNeverBogus(d);
  });

  it('a policy without keys does the same', () => {
    const d = signedZone(basePolicy());
    d.setPolicy(withKeys(d.policy, []), d.now + MS_H);
    const ksk = d.keys('KSK')[0]!.id;
    expectStates(d.key(ksk), 'U O O -');
    expect(d.dsEvents(ksk).map((e) => e.type)).toEqual(['ds-submit', 'ds-seen', 'ds-retract']);
    expect(d.last.waits.find((w) => w.keyId === ksk)!.message).toMatch(/waiting for ds-gone since/);
  });
});
