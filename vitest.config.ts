import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The fault scenarios run in `npm run test:faults` (vitest.faults.config.ts); their checker's unit test runs here too.
    exclude: [...configDefaults.exclude, 'test/faults/scenarios/**', 'test/faults/corpus/**'],
    globalSetup: ['test/helpers/postgres-global-setup.ts'],
    // Two cores: PGlite instances are memory- and CPU-heavy, so keep parallelism modest.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
