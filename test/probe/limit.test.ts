// The probe's concurrency bound holds: never more than `max` probes in flight, every task runs, and
// one failing task neither stalls nor fails the others.
import { expect, it } from 'vitest';
import fc from 'fast-check';
import { limiter } from '../../src/probe/limit.js';

it('never runs more than max tasks at once, and runs them all', async () => {
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 1, max: 8 }), fc.array(fc.nat(3), { maxLength: 40 }), async (max, delays) => {
      const limit = limiter(max);
      let running = 0;
      let peak = 0;
      const results = await Promise.allSettled(
        delays.map((d, i) =>
          limit(async () => {
            peak = Math.max(peak, ++running);
            await new Promise((r) => setTimeout(r, d));
            running--;
            if (d === 0) throw new Error(`task ${i}`);
            return i;
          }),
        ),
      );
      expect(peak).toBeLessThanOrEqual(max);
      results.forEach((r, i) => expect(r.status).toBe(delays[i] === 0 ? 'rejected' : 'fulfilled'));
    }),
    { numRuns: 50 },
  );
});
