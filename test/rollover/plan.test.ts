import { describe, expect, it } from 'vitest';
import { plan } from '../../src/rollover/plan.js';
import type { ZoneState } from '../../src/rollover/types.js';
import { emptyZoneState } from '../../src/rollover/zone-state.js';
import { basePolicy, keyPolicy, withKeys, DAY } from './helpers/policies.js';
import { BASE, MS_D, MS_H, T0 } from './helpers/zone.js';
import { ResolverModel } from './helpers/resolver-model.js';

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

describe('plan: the timeline ahead', () => {
  it('a year of a new zone, with an operator who answers after an hour', () => {
    const p = basePolicy();
    const zone = deepFreeze(emptyZoneState(p));
    const r = plan(zone, p, T0, T0 + 365 * MS_D, { dsSeenDelay: 3600, dsGoneDelay: 7200 }, { keepStates: true });
    expect(r.stopped).toBe('until');
    const times = r.timeline.map((e) => e.at);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    const ds = r.timeline.filter((e) => e.kind === 'ds-seen' || (e.kind === 'action' && (e.action.type === 'ds-submit' || e.action.type === 'ds-retract')));
    expect(ds.slice(0, 2).map((e) => [e.at - T0, e.kind === 'action' ? e.action.type : e.kind])).toEqual([
      [BASE.sig, 'ds-submit'],
      [BASE.sig + MS_H, 'ds-seen'],
    ]);
    const created = r.timeline.flatMap((e) => (e.kind === 'action' && e.action.type === 'create-key' ? [[e.action.role, e.action.reason, (e.at - T0) / MS_D]] : []));
    expect(created).toEqual([
      ['KSK', 'initial', 0],
      ['ZSK', 'initial', 0],
      ['ZSK', 'lifetime', 90],
      ['ZSK', 'lifetime', 180],
      ['ZSK', 'lifetime', 270],
      ['ZSK', 'lifetime', 360],
      ['KSK', 'lifetime', 365],
    ]);
    expect(r.signconfs[0]).toEqual({
      at: T0,
      keys: [
        { keyId: 'ksk-1', keyTag: 10001, role: 'KSK', algorithm: 13, publish: true, ksk: true, zsk: false },
        { keyId: 'zsk-2', keyTag: 10002, role: 'ZSK', algorithm: 13, publish: true, ksk: false, zsk: true },
      ],
    });
    expect(new ResolverModel(r).check(T0 + 365 * MS_D).findings).toEqual([]);
  });

  it('stops when only the operator can move things on', () => {
    const p = basePolicy({}, [keyPolicy('KSK', { manualRollover: true }), keyPolicy('ZSK', { manualRollover: true })]);
    const r = plan(emptyZoneState(p), p, T0, T0 + 365 * MS_D, { dsSeenDelay: null });
    expect(r.stopped).toBe('idle');
    expect(r.state.keys.find((k) => k.role === 'KSK')!.dsAtParent).toBe('submit');
    expect(r.state.keys.find((k) => k.role === 'KSK')!.states.ds).toBe('rumoured');
  });

  it('plays scheduled what-ifs: an algorithm change and a roll request', () => {
    const p = basePolicy({}, [keyPolicy('KSK', { lifetime: 1000 * DAY }), keyPolicy('ZSK', { lifetime: 1000 * DAY })]);
    const rsa = { algorithm: 8 as const, length: 2048, lifetime: 1000 * DAY };
    const p8 = withKeys(p, [keyPolicy('KSK', rsa), keyPolicy('ZSK', rsa)]);
    const start: ZoneState = emptyZoneState(p);
    const r = plan(start, p, T0, T0 + 200 * MS_D, {}, { keepStates: true, events: [{ at: T0 + 100 * MS_D, policy: p8 }, { at: T0 + 150 * MS_D, rollRequest: 'ZSK' }] });
    expect(r.policy).toBe(p8);
    const live = r.state.keys.filter((k) => k.goal === 'omnipresent');
    expect(live.map((k) => [k.role, k.algorithm])).toEqual([
      ['KSK', 8],
      ['ZSK', 8],
    ]);
    const created = r.timeline.flatMap((e) => (e.kind === 'action' && e.action.type === 'create-key' ? [[e.action.role, e.action.algorithm, e.action.reason, (e.at - T0) / MS_D]] : []));
    expect(created.slice(2)).toEqual([
      ['KSK', 8, 'policy', 100],
      ['ZSK', 8, 'policy', 100],
      ['ZSK', 8, 'manual', 150],
    ]);
    expect(new ResolverModel(r).check(T0 + 200 * MS_D).findings).toEqual([]);
    expect(start.keys).toEqual([]);
  });
});
