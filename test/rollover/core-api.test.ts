import { describe, expect, it } from 'vitest';
import { apply, ApplyError } from '../../src/rollover/apply.js';
import { DsWorkflowError, markGone, markSeen, markSubmitted } from '../../src/rollover/ds-parent.js';
import { enforce } from '../../src/rollover/enforce.js';
import { rolloverKeyFromRow } from '../../src/rollover/from-store.js';
import type { ZoneKeyRow } from '../../src/store/keys.js';
import { Driver } from './helpers/driver.js';
import { basePolicy, keyPolicy, DAY, HOUR } from './helpers/policies.js';
import { MS_D, T0, signedZone } from './helpers/zone.js';

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

describe('core API', () => {
  it('enforce is pure and its state is exactly its actions applied', () => {
    const d = signedZone(basePolicy({}, [keyPolicy('KSK'), keyPolicy('ZSK', { lifetime: 30 * DAY })]));
    for (let i = 0; i < 12; i++) {
      const input = deepFreeze(structuredClone(d.state));
      const r = enforce(input, d.policy, d.last.nextRunAt!);
      expect(r.state).toEqual(apply(input, r.actions.filter((a) => a.type !== 'create-key')));
      expect(enforce(input, d.policy, d.last.nextRunAt!)).toEqual(r);
      d.next();
      for (const k of d.state.keys) if (k.dsAtParent === 'submit') d.seen(k.id);
    }
  });

  it('apply refuses actions that do not fit the state', () => {
    const d = signedZone(basePolicy());
    const ksk = d.keys('KSK')[0]!;
    expect(() => apply(d.state, [{ type: 'transition', keyId: ksk.id, record: 'dnskey', from: 'hidden', to: 'rumoured', at: 1 }])).toThrow(ApplyError);
    expect(() => apply(d.state, [{ type: 'purge-key', keyId: 'nope', at: 1 }])).toThrow(ApplyError);
    expect(() => apply(d.state, [{ type: 'create-key', role: 'ZSK', algorithm: 13, bits: 256, repository: 'r', reason: 'manual', at: 1 }])).toThrow(ApplyError);
  });

  it('DS answers only fit the matching request', () => {
    const d = new Driver(basePolicy(), T0);
    d.step();
    const ksk = d.keys('KSK')[0]!.id;
    expect(() => markSeen(d.state, ksk, T0)).toThrow(DsWorkflowError);
    d.runWhile(() => d.key(ksk).dsAtParent === 'unsubmitted');
    const submitted = markSubmitted(d.state, ksk, d.now + 1);
    expect(submitted.keys.find((k) => k.id === ksk)!.dsAtParent).toBe('submitted');
    expect(() => markGone(submitted, ksk, d.now + 2)).toThrow(/DS is 'submitted', expected 'retract'/);
    const seen = markSeen(submitted, ksk, d.now + 2);
    expect(seen.keys.find((k) => k.id === ksk)).toMatchObject({ dsAtParent: 'seen', dsAtParentChangedAt: d.now + 2 });
  });

  it('no <Purge>: dead keys stay, and the waits say so', () => {
    const p = basePolicy({ keys: { ...basePolicy().keys, purge: null } }, [keyPolicy('KSK'), keyPolicy('ZSK', { lifetime: 30 * DAY })]);
    const d = signedZone(p);
    d.runUntil(d.now + 60 * MS_D);
    expect(d.keys('ZSK').length).toBeGreaterThan(1);
    expect(d.last.waits.some((w) => w.kind === 'purge' && w.until === null && /purge it by hand/.test(w.message))).toBe(true);
  });

  it('a lifetime shorter than the caches it must wait out starts no automatic roll', () => {
    const p = basePolicy({}, [keyPolicy('KSK'), keyPolicy('ZSK', { lifetime: 20 * HOUR })]);
    const d = signedZone(p);
    d.runUntil(d.now + 5 * MS_D);
    expect(d.keys('ZSK')).toHaveLength(1);
    expect(d.last.waits.find((w) => w.kind === 'config')!.message).toMatch(/lifetime 72000 s is too short/);
  });

  it('converts a stored zone_key row', () => {
    const at = new Date(T0);
    const row: ZoneKeyRow = {
      id: 7, zone: 'example.org', hsmKeyId: 3, locator: 'ab', repository: 'SoftHSM', role: 'KSK', flags: 257, keyTag: 4242,
      algorithm: 13, bits: 256, publicKey: new Uint8Array(), goal: 'omnipresent',
      states: { ds: 'rumoured', dnskey: 'omnipresent', rrsigdnskey: 'omnipresent', rrsig: 'na' },
      changedAt: { ds: at, dnskey: at, rrsigdnskey: null, rrsig: null },
      dsAtParent: 'submit', dsAtParentChangedAt: at, introducedAt: at, activeAt: null, retiredAt: null, unpublished: [],
    };
    expect(rolloverKeyFromRow(row)).toEqual({
      id: '7', role: 'KSK', algorithm: 13, bits: 256, repository: 'SoftHSM', flags: 257, keyTag: 4242, goal: 'omnipresent',
      states: row.states, changedAt: { ds: T0, dnskey: T0, rrsigdnskey: null, rrsig: null },
      dsAtParent: 'submit', dsAtParentChangedAt: T0, introducedAt: T0,
    });
    // A change whose signconf is not confirmed as published counts from nothing yet.
    expect(rolloverKeyFromRow({ ...row, unpublished: ['rrsigdnskey'] }).changedAt).toEqual({ ds: T0, dnskey: T0, rrsigdnskey: Infinity, rrsig: null });
  });
});
