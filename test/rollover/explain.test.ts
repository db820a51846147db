import { describe, expect, it } from 'vitest';
import { summarize } from '../../src/rollover/explain.js';
import { kskRoll } from './helpers/ksk-roll.js';
import { MS_H, signedZone, T0 } from './helpers/zone.js';
import { iso } from '../../src/rollover/explain.js';
import { basePolicy } from './helpers/policies.js';
import { Driver } from './helpers/driver.js';

describe('explanations: what each key waits for, and why', () => {
  it('names the operator answer, the cache timer and the rule that blocks, with times', () => {
    const { d, old, neu, T } = kskRoll('KskDoubleDS');
    expect(iso(T)).toBe('2025-04-11T00:00:00Z');
    const byKey = (id: string) => d.waitsFor(id).map((w) => `${w.kind}: ${w.message}`);
    expect(byKey(neu)).toEqual([
      'ds-seen: KSK 10003 (algorithm 13): waiting for ds-seen since 2025-04-11T00:00:00Z (its DS was submitted; run "key ds-seen" once the parent serves it)',
      "policy: KSK 10003 (algorithm 13): DNSKEY hidden → rumoured: KskDoubleDS: the DNSKEY is published once the key's DS is omnipresent",
      'policy: KSK 10003 (algorithm 13): RRSIG over the DNSKEY set hidden → rumoured: the DNSKEY set is signed with a key once its DNSKEY is published',
    ]);
    expect(byKey(old)).toContain(
      "rule: KSK 10001 (algorithm 13): DNSKEY omnipresent → unretentive: blocked: rule 2 (every DS a resolver may hold leads to a DNSKEY that signs the DNSKEY set) would break without this record; waiting for KSK 10003 (algorithm 13)'s DS, DNSKEY, RRSIG over the DNSKEY set to be omnipresent",
    );
    d.seen(neu, T + 3 * MS_H);
    d.next();
    expect(byKey(neu)).toEqual([
      'time: KSK 10003 (algorithm 13): DNSKEY rumoured → omnipresent: waiting until 2025-04-12T00:00:00Z for DNSKEY TTL + propagation delay + publish safety',
      'time: KSK 10003 (algorithm 13): RRSIG over the DNSKEY set rumoured → omnipresent: waiting until 2025-04-12T00:00:00Z for DNSKEY TTL + propagation delay + publish safety',
    ]);
    expect(d.last.nextRunAt).toBe(Date.parse('2025-04-12T00:00:00Z'));
  });

  it('summarizes keys with OpenDNSSEC state names', () => {
    const d = signedZone(basePolicy());
    const rows = summarize(d.state.keys, d.last.waits);
    expect(rows.map((r) => [r.role, r.keyTag, r.state, r.goal])).toEqual([
      ['KSK', 10001, 'active', 'omnipresent'],
      ['ZSK', 10002, 'active', 'omnipresent'],
    ]);
    const fresh = new Driver(basePolicy(), T0);
    fresh.step();
    expect(summarize(fresh.state.keys, fresh.last.waits).map((r) => r.state)).toEqual(['publish', 'publish']);
    expect(fresh.last.waits.filter((w) => w.kind === 'roll').map((w) => w.message)).toContain('ZSK algorithm 13 (256 bits, SoftHSM): key 10002 rolls at 2025-04-01T00:00:00Z (lifetime)');
  });
});
