// `npm run test:ha`: the single-active tests in test/ha/ alone, with the full 200 rounds of
// two enforcers started at the same instant (ENFORCER_HA_ROUNDS overrides; `npm test` runs the
// same files with 10 rounds). One file at a time: their timings (lease ttls, SIGSTOP windows)
// should not compete with other process-heavy tests for the two cores.

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/ha/**/*.test.ts'],
    globalSetup: ['test/helpers/postgres-global-setup.ts'],
    env: { ENFORCER_HA_ROUNDS: process.env.ENFORCER_HA_ROUNDS ?? '200' },
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 3_600_000,
    hookTimeout: 120_000,
  },
});
