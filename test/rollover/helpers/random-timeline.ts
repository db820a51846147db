// Random zone timelines for the safety property test: a random policy, random mid-life events
// (roll requests, algorithm / roll type / layout / TTL / delay changes, going insecure and sometimes
// signing again) and a random operator,
// run through plan() for two years; plus the liveness check ("every started roll finishes").
// build() also serves the persistence property test (test/enforcer/), which adds two event kinds the
// pure test's scenarioArb does not draw: 'ttl-drop' (DNSKEY TTL straight to PT5M) and 'delays'.

import fc from 'fast-check';
import type { KeyPolicy, Policy } from '../../../src/policy/policy.js';
import { plan, type PlanEvent, type PlanResult } from '../../../src/rollover/plan.js';
import { signatureReplacement, zoneDataTtl } from '../../../src/rollover/timing.js';
import { emptyZoneState } from '../../../src/rollover/zone-state.js';
import { DAY, HOUR, basePolicy, keyPolicy } from './policies.js';

export const YEAR_MS = 365 * DAY * 1000;
export const T0 = Date.UTC(2025, 0, 1);

type Layout = 'split' | 'csk';
export type EventKind =
  | 'roll-ksk' | 'roll-zsk' | 'roll-csk' | 'algorithm' | 'rolltype' | 'layout' | 'ttl-down' | 'ttl-up' | 'ds-ttl-down' | 'data-ttl-down'
  /** The DNSKEY TTL to 5 minutes at once, whatever it was (the operator's "make rolls faster" edit). */
  | 'ttl-drop'
  /** New publish / retire safety margins and parent delays (up or down); the zone propagation delay only grows. */
  | 'delays';

export interface Scenario {
  alg: 8 | 13;
  layout: Layout;
  kskRoll: KeyPolicy['rollType'];
  zskRoll: KeyPolicy['rollType'];
  cskRoll: KeyPolicy['rollType'];
  keysTtl: number;
  publishSafety: number;
  retireSafety: number;
  zoneProp: number;
  soaTtl: number;
  soaMin: number;
  maxZoneTtl: number | null;
  nsec3Ttl: number | null;
  validity: number;
  refreshPercent: number;
  resign: number;
  jitter: number;
  dsTtl: number;
  registrationDelay: number;
  parentProp: number;
  lifetimes: [number, number, number];
  manual: boolean;
  purge: number | null;
  seenDelay: number;
  goneDelay: number;
  events: { day: number; kind: EventKind; pick: number }[];
  retireDay: number | null;
  /** Days after going insecure to sign the zone again (null = stays insecure). */
  resumeAfter: number | null;
}

const d = (min: number, max: number) => fc.integer({ min, max });
const KSK_ROLLS = ['KskDoubleRRset', 'KskDoubleDS', 'KskDoubleSignature'] as const;
const ZSK_ROLLS = ['ZskPrePublication', 'ZskDoubleSignature', 'ZskDoubleRrsig'] as const;
const CSK_ROLLS = ['CskDoubleRRset', 'CskSingleSignature', 'CskDoubleDS', 'CskDoubleSignature', 'CskPrePublication'] as const;

export const scenarioArb: fc.Arbitrary<Scenario> = fc.record({
  alg: fc.constantFrom(8 as const, 13 as const),
  layout: fc.constantFrom<Layout>('split', 'csk'),
  kskRoll: fc.constantFrom(...KSK_ROLLS),
  zskRoll: fc.constantFrom(...ZSK_ROLLS),
  cskRoll: fc.constantFrom(...CSK_ROLLS),
  keysTtl: d(60, 2 * DAY),
  publishSafety: d(0, DAY),
  retireSafety: d(0, DAY),
  zoneProp: d(0, DAY),
  soaTtl: d(60, DAY),
  soaMin: d(60, DAY),
  maxZoneTtl: fc.option(d(60, 2 * DAY)),
  nsec3Ttl: fc.option(d(0, DAY)),
  validity: d(DAY, 30 * DAY),
  refreshPercent: d(10, 90),
  resign: d(HOUR, DAY),
  jitter: d(0, DAY),
  dsTtl: d(60, 2 * DAY),
  registrationDelay: d(0, DAY),
  parentProp: d(0, DAY),
  lifetimes: fc.tuple(d(30 * DAY, 365 * DAY), d(7 * DAY, 180 * DAY), d(30 * DAY, 365 * DAY)),
  manual: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
  purge: fc.option(d(DAY, 30 * DAY)),
  seenDelay: d(0, 14 * DAY),
  goneDelay: d(0, 14 * DAY),
  events: fc.array(
    fc.record({
      day: d(1, 700),
      kind: fc.constantFrom<EventKind>('roll-ksk', 'roll-zsk', 'roll-csk', 'algorithm', 'rolltype', 'layout', 'ttl-down', 'ttl-up', 'ds-ttl-down', 'data-ttl-down'),
      pick: d(0, 1000),
    }),
    { maxLength: 6 },
  ),
  retireDay: fc.option(d(300, 600), { freq: 6 }),
  resumeAfter: fc.option(d(1, 60), { freq: 2 }),
});

