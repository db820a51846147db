// Vitest global setup: one real PostgreSQL server for the whole test run. Uses the server named
// by ENFORCER_TEST_DATABASE_URL when set, otherwise starts one (see pg-server.ts) and stops it
// afterwards. Tests never skip for lack of a server.

import type { TestProject } from 'vitest/node';
import { startPgServer } from './pg-server.js';

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
  // fsync=off: test data need not survive a power loss, and it keeps the suite fast.
  const pg = await startPgServer(['-c', 'max_connections=200', '-c', 'fsync=off']);
  project.provide('pgAdminUrl', pg.url);
  return () => pg.stop();
}
