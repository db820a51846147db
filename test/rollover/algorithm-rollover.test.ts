import { describe, expect, it } from 'vitest';
import { expectFlags, expectNeverBogus, expectStates } from './helpers/driver.js';
import { basePolicy, keyPolicy, withKeys, DAY } from './helpers/policies.js';
import { BASE, MS_D, MS_H, signedZone } from './helpers/zone.js';

describe('algorithm rollover 8 → 13 (policy change), RFC 6781 §4.1.4 conservative order', () => {
  it('new signatures, new DNSKEYs, DS swap, old DNSKEYs, old signatures — never bogus', () => {
    const rsa = { algorithm: 8 as const, length: 2048, lifetime: 1000 * DAY };
    const p8 = basePolicy({}, [keyPolicy('KSK', rsa), keyPolicy('ZSK', rsa)]);
    const d = signedZone(p8);
    const [ksk8, zsk8] = d.keys().map((k) => k.id);
    const T = d.now + 10 * MS_D;
    const p13 = withKeys(p8, [keyPolicy('KSK', { lifetime: 1000 * DAY }), keyPolicy('ZSK', { lifetime: 1000 * DAY })]);
    d.setPolicy(p13, T);

    const created = d.actions.filter((a) => a.at === T && a.action.type === 'create-key').map((a) => a.action);
    expect(created.map((a) => a.type === 'create-key' && [a.role, a.algorithm, a.reason])).toEqual([
      ['KSK', 13, 'policy'],
      ['ZSK', 13, 'policy'],
    ]);
    const ksk13 = d.keys('KSK').find((k) => k.algorithm === 13)!.id;
    const zsk13 = d.keys('ZSK').find((k) => k.algorithm === 13)!.id;
    expect(d.key(ksk8!).goal).toBe('hidden');
    expect(d.key(zsk8!).goal).toBe('hidden');
    // 1. New algorithm's signatures first; its DNSKEYs wait for them.
    expectStates(d.key(zsk13), '- H - R');
    expectStates(d.key(ksk13), 'H H H -');
    expectFlags(d.flagsAt(T), zsk13, 'Z');
    expect(d.waitsFor(ksk13).find((w) => w.record === 'dnskey')!.message).toContain('RFC 6781');

    // 2. Signatures everywhere (no other algorithm-13 key to replace): publish the new DNSKEYs.
    d.next();
    expect(d.now).toBe(T + BASE.sig);
    expectStates(d.key(zsk13), '- R - O');
    expectStates(d.key(ksk13), 'H R R -');

    // 3. New DNSKEYs everywhere: DS swap requested.
    d.next();
    const swap = T + BASE.sig + BASE.publish;
    expect(d.now).toBe(swap);
    expectStates(d.key(ksk13), 'R O O -');
    expectStates(d.key(ksk8!), 'U O O -');
    expect(d.ds.filter((e) => e.at >= T).map((e) => [e.keyId, e.type])).toEqual([
      [ksk13, 'ds-submit'],
      [ksk8, 'ds-retract'],
    ]);

    d.seen(ksk13, swap + 2 * MS_H);
    d.gone(ksk8!, swap + 3 * MS_H);
    d.next();
    expect(d.now).toBe(swap + 2 * MS_H + BASE.ds);
    expectStates(d.key(ksk13), 'O O O -');
    // 4. Old DS in no cache: the old DNSKEYs go; the old signatures stay until they are gone too.
    d.next();
    const noOldDs = swap + 3 * MS_H + BASE.ds;
    expect(d.now).toBe(noOldDs);
    expectStates(d.key(ksk8!), 'H U U -');
    expectStates(d.key(zsk8!), '- U - O');
    expect(d.waitsFor(zsk8!).find((w) => w.record === 'rrsig')!.message).toContain('the last signatures of algorithm 8 stay until no DNSKEY of it is left');
    // 5. Old DNSKEYs hidden: withdraw the old signatures.
    d.next();
    expect(d.now).toBe(noOldDs + BASE.retire);
    expectStates(d.key(zsk8!), '- H - U');
    expectFlags(d.flagsAt(d.now), zsk8!, null);
    // 6. The old ZSK left the signconf with its last flag, so the signer dropped its signatures at
    // once instead of recycling them until refresh: hidden after zone data TTL + propagation only
    // (as OpenDNSSEC), and purged <Purge> after that.
    d.next();
    const oldSigsGone = noOldDs + BASE.retire + BASE.sig;
    expect(d.now).toBe(oldSigsGone);
    expectStates(d.key(zsk8!), '- H - H');
    d.runUntil(oldSigsGone + BASE.purge - 1);
    expect(d.keys().map((k) => k.id)).toContain(zsk8);
    d.runUntil(oldSigsGone + BASE.purge);
    expect(d.keys().map((k) => k.id)).not.toContain(zsk8);

    expect(d.nameSequence(ksk13)).toEqual(['generate', 'publish', 'ready', 'active']);
    expect(d.nameSequence(zsk13)).toEqual(['generate', 'publish', 'active']);
    expectNeverBogus(d);
  });
});
