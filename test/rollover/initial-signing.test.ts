import { describe, expect, it } from 'vitest';
import { Driver, expectFlags, expectNeverBogus, expectStates } from './helpers/driver.js';
import { basePolicy, keyPolicy, HOUR } from './helpers/policies.js';
import { BASE, MS_H, T0 } from './helpers/zone.js';

describe('initial signing of a new zone', () => {
  it('KSK + ZSK: keys published and signing at once, DS only once everything is omnipresent', () => {
    const d = new Driver(basePolicy(), T0);
    d.step();
    const created = d.actions.map((x) => x.action).filter((a) => a.type === 'create-key');
    expect(created.map((a) => a.type === 'create-key' && [a.role, a.reason])).toEqual([
      ['KSK', 'initial'],
      ['ZSK', 'initial'],
    ]);
    const [ksk, zsk] = d.keys();
    expectStates(ksk!, 'H R R -');
    expectStates(zsk!, '- R - R');
    expectFlags(d.flagsAt(T0), ksk!.id, 'PK');
    expectFlags(d.flagsAt(T0), zsk!.id, 'PZ');
    expect(d.last.actions.some((a) => a.type === 'write-signconf')).toBe(true);

    // DNSKEYs omnipresent after TTL + propagation + publish safety.
    expect(d.last.nextRunAt).toBe(T0 + BASE.publish);
    d.next();
    expectStates(d.key(ksk!.id), 'H O O -');
    expectStates(d.key(zsk!.id), '- O - R');
    // The DS waits for the zone signatures: submitting it now would break rule 3.
    const dsWait = d.waitsFor(ksk!.id).find((w) => w.record === 'ds')!;
    expect(dsWait.kind).toBe('rule');
    expect(dsWait.message).toContain('rule 3');

    // Zone signatures omnipresent after MaxZoneTTL + propagation; then the DS is asked for.
    expect(d.last.nextRunAt).toBe(T0 + BASE.sig);
    d.next();
    expectStates(d.key(zsk!.id), '- O - O');
    expectStates(d.key(ksk!.id), 'R O O -');
    expect(d.dsEvents(ksk!.id)).toEqual([{ at: T0 + BASE.sig, keyId: ksk!.id, type: 'ds-submit' }]);
    // Nothing more happens by itself until the ZSK's lifetime is over: the core waits for the operator.
    expect(d.last.nextRunAt).toBe(T0 + 90 * 86_400_000);
    expect(d.waitsFor(ksk!.id)[0]!.message).toMatch(/waiting for ds-seen since 2025-01-02T05:00:00Z/);

    d.seen(ksk!.id, T0 + 40 * MS_H);
    expect(d.last.nextRunAt).toBe(T0 + 40 * MS_H + BASE.ds);
    d.next();
    expectStates(d.key(ksk!.id), 'O O O -');
    expect(d.nameSequence(ksk!.id)).toEqual(['generate', 'publish', 'ready', 'active']);
    expect(d.nameSequence(zsk!.id)).toEqual(['generate', 'publish', 'ready', 'active']);
    // Fully signed and nothing to do until the ZSK's lifetime is over.
    expect(d.last.nextRunAt).toBe(d.key(zsk!.id).introducedAt + 90 * 86_400_000);
    expectNeverBogus(d);
  });

  it('CSK: DNSKEY, its signature and zone signatures at once; DS after both are omnipresent', () => {
    const d = new Driver(basePolicy({}, [keyPolicy('CSK')]), T0);
    d.step();
    const [csk] = d.keys();
    expectStates(csk!, 'H R R R');
    expectFlags(d.flagsAt(T0), csk!.id, 'PKZ');
    d.next();
    expect(d.now).toBe(T0 + BASE.publish);
    expectStates(d.key(csk!.id), 'H O O R');
    d.next();
    expect(d.now).toBe(T0 + BASE.sig);
    expectStates(d.key(csk!.id), 'R O O O');
    expect(d.dsEvents(csk!.id).map((e) => e.type)).toEqual(['ds-submit']);
    d.seen(csk!.id);
    d.next();
    expect(d.now).toBe(T0 + BASE.sig + BASE.ds);
    expectStates(d.key(csk!.id), 'O O O O');
    expectNeverBogus(d);
  });

  it('waits out a cached "no DNSKEY" answer when the negative TTL is longer than the DNSKEY TTL', () => {
    const p = basePolicy({ zone: { propagationDelay: 5 * HOUR, soaTtl: 4 * HOUR, soaMinimum: 2 * HOUR, soaSerial: 'unixtime' } });
    const d = new Driver(p, T0);
    d.step();
    d.next();
    // min(SOA TTL, SOA minimum) = 2 h replaces the 1 h DNSKEY TTL: 2 + 5 + 3 h.
    expect(d.now).toBe(T0 + 10 * MS_H);
    expect(d.moves.filter((m) => m.at === d.now && m.record === 'dnskey').length).toBe(2);
  });
});
