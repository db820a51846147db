// `npm run test:faults`: the fault-injection suite (test/faults/): two enforcer node processes on
// one real PostgreSQL per scenario, killed, frozen, cut off, skewed and starved in every way
// docs/reliability.md lists, with the invariant checker run after each. One file at a time, like
// the single-active tests: the scenarios' timings (lease ttls, SIGSTOP windows) must not compete
// with other process-heavy tests for the two cores. ENFORCER_FAULT_ROUNDS sets the rounds of the
// scenarios that repeat (default 40).

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/faults/**/*.test.ts'],
    globalSetup: ['test/helpers/postgres-global-setup.ts'],
    env: { ENFORCER_FAULT_ROUNDS: process.env.ENFORCER_FAULT_ROUNDS ?? '40' },
    pool: 'forks',
    fileParallelism: false,
    sequence: { concurrent: false },
    testTimeout: 900_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