/** The longest a single roll step chain may take under policy p (seconds), for the liveness bound. */
export function rollBound(p: Policy, s: Scenario): number {
  const neg = Math.min(p.zone.soaTtl, p.zone.soaMinimum);
  const w = Math.max(p.keys.ttl, neg) + p.zone.propagationDelay + Math.max(p.keys.publishSafety, p.keys.retireSafety);
  const sig = signatureReplacement(p) + zoneDataTtl(p) + p.zone.propagationDelay;
  const ds = p.parent.dsTtl + p.parent.registrationDelay + p.parent.propagationDelay + Math.max(s.seenDelay, s.goneDelay);
  return 4 * (w + sig + ds);
}

function keyList(s: Scenario, alg: 8 | 13, layout: Layout, rolls: { ksk: KeyPolicy['rollType']; zsk: KeyPolicy['rollType']; csk: KeyPolicy['rollType'] }, minLife: number): KeyPolicy[] {
  const length = alg === 8 ? 2048 : 256;
  const life = (n: number) => Math.max(n, minLife);
  const common = { algorithm: alg, length, manualRollover: s.manual } as const;
  if (layout === 'csk') return [keyPolicy('CSK', { ...common, lifetime: life(s.lifetimes[2]), rollType: rolls.csk })];
  return [
    keyPolicy('KSK', { ...common, lifetime: life(s.lifetimes[0]), rollType: rolls.ksk }),
    keyPolicy('ZSK', { ...common, lifetime: life(s.lifetimes[1]), rollType: rolls.zsk }),
  ];
}

export interface Built {
  policy: Policy;
  events: PlanEvent[];
  bound: number;
}

export function build(s: Scenario): Built {
  const refresh = Math.floor((s.validity * s.refreshPercent) / 100);
  let p = basePolicy({
    signatures: {
      resign: s.resign, refresh, validityDefault: s.validity, validityDenial: s.validity, validityKeyset: null,
      jitter: Math.min(s.jitter, Math.floor(s.validity / 4)), inceptionOffset: HOUR, maxZoneTtl: s.maxZoneTtl,
    },
    denial: s.nsec3Ttl === null ? { type: 'NSEC' } : { type: 'NSEC3', ttl: s.nsec3Ttl, optOut: false, resalt: 100 * DAY, algorithm: 1, iterations: 0, saltLength: 8 },
    zone: { propagationDelay: s.zoneProp, soaTtl: s.soaTtl, soaMinimum: s.soaMin, soaSerial: 'unixtime' },
    parent: { registrationDelay: s.registrationDelay, propagationDelay: s.parentProp, dsTtl: s.dsTtl, soaTtl: DAY, soaMinimum: HOUR },
  });
  p = { ...p, keys: { ...p.keys, ttl: s.keysTtl, publishSafety: s.publishSafety, retireSafety: s.retireSafety, purge: s.purge, list: [] } };
  // Automatic rolls no faster than a roll can complete: overlapping rolls come from the events.
  let alg = s.alg;
  let layout = s.layout;
  let rolls = { ksk: s.kskRoll, zsk: s.zskRoll, csk: s.cskRoll };
  const minLife = () => Math.ceil(rollBound(p, s) / 2);
  p = { ...p, keys: { ...p.keys, list: keyList(s, alg, layout, rolls, minLife()) } };
  const initial = p;
  let bound = rollBound(p, s);
  const events: PlanEvent[] = [];
  for (const e of [...s.events].sort((a, b) => a.day - b.day)) {
    const at = T0 + e.day * DAY * 1000 + (e.pick % 24) * HOUR * 1000;
    if (e.kind === 'roll-ksk' || e.kind === 'roll-zsk' || e.kind === 'roll-csk') {
      events.push({ at, rollRequest: e.kind === 'roll-ksk' ? 'KSK' : e.kind === 'roll-zsk' ? 'ZSK' : 'CSK' });
      continue;
    }
    if (e.kind === 'algorithm') alg = alg === 8 ? 13 : 8;
    if (e.kind === 'layout') layout = layout === 'csk' ? 'split' : 'csk';
    if (e.kind === 'rolltype') rolls = { ksk: KSK_ROLLS[e.pick % 3]!, zsk: ZSK_ROLLS[e.pick % 3]!, csk: CSK_ROLLS[e.pick % 5]! };
    if (e.kind === 'ttl-down') p = { ...p, keys: { ...p.keys, ttl: Math.max(60, Math.floor(p.keys.ttl / (2 + (e.pick % 20)))) } };
    if (e.kind === 'ttl-up') p = { ...p, keys: { ...p.keys, ttl: Math.min(3 * DAY, p.keys.ttl * (2 + (e.pick % 5))) } };
    if (e.kind === 'ttl-drop') p = { ...p, keys: { ...p.keys, ttl: 300 } };
    if (e.kind === 'delays') {
      // Neither the core nor the resolver model remembers an older, longer zone propagation delay,
      // so lowering it would charge the core with what the model assumes; it only grows here.
      p = {
        ...p,
        keys: { ...p.keys, publishSafety: (e.pick * 7919) % DAY, retireSafety: (e.pick * 6271) % DAY },
        zone: { ...p.zone, propagationDelay: Math.min(2 * DAY, p.zone.propagationDelay + (e.pick % 7) * HOUR) },
        parent: { ...p.parent, registrationDelay: (e.pick * 3533) % DAY, propagationDelay: (e.pick * 2203) % DAY },
      };
    }
    if (e.kind === 'ds-ttl-down') p = { ...p, parent: { ...p.parent, dsTtl: Math.max(60, Math.floor(p.parent.dsTtl / (2 + (e.pick % 20)))) } };
    if (e.kind === 'data-ttl-down') {
      p = { ...p, signatures: { ...p.signatures, maxZoneTtl: Math.max(60, Math.floor(zoneDataTtl(p) / (2 + (e.pick % 20)))) } };
    }
    p = { ...p, keys: { ...p.keys, list: keyList(s, alg, layout, rolls, minLife()) } };
    bound = Math.max(bound, rollBound(p, s));
    events.push({ at, policy: p });
  }
  if (s.retireDay !== null) {
    events.push({ at: T0 + s.retireDay * DAY * 1000, retire: true });
    if (s.resumeAfter !== null) events.push({ at: T0 + (s.retireDay + s.resumeAfter) * DAY * 1000, retire: false });
  }
  return { policy: initial, events, bound };
}

