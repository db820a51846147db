// The checker must be able to fail: hand-made histories that a resolver can see as bogus.

import { describe, expect, it } from 'vitest';
import type { PlanStep, TimelineEntry } from '../../src/rollover/plan.js';
import type { RecordState, RolloverKey, ZoneState } from '../../src/rollover/types.js';
import { initialTtls } from '../../src/rollover/zone-state.js';
import { ResolverModel } from './helpers/resolver-model.js';
import { basePolicy } from './helpers/policies.js';
import { MS_D, MS_H, T0 } from './helpers/zone.js';

const S: Record<string, RecordState> = { H: 'hidden', R: 'rumoured', O: 'omnipresent', U: 'unretentive', '-': 'na' };
const policy = basePolicy();

function key(id: string, compact: string): RolloverKey {
  const [ds, dnskey, rrsigdnskey, rrsig] = compact.split(' ').map((c) => S[c]!) as [RecordState, RecordState, RecordState, RecordState];
  const role = ds === 'na' ? 'ZSK' : 'KSK';
  return {
    id, role, algorithm: 13, bits: 256, repository: 'r', flags: role === 'ZSK' ? 256 : 257, keyTag: 1, goal: 'omnipresent',
    states: { ds, dnskey, rrsigdnskey, rrsig }, changedAt: { ds: null, dnskey: null, rrsigdnskey: null, rrsig: null },
    dsAtParent: 'seen', dsAtParentChangedAt: null, introducedAt: 0,
  };
}

const zone = (...keys: RolloverKey[]): ZoneState => ({ keys, rollRequested: {}, ttls: initialTtls(policy) });
const step = (at: number, ...keys: RolloverKey[]): PlanStep => ({ at, state: zone(...keys), policy });
const dsSeen = (keyId: string, at: number): TimelineEntry[] => [
  { at: at - MS_H, kind: 'action', action: { type: 'ds-submit', keyId, keyTag: 1, at: at - MS_H } },
  { at, kind: 'ds-seen', keyId, keyTag: 1 },
];

describe('resolver model', () => {
  it('accepts a signed zone left alone', () => {
    const steps = [step(T0 - 30 * MS_D, key('k', 'O O O -'), key('z1', '- O - O'))];
    const report = new ResolverModel({ steps, timeline: dsSeen('k', T0) }).check(T0 + 10 * MS_D);
    expect(report.findings).toEqual([]);
    expect(report.instants).toBeGreaterThan(0);
  });

  it('finds a ZSK swapped in one go (new key signing before every cache knows it)', () => {
    const steps = [
      step(T0 - 30 * MS_D, key('k', 'O O O -'), key('z1', '- O - O')),
      step(T0 + MS_D, key('k', 'O O O -'), key('z1', '- U - U'), key('z2', '- R - R')),
    ];
    const report = new ResolverModel({ steps, timeline: dsSeen('k', T0) }).check(T0 + 10 * MS_D);
    expect(new Set(report.findings.map((f) => f.kind))).toEqual(new Set(['bogus-data']));
    expect(report.findings[0]!.at).toBe(T0 + MS_D);
  });

  it('finds a DS at the parent while a cache may still hold the unsigned zone\'s "no DNSKEY" answer', () => {
    const steps = [step(T0, key('k', 'H R R -'), key('z1', '- R - R'))];
    const report = new ResolverModel({ steps, timeline: dsSeen('k', T0 + MS_H) }).check(T0 + MS_D);
    expect(report.findings.map((f) => f.kind)).toContain('bogus-dnskey');
  });

  it('finds data that may be unsigned when the DS appears', () => {
    const steps = [step(T0 - 30 * MS_D, key('k', 'O O O -'), key('z1', '- O - H')), step(T0 + 3 * MS_H, key('k', 'O O O -'), key('z1', '- O - R'))];
    const report = new ResolverModel({ steps, timeline: dsSeen('k', T0 + 4 * MS_H) }).check(T0 + MS_D);
    expect(report.findings.map((f) => f.kind)).toContain('unsigned-data');
  });
});
