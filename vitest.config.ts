import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Run by their own scripts: the fault scenarios (`npm run test:faults`; the checker's unit test runs
    // here too) and the end-to-end tests, which need Debian packages and root (`npm run test:e2e`).
    exclude: [...configDefaults.exclude, 'test/faults/scenarios/**', 'test/faults/corpus/**', 'test/e2e/**'],
    globalSetup: ['test/helpers/postgres-global-setup.ts'],
    // Two cores: PGlite instances are memory- and CPU-heavy, so keep parallelism modest.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
