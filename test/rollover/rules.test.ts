import { describe, expect, it } from 'vitest';
import { algorithmSigned, dnssecApproval, rule1, rule2, rule3 } from '../../src/rollover/rules.js';
import type { RecordState, RolloverKey } from '../../src/rollover/types.js';

const S: Record<string, RecordState> = { H: 'hidden', R: 'rumoured', O: 'omnipresent', U: 'unretentive', '-': 'na' };

/** A key from "DS DNSKEY RRSIG-DNSKEY RRSIG" letters and the change times (same order). */
function key(id: string, compact: string, changed: [number, number, number, number] = [0, 0, 0, 0], algorithm: 8 | 13 = 13): RolloverKey {
  const [ds, dnskey, rrsigdnskey, rrsig] = compact.split(' ').map((c) => S[c]!) as [RecordState, RecordState, RecordState, RecordState];
  const role = ds === 'na' ? 'ZSK' : rrsig === 'na' ? 'KSK' : 'CSK';
  return {
    id, role, algorithm, bits: 256, repository: 'r', flags: role === 'ZSK' ? 256 : 257, keyTag: Number(id.replace(/\D/g, '')) || 1,
    goal: 'omnipresent', states: { ds, dnskey, rrsigdnskey, rrsig },
    changedAt: { ds: changed[0], dnskey: changed[1], rrsigdnskey: changed[2], rrsig: changed[3] },
    dsAtParent: 'unsubmitted', dsAtParentChangedAt: null, introducedAt: 0,
  };
}

describe('validity rules', () => {
  it('rule 1: a DS is present or on its way', () => {
    expect(rule1([key('k1', 'H O O -')])).toBe(false);
    expect(rule1([key('k1', 'R O O -')])).toBe(true);
    expect(rule1([key('k1', 'U O O -')])).toBe(false);
  });

  it('rule 2: a DNSKEY swap behind two omnipresent DS is fine when simultaneous, not when the old key leaves first', () => {
    const zsk = key('z', '- O - O');
    expect(rule2([key('k1', 'O U U -', [0, 100, 100, 0]), key('k2', 'O R R -', [0, 100, 100, 0]), zsk], 13)).toBe(true);
    // Between 100 and 200 a cache may hold a DNSKEY set with neither key.
    expect(rule2([key('k1', 'O U U -', [0, 100, 100, 0]), key('k2', 'O R R -', [0, 200, 200, 0]), zsk], 13)).toBe(false);
    // New key first is fine: between 100 and 200 the set has both.
    expect(rule2([key('k1', 'O U U -', [0, 200, 200, 0]), key('k2', 'O R R -', [0, 100, 100, 0]), zsk], 13)).toBe(true);
  });

  it('rule 2: with no DS everywhere, every DS a cache may hold must lead to a trusted key', () => {
    expect(rule2([key('k1', 'U O O -'), key('k2', 'R O O -')], 13)).toBe(true);
    expect(rule2([key('k1', 'U O O -'), key('k2', 'R R R -', [0, 5, 5, 0])], 13)).toBe(false);
    expect(rule2([key('k1', 'O O O -'), key('k2', 'R R R -', [0, 5, 5, 0])], 13)).toBe(true);
  });

  it('rule 3: with one signature per algorithm, every key that may sign must be known to every cache', () => {
    const ksk = key('k', 'O O O -');
    expect(rule3([ksk, key('z1', '- O - O'), key('z2', '- R - H', [0, 5, 0, 0])], 13)).toBe(true);
    // z2 signs (RUMOURED) while its DNSKEY is not everywhere: a cache may pair z2-signed data with an old key set.
    expect(rule3([ksk, key('z1', '- O - O'), key('z2', '- R - R', [0, 5, 0, 5])], 13)).toBe(false);
    expect(rule3([ksk, key('z1', '- O - U', [0, 0, 0, 9]), key('z2', '- O - R', [0, 0, 0, 9])], 13)).toBe(true);
    // Only the algorithm of a DS that may be cached has to validate.
    expect(rule3([key('k8', 'O O O -', [0, 0, 0, 0], 8), key('z8', '- O - O', [0, 0, 0, 0], 8), key('z13', '- H - R', [0, 0, 0, 5])], 13)).toBe(true);
  });

  it('zone data is signed throughout only if the new signer started before the old one stopped', () => {
    expect(algorithmSigned([key('z1', '- O - U', [0, 0, 0, 10]), key('z2', '- O - R', [0, 0, 0, 10])], 13)).toBe(true);
    expect(algorithmSigned([key('z1', '- O - U', [0, 0, 0, 10]), key('z2', '- O - R', [0, 0, 0, 11])], 13)).toBe(false);
    expect(algorithmSigned([key('z2', '- O - R', [0, 0, 0, 11])], 13)).toBe(false);
  });

  it('dnssecApproval names the rules a move would break, and ignores rule 1 when going insecure', () => {
    const keys = [key('k1', 'O O O -'), key('z1', '- O - O')];
    expect(dnssecApproval(keys, keys[0]!, 'ds', 'unretentive', 10, false)).toEqual({ ok: false, broken: ['rule1'] });
    expect(dnssecApproval(keys, keys[0]!, 'ds', 'unretentive', 10, true)).toEqual({ ok: true, broken: [] });
    expect(dnssecApproval(keys, keys[0]!, 'dnskey', 'unretentive', 10, false)).toEqual({ ok: false, broken: ['rule2'] });
    expect(dnssecApproval(keys, keys[1]!, 'rrsig', 'unretentive', 10, false)).toEqual({ ok: false, broken: ['rule3'] });
    // A rule already broken does not stop a move that keeps it broken (so a damaged zone can recover).
    const broken = [key('k1', 'O H H -'), key('z1', '- O - O')];
    expect(dnssecApproval(broken, broken[0]!, 'dnskey', 'rumoured', 10, false).ok).toBe(true);
  });
});
