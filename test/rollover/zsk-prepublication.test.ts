import { describe, expect, it } from 'vitest';
import type { KeyPolicy } from '../../src/policy/policy.js';
import { expectFlags, expectNeverBogus, expectStates } from './helpers/driver.js';
import { basePolicy, keyPolicy, DAY } from './helpers/policies.js';
import { BASE, MS_D, signedZone } from './helpers/zone.js';

function zskRoll(rollType: KeyPolicy['rollType']) {
  const d = signedZone(basePolicy({}, [keyPolicy('KSK'), keyPolicy('ZSK', { rollType, lifetime: 60 * DAY })]));
  const old = d.keys('ZSK')[0]!;
  const T = old.introducedAt + 60 * MS_D;
  d.runUntil(T - 1);
  expect(d.last.nextRunAt).toBe(T);
  d.next();
  const neu = d.keys('ZSK').find((k) => k.id !== old.id)!;
  return { d, old: old.id, neu: neu.id, T };
}

describe('ZSK pre-publication', () => {
  it('publishes the new DNSKEY, then swaps signatures, then withdraws the old DNSKEY — each at the earliest time', () => {
    const { d, old, neu, T } = zskRoll('ZskPrePublication');
    // T: the lifetime is over; new key published, old one retiring.
    expect(d.key(old).goal).toBe('hidden');
    expectStates(d.key(neu), '- R - H');
    expectFlags(d.flagsAt(T), old, 'PZ');
    expectFlags(d.flagsAt(T), neu, 'P');
    const sigWait = d.waitsFor(neu).find((w) => w.record === 'rrsig')!;
    expect(sigWait.kind).toBe('policy');
    expect(sigWait.message).toContain('ZskPrePublication');

    // T + DNSKEY TTL + propagation + publish safety: the signatures swap.
    d.next();
    expect(d.now).toBe(T + BASE.publish);
    expectStates(d.key(neu), '- O - R');
    expectStates(d.key(old), '- O - U');
    expectFlags(d.flagsAt(d.now), old, 'P');
    expectFlags(d.flagsAt(d.now), neu, 'PZ');
    // The new signatures replace the old ones only as these come up for refresh.
    expect(d.waitsFor(neu).find((w) => w.record === 'rrsig')!.message).toMatch(/waiting until 2025-0.* for replacement of key \d+'s signatures \+ zone data TTL \+ propagation delay/);

    // + signature replacement + zone data TTL + propagation: old signatures gone, old DNSKEY withdrawn.
    d.next();
    const swapped = T + BASE.publish + BASE.replace + BASE.sig;
    expect(d.now).toBe(swapped);
    expectStates(d.key(neu), '- O - O');
    expectStates(d.key(old), '- U - H');
    expectFlags(d.flagsAt(d.now), old, null);

    // + DNSKEY TTL + propagation + retire safety: dead; purged after <Purge>.
    d.next();
    expect(d.now).toBe(swapped + BASE.retire);
    expectStates(d.key(old), '- H - H');
    d.next();
    expect(d.now).toBe(swapped + BASE.retire + BASE.purge);
    expect(d.state.keys.some((k) => k.id === old)).toBe(false);

    expect(d.nameSequence(neu)).toEqual(['generate', 'publish', 'ready', 'active']);
    expect(d.nameSequence(old).slice(-3)).toEqual(['active', 'retire', 'dead']);
    expect(d.ds.filter((e) => e.at >= T)).toEqual([]);
    expectNeverBogus(d);
  });

  it.each(['ZskDoubleSignature', 'ZskDoubleRrsig'] as const)(
    '%s runs as pre-publication: ods-signer puts one signature per algorithm on an RRset',
    (rollType) => {
      const pre = zskRoll('ZskPrePublication');
      const other = zskRoll(rollType);
      pre.d.runUntil(pre.T + 20 * MS_D);
      other.d.runUntil(other.T + 20 * MS_D);
      const shape = (x: typeof pre) => x.d.moves.filter((m) => m.at >= x.T).map((m) => [m.at - x.T, m.keyId, m.record, m.to]);
      expect(shape(other)).toEqual(shape(pre));
      expectNeverBogus(other.d);
    },
  );
});
