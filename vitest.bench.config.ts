// `npm run bench`: bench/*.bench.ts, one at a time, output straight to the terminal. Benchmarks
// start their own PostgreSQL (default settings, fsync on), not the test suite's fsync=off server.

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['bench/**/*.bench.ts'],
    pool: 'forks',
    fileParallelism: false,
    disableConsoleIntercept: true,
    testTimeout: 6 * 3_600_000,
    hookTimeout: 600_000,
  },
});
