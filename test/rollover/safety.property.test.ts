// The safety property: over random policies, random mid-life events and a random (but answering)
// operator, no resolver that holds any combination of cached DS, DNSKEY and zone data the published
// history allows ever finds the zone bogus, and every roll that starts also finishes.
// See helpers/resolver-model.ts for the resolver model and helpers/random-timeline.ts for what varies.

import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ResolverModel } from './helpers/resolver-model.js';
import { liveness, run, scenarioArb } from './helpers/random-timeline.js';

const RUNS = Number(process.env.ROLLOVER_PROPERTY_RUNS ?? 400);

const totals = { timelines: 0, instants: 0, enforceRuns: 0, insecureInstants: 0, keys: 0, handOvers: 0 };

describe('rollover safety (property)', () => {
  afterAll(() => {
    console.log(
      `rollover safety: ${totals.timelines} two-year timelines, ${totals.enforceRuns} enforce runs, ` +
        `${totals.keys} keys, ${totals.instants} instants checked, 0 bogus; ` +
        `${totals.insecureInstants} instants at which a cache might hold no DS during a DS swap (insecure, not bogus); ` +
        `${totals.handOvers} timelines in which a superseded signer handed over (RRSIG rumoured -> unretentive)`,
    );
  });

  it('never bogus, and every started roll finishes once the operator has answered', () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        const { built, result, until } = run(scenario);
        expect(result.stopped).not.toBe('max-steps');
        const report = new ResolverModel(result).check(until);
        totals.timelines++;
        totals.instants += report.instants;
        totals.enforceRuns += result.enforceRuns;
        totals.insecureInstants += report.insecureInstants;
        const handOver = result.timeline.some((e) => e.kind === 'action' && e.action.type === 'transition' && e.action.record === 'rrsig' && e.action.from === 'rumoured' && e.action.to === 'unretentive');
        if (handOver) totals.handOvers++;
        totals.keys += new Set(result.timeline.flatMap((e) => (e.kind === 'action' && e.action.type === 'transition' ? [e.action.keyId] : []))).size;
        expect(report.findings.slice(0, 3)).toEqual([]);
        expect(liveness(result, built.bound, until)).toEqual([]);
      }),
      { numRuns: RUNS, seed: process.env.ROLLOVER_PROPERTY_SEED ? Number(process.env.ROLLOVER_PROPERTY_SEED) : undefined },
    );
  }, 120_000);
});
