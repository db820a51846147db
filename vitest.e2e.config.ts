// `npm run test:e2e`: the end-to-end tests in test/e2e/ alone (the enforcer with a SoftHSM token and
// the real OpenDNSSEC signer), which need Debian packages and root that `npm test` must not assume.
// .ci/run installs the packages and runs this; there a missing piece fails the test.

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    globalSetup: ['test/helpers/postgres-global-setup.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 900_000,
    hookTimeout: 120_000,
  },
});
