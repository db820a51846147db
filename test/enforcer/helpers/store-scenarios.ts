// Random zone timelines for the persistence safety property test: the pure test's scenarios
// (random-timeline.ts: policy, operator delays, mid-life events) fitted to a shorter horizon, with
// shorter key lifetimes so rolls happen inside it, more policy edits (DNSKEY / DS / data TTL down
// and up, delays, algorithm, roll types, layout, roll requests) and, in about three timelines of
// four, a DNSKEY TTL cut from P1D or P2D to PT5M within a day of the moment the first ZSK (or CSK)
// roll starts: the edit whose old TTL the core must remember through the store. (Later than a day
// after it, the roll's new DNSKEY has been cached for a day under the old TTL by the time the
// zone's next run sees the cut, so a P1D TTL no longer matters.)
// Contract: pure; one timeline per fast-check seed (`drawTimeline(seed)`), so a finding names the
// seed that replays it alone. Going insecure (retire events) is left out: there is no operator
// path to it through the enforcer (kasp.xml refuses a policy without keys, and `zone delete`
// drops the zone at once rather than taking it out of DNSSEC).

import fc from 'fast-check';
import type { Policy } from '../../../src/policy/policy.js';
import { DAY } from '../../rollover/helpers/policies.js';
import { build, scenarioArb, T0, type Built, type EventKind, type Scenario } from '../../rollover/helpers/random-timeline.js';

export { T0 };

const KINDS: EventKind[] = [
  'roll-ksk', 'roll-zsk', 'roll-csk', 'algorithm', 'rolltype', 'layout', 'ttl-down', 'ttl-up', 'ds-ttl-down', 'data-ttl-down', 'ttl-drop', 'delays',
];

export interface StoreScenario {
  scenario: Scenario;
  /** When the DNSKEY TTL is cut from P1D / P2D to PT5M around the first ZSK/CSK roll (ms); null when not. */
  sharpDropAt: number | null;
}

export interface StoreTimeline extends StoreScenario {
  index: number;
  seed: number;
  zone: string;
  policyName: string;
  /** The scenario built, its policies renamed to this timeline's policy name. */
  built: Built;
}

const d = (min: number, max: number) => fc.integer({ min, max });

export function storeScenarioArb(days: number): fc.Arbitrary<StoreScenario> {
  return fc
    .record({
      base: scenarioArb,
      lifetimes: fc.tuple(d(30 * DAY, 150 * DAY), d(7 * DAY, 60 * DAY), d(30 * DAY, 150 * DAY)),
      events: fc.array(fc.record({ day: d(1, days - 1), kind: fc.constantFrom(...KINDS), pick: d(0, 1000) }), { minLength: 1, maxLength: 6 }),
      // The TTL before the cut, and hours from the first ZSK (CSK) roll to the cut (before the new key is published, or after).
      sharpDrop: fc.option(fc.record({ from: fc.constantFrom(DAY, 2 * DAY), hours: d(-24, 24) }), { freq: 4 }),
    })
    .map(({ base, lifetimes, events, sharpDrop }) => {
      let scenario: Scenario = { ...base, lifetimes, events, retireDay: null, resumeAfter: null };
      if (sharpDrop === null) return { scenario, sharpDropAt: null };
      scenario = { ...scenario, keysTtl: sharpDrop.from };
      // The first roll of that key comes when the key made at T0 reaches the lifetime the policy gives it.
      const role = scenario.layout === 'csk' ? 'CSK' : 'ZSK';
      const life = build(scenario).policy.keys.list.find((k) => k.role === role)!.lifetime;
      const hours = Math.max(24, Math.floor(life / 3600) + sharpDrop.hours);
      const drop = { day: Math.floor(hours / 24), kind: 'ttl-drop' as const, pick: hours % 24 };
      if (drop.day >= days) return { scenario, sharpDropAt: null };
      return { scenario: { ...scenario, events: [...scenario.events, drop] }, sharpDropAt: T0 + hours * 3600 * 1000 };
    });
}

const renamed = (p: Policy, name: string): Policy => ({ ...p, name, description: `persistence timeline ${name}` });

/** The timeline fast-check draws from `seed`, as zone `t<index>.test` under policy `p<index>`. */
export function drawTimeline(index: number, seed: number, days: number): StoreTimeline {
  const [s] = fc.sample(storeScenarioArb(days), { seed, numRuns: 1 });
  const policyName = `p${index}`;
  const built = build(s!.scenario);
  return {
    ...s!,
    index,
    seed,
    zone: `t${index}.test`,
    policyName,
    built: {
      ...built,
      policy: renamed(built.policy, policyName),
      events: built.events.map((e) => (e.policy ? { ...e, policy: renamed(e.policy, policyName) } : e)),
    },
  };
}