export function run(s: Scenario, years = 2): { built: Built; result: PlanResult; until: number } {
  const built = build(s);
  const until = T0 + years * YEAR_MS;
  const result = plan(emptyZoneState(built.policy), built.policy, T0, until, { dsSeenDelay: s.seenDelay, dsGoneDelay: s.goneDelay }, { events: built.events, keepStates: true });
  return { built, result, until };
}

export interface LivenessProblem {
  keyId: string;
  problem: string;
}

/**
 * Every key that was retired is dead (or purged) within `bound` seconds of its retirement, and every
 * key still wanted `bound` seconds after its creation has all its records omnipresent by then.
 */
export function liveness(result: Pick<PlanResult, 'steps'>, bound: number, until: number): LivenessProblem[] {
  const problems: LivenessProblem[] = [];
  const created = new Map<string, number>();
  const retired = new Map<string, number>();
  const dead = new Map<string, number>();
  const active = new Map<string, number>();
  const gone = (s: string) => s === 'hidden' || s === 'na';
  const seen = new Set<string>();
  for (const step of result.steps) {
    const ids = new Set(step.state.keys.map((k) => k.id));
    // A purged key was dead, so retired, even if no recorded step shows it with goal hidden: a key
    // never published is dead as soon as it is retired, and can be purged in the same run.
    for (const id of seen) {
      if (ids.has(id)) continue;
      if (!retired.has(id)) retired.set(id, step.at);
      if (!dead.has(id)) dead.set(id, step.at);
    }
    for (const k of step.state.keys) {
      seen.add(k.id);
      if (!created.has(k.id)) created.set(k.id, k.introducedAt);
      if (k.goal === 'hidden' && !retired.has(k.id)) retired.set(k.id, step.at);
      const s = k.states;
      if (k.goal === 'hidden' && gone(s.ds) && gone(s.dnskey) && gone(s.rrsigdnskey) && gone(s.rrsig) && !dead.has(k.id)) dead.set(k.id, step.at);
      const full = (x: string) => x === 'omnipresent' || x === 'na';
      if (k.goal === 'omnipresent' && full(s.ds) && full(s.dnskey) && full(s.rrsigdnskey) && full(s.rrsig) && !active.has(k.id)) active.set(k.id, step.at);
    }
  }
  const ms = bound * 1000;
  for (const [id, at] of retired) {
    if (at + ms > until) continue;
    const d = dead.get(id);
    if (d === undefined || d > at + ms) problems.push({ keyId: id, problem: `retired at ${new Date(at).toISOString()}, not dead within ${bound} s` });
  }
  for (const [id, at] of created) {
    if (at + ms > until) continue;
    const r = retired.get(id);
    if (r !== undefined && r <= at + ms) continue;
    const a = active.get(id);
    if (a === undefined || a > at + ms) problems.push({ keyId: id, problem: `created at ${new Date(at).toISOString()}, not active within ${bound} s` });
  }
  return problems;
}
