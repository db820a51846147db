// Counterexamples found by the safety property (safety.property.test.ts), kept as fixed scenarios so
// they are checked on every run regardless of the property's random seed.

import { describe, expect, it } from 'vitest';
import { ResolverModel } from './helpers/resolver-model.js';
import { liveness, run, type Scenario } from './helpers/random-timeline.js';

const scenarios: Record<string, Scenario> = {
  // fast-check seed 1635679188: an algorithm rollover (8 -> 13, day 2) overtaken by a key layout change
  // (split KSK/ZSK -> CSK, day 4): the enforce call that asked for the CSK already withdrew the last
  // algorithm-13 signer (a signconf with no algorithm-13 signatures), and the rerun then published the
  // CSK's DNSKEY as if the hand-over had been simultaneous (RFC 6781 §4.1.4, RFC 4035 §2.2).
  'algorithm rollover overtaken by a layout change': {
    alg: 8, layout: 'split', kskRoll: 'KskDoubleRRset', zskRoll: 'ZskPrePublication', cskRoll: 'CskDoubleRRset',
    keysTtl: 60, publishSafety: 0, retireSafety: 0, zoneProp: 0, soaTtl: 60, soaMin: 60, maxZoneTtl: 136800,
    nsec3Ttl: null, validity: 86400, refreshPercent: 10, resign: 3600, jitter: 0, dsTtl: 60, registrationDelay: 0,
    parentProp: 0, lifetimes: [2592000, 604800, 2592000], manual: true, purge: null, seenDelay: 0, goneDelay: 0,
    events: [{ day: 4, kind: 'layout', pick: 441 }, { day: 2, kind: 'algorithm', pick: 931 }],
    retireDay: null, resumeAfter: null,
  } as Scenario,
  // Same seed, after the fix above: a KSK created by the algorithm change (day 2) and never published
  // is superseded by a roll request (day 4) and purged in the same run; the liveness check must count
  // a purged key as retired.
  'unpublished key superseded and purged in one run': {
    alg: 8, layout: 'split', kskRoll: 'KskDoubleRRset', zskRoll: 'ZskPrePublication', cskRoll: 'CskDoubleRRset',
    keysTtl: 60, publishSafety: 0, retireSafety: 0, zoneProp: 0, soaTtl: 60, soaMin: 60, maxZoneTtl: 90000,
    nsec3Ttl: null, validity: 86400, refreshPercent: 10, resign: 3600, jitter: 0, dsTtl: 60, registrationDelay: 0,
    parentProp: 0, lifetimes: [2592000, 604800, 2592000], manual: true, purge: 86400, seenDelay: 0, goneDelay: 0,
    events: [{ day: 4, kind: 'roll-ksk', pick: 0 }, { day: 2, kind: 'algorithm', pick: 815 }],
    retireDay: null, resumeAfter: null,
  } as Scenario,
  // fast-check seed 22 (pre-existing, not caused by the fix above): a KSK of a layout change (day 287)
  // never published before the zone goes insecure (day 300) is retired and purged in one run.
  'unpublished key retired and purged in one run when going insecure': {
    alg: 8, layout: 'csk', kskRoll: 'KskDoubleDS', zskRoll: 'ZskPrePublication', cskRoll: 'CskDoubleRRset',
    keysTtl: 60, publishSafety: 49032, retireSafety: 0, zoneProp: 80740, soaTtl: 60, soaMin: 60, maxZoneTtl: 60,
    nsec3Ttl: null, validity: 745056, refreshPercent: 10, resign: 3863, jitter: 71992, dsTtl: 172794, registrationDelay: 42646,
    parentProp: 86191, lifetimes: [2592000, 604800, 2592000], manual: false, purge: 86400, seenDelay: 0, goneDelay: 798509,
    events: [{ day: 1, kind: 'ttl-up', pick: 4 }, { day: 287, kind: 'layout', pick: 7 }],
    retireDay: 300, resumeAfter: null,
  } as Scenario,
};

describe('rollover safety: property counterexamples', () => {
  for (const [name, scenario] of Object.entries(scenarios)) {
    it(name, () => {
      const { built, result, until } = run(scenario);
      expect(result.stopped).not.toBe('max-steps');
      expect(new ResolverModel(result).check(until).findings.slice(0, 3)).toEqual([]);
      expect(liveness(result, built.bound, until)).toEqual([]);
    });
  }
});
