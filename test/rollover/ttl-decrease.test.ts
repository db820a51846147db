import { describe, expect, it } from 'vitest';
import { expectNeverBogus, expectStates } from './helpers/driver.js';
import { basePolicy, DAY, HOUR } from './helpers/policies.js';
import { BASE, MS_D, MS_H, signedZone } from './helpers/zone.js';

describe('TTL decrease', () => {
  it('a lowered DNSKEY TTL keeps the old value until what was published under it has expired', () => {
    const p = basePolicy({ keys: { ...basePolicy().keys, ttl: DAY } });
    const d = signedZone(p);
    const T = d.now + 30 * MS_D;
    d.setPolicy({ ...p, keys: { ...p.keys, ttl: HOUR } }, T);
    const changes = d.actions.filter((a) => a.at === T).map((a) => a.action);
    expect(changes).toContainEqual({ type: 'ttl-change', kind: 'dnskey', from: DAY, to: HOUR, cachedUntil: T + MS_D + 5 * MS_H, at: T });
    expect(changes).toContainEqual({ type: 'write-signconf', reasons: ['DNSKEY TTL changed'] });
    expect(d.state.ttls.dnskey).toEqual({ ttl: HOUR, cachedUntil: T + MS_D + 5 * MS_H });

    // A ZSK roll right after: the new DNSKEY is omnipresent only once the 1-day copies have expired.
    d.request('ZSK', T + MS_H);
    const neu = d.keys('ZSK').find((k) => k.goal === 'omnipresent')!.id;
    d.next();
    expect(d.now).toBe(T + MS_D + 5 * MS_H + 3 * MS_H);
    expectStates(d.key(neu), '- O - R');
    expect(d.now).toBeGreaterThan(T + MS_H + BASE.publish);

    // Once they have, the new TTL counts: the next roll is as quick as the 1-hour TTL allows.
    d.runUntil(T + 40 * MS_D);
    d.request('ZSK', T + 40 * MS_D);
    const third = d.keys('ZSK').find((k) => k.goal === 'omnipresent')!.id;
    d.next();
    expect(d.now).toBe(T + 40 * MS_D + BASE.publish);
    expectStates(d.key(third), '- O - R');
    expectNeverBogus(d);
  });

  it('a lowered parent DS TTL delays the next DS change the same way', () => {
    const p = basePolicy({ parent: { ...basePolicy().parent, dsTtl: DAY } });
    const d = signedZone(p);
    const T = d.now + 30 * MS_D;
    d.setPolicy({ ...p, parent: { ...p.parent, dsTtl: 2 * HOUR } }, T);
    // DS TTL 1 d + registration 4 h + parent propagation 6 h.
    expect(d.state.ttls.ds).toEqual({ ttl: 2 * HOUR, cachedUntil: T + MS_D + 10 * MS_H });
    d.request('KSK', T + MS_H);
    const neu = d.keys('KSK').find((k) => k.goal === 'omnipresent')!.id;
    d.next();
    expect(d.now).toBe(T + MS_H + BASE.publish);
    d.seen(neu, T + 11 * MS_H);
    d.next();
    expect(d.now).toBe(T + MS_D + 10 * MS_H);
    expectStates(d.key(neu), 'O O O -');
    expectNeverBogus(d);
  });
});
