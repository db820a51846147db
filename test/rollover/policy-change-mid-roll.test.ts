import { describe, expect, it } from 'vitest';
import { expectNeverBogus, expectStates } from './helpers/driver.js';
import { kskRoll } from './helpers/ksk-roll.js';
import { basePolicy, keyPolicy, withKeys, DAY } from './helpers/policies.js';
import { BASE, MS_D, settle, signedZone } from './helpers/zone.js';

describe('policy change in the middle of a roll', () => {
  it('algorithm change while a ZSK roll is swapping signatures: every algorithm-13 key retires, safely', () => {
    const p = basePolicy({}, [keyPolicy('KSK', { lifetime: 1000 * DAY }), keyPolicy('ZSK', { lifetime: 60 * DAY })]);
    const d = signedZone(p);
    d.runUntil(d.keys('ZSK')[0]!.introducedAt + 60 * MS_D + BASE.publish);
    const zsks = d.keys('ZSK');
    expect(zsks.map((k) => k.states.rrsig).sort()).toEqual(['rumoured', 'unretentive']);

    const rsa = { algorithm: 8 as const, length: 2048, lifetime: 1000 * DAY };
    d.setPolicy(withKeys(p, [keyPolicy('KSK', rsa), keyPolicy('ZSK', rsa)]), d.now + 2 * MS_D);
    expect(d.keys().filter((k) => k.algorithm === 13).every((k) => k.goal === 'hidden')).toBe(true);
    // Algorithm 13 still has its DS, so both ZSKs' signatures stay until the new algorithm has taken over.
    const interrupted = zsks.find((k) => k.states.rrsig === 'rumoured')!;
    expect(d.key(interrupted.id).states.rrsig).toBe('rumoured');

    settle(d);
    expect(d.keys().filter((k) => k.goal === 'omnipresent').map((k) => [k.role, k.algorithm])).toEqual([
      ['KSK', 8],
      ['ZSK', 8],
    ]);
    expect(d.now - zsks[0]!.introducedAt).toBeLessThan(150 * MS_D);
    expectNeverBogus(d);
  });

  it('a second ZSK roll while the first is swapping signatures: one takeover at a time', () => {
    const p = basePolicy({}, [keyPolicy('KSK', { lifetime: 1000 * DAY }), keyPolicy('ZSK', { lifetime: 60 * DAY })]);
    const d = signedZone(p);
    const first = d.keys('ZSK')[0]!.id;
    const S1 = d.keys('ZSK')[0]!.introducedAt + 60 * MS_D + BASE.publish;
    d.runUntil(S1);
    const second = d.keys('ZSK').find((k) => k.id !== first)!.id;
    const T = d.now + MS_D;
    d.request('ZSK', T);
    const third = d.keys('ZSK').find((k) => k.goal === 'omnipresent')!.id;
    d.next();
    expect(d.now).toBe(T + BASE.publish);
    expectStates(d.key(third), '- O - H');
    // ods-signer puts one signature per algorithm on an RRset: the interrupted takeover completes first.
    expect(d.waitsFor(third).find((w) => w.record === 'rrsig')!.message).toContain('is still taking over the signing for algorithm 13');
    d.runUntil(S1 + 40 * MS_D);
    const firstDone = S1 + BASE.replace + BASE.sig;
    expect(d.when(second, 'rrsig', 'omnipresent')).toBe(firstDone);
    expect(d.when(third, 'rrsig', 'rumoured')).toBe(firstDone);
    expect(d.when(second, 'rrsig', 'unretentive')).toBe(firstDone);
    expect(d.when(third, 'rrsig', 'omnipresent')).toBe(firstDone + BASE.replace + BASE.sig);
    expectNeverBogus(d);
  });

  it('roll type change during a KSK double-signature roll: the roll completes under the new type', () => {
    const { d, neu, old } = kskRoll('KskDoubleSignature');
    d.setPolicy(withKeys(d.policy, [keyPolicy('KSK', { rollType: 'KskDoubleDS', lifetime: 100 * DAY }), keyPolicy('ZSK', { lifetime: 1000 * DAY })]), d.now + 1000);
    settle(d);
    expect(d.key(neu).states).toEqual({ ds: 'omnipresent', dnskey: 'omnipresent', rrsigdnskey: 'omnipresent', rrsig: 'na' });
    expect(d.key(old).states.dnskey).toBe('hidden');
    expectNeverBogus(d);
  });

  it('KSK + ZSK replaced by a CSK mid-roll', () => {
    const { d } = kskRoll('KskDoubleRRset');
    d.setPolicy(withKeys(d.policy, [keyPolicy('CSK', { lifetime: 1000 * DAY })]), d.now + 1000);
    settle(d);
    expect(d.keys().filter((k) => k.goal === 'omnipresent').map((k) => k.role)).toEqual(['CSK']);
    expect(d.keys().filter((k) => k.goal === 'hidden').every((k) => k.states.dnskey === 'hidden')).toBe(true);
    expectNeverBogus(d);
  });
});
