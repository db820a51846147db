import { describe, expect, it } from 'vitest';
import { expectNeverBogus, expectStates } from './helpers/driver.js';
import { kskRoll } from './helpers/ksk-roll.js';
import { basePolicy, keyPolicy, withKeys, DAY } from './helpers/policies.js';
import { BASE, MS_D, MS_H, settle, signedZone } from './helpers/zone.js';

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

  it('a second ZSK roll while the first is swapping signatures: the superseded key hands over at once', () => {
    const p = basePolicy({}, [keyPolicy('KSK', { lifetime: 1000 * DAY }), keyPolicy('ZSK', { lifetime: 60 * DAY })]);
    const d = signedZone(p);
    const first = d.keys('ZSK')[0]!.id;
    const S1 = d.keys('ZSK')[0]!.introducedAt + 60 * MS_D + BASE.publish;
    d.runUntil(S1);
    const second = d.keys('ZSK').find((k) => k.id !== first)!.id;
    expectStates(d.key(second), '- O - R');
    // The operator rolls again a day after the second ZSK started signing (say it leaked).
    const T = d.now + MS_D;
    d.request('ZSK', T);
    const third = d.keys('ZSK').find((k) => k.goal === 'omnipresent')!.id;
    expect(d.key(second).goal).toBe('hidden');
    d.next();
    // As soon as every cache knows the third key's DNSKEY, it signs and the second stops making
    // signatures (its RRSIG rumoured -> unretentive): no waiting for the interrupted roll to finish.
    expect(d.now).toBe(T + BASE.publish);
    expectStates(d.key(third), '- O - R');
    expectStates(d.key(second), '- O - U');
    expect(d.flagsAt(d.now).get(second)).toEqual({ publish: true, ksk: false, zsk: false });
    settle(d);
    // Signatures of either older key may be recycled until refresh: the third is everywhere, and the
    // second's signatures gone, one replacement period (+ TTL + propagation) after the hand-over.
    expect(d.when(third, 'rrsig', 'omnipresent')).toBe(T + BASE.publish + BASE.replace + BASE.sig);
    expect(d.when(second, 'rrsig', 'hidden')).toBe(T + BASE.publish + BASE.replace + BASE.sig);
    expect(d.when(first, 'rrsig', 'hidden')).toBe(S1 + BASE.replace + BASE.sig);
    expect(d.keys('ZSK').filter((k) => k.goal === 'omnipresent').map((k) => k.id)).toEqual([third]);
    expectStates(d.key(second), '- H - H');
    expectNeverBogus(d);
  });

  it('a superseded key that signs a new algorithm for the first time finishes before it hands over', () => {
    // Algorithm rollover 13 -> 8: the first key of algorithm 8 is superseded while it is still the
    // only (rumoured) signer of 8; caches may hold data without algorithm 8, so no hand-over yet.
    const p13 = basePolicy({}, [keyPolicy('KSK', { lifetime: 1000 * DAY }), keyPolicy('ZSK', { lifetime: 1000 * DAY })]);
    const d = signedZone(p13);
    const p8 = withKeys(p13, [keyPolicy('KSK', { lifetime: 1000 * DAY, algorithm: 8, length: 2048 }), keyPolicy('ZSK', { lifetime: 1000 * DAY, algorithm: 8, length: 2048 })]);
    d.setPolicy(p8, d.now + MS_D);
    const zsk8 = d.keys('ZSK').find((k) => k.algorithm === 8)!.id;
    expect(d.key(zsk8).states.rrsig).toBe('rumoured');
    d.request('ZSK', d.now + MS_H);
    const zsk8b = d.keys('ZSK').find((k) => k.algorithm === 8 && k.goal === 'omnipresent')!.id;
    expect(d.key(zsk8).states.rrsig).toBe('rumoured');
    expect(d.key(zsk8b).states.rrsig).toBe('hidden');
    settle(d);
    expect(d.when(zsk8b, 'rrsig', 'rumoured')).toBeGreaterThanOrEqual(d.when(zsk8, 'rrsig', 'omnipresent'));
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
