// Failpoints: named places in a run where a test can freeze this process (it sends itself
// SIGSTOP, as a paused VM or a stopped container would be), make it sleep, or kill it outright
// (SIGKILL to itself: no finally blocks, no lease hand-back, no temp-file cleanup, exactly as a
// power cut or the OOM killer would leave things), to hold or end it there deterministically
// while the test acts on the database or the other node.
//
// Compiled in and inert unless armed. Arming needs ENFORCER_FAILPOINT *and* a database marked
// as a test database (meta row database_kind = test, which no enforcer command writes; only
// the test helpers do, by hand). The CLI refuses to start when ENFORCER_FAILPOINT is set on any
// other database, a lab database included, so a stray variable in production fails loudly
// instead of freezing a run.
//
//   ENFORCER_FAILPOINT=pause-<point>          SIGSTOP at <point> (resume with SIGCONT)
//   ENFORCER_FAILPOINT=sleep-<point>:<ms>     sleep there, the event loop still running
//   ENFORCER_FAILPOINT=crash-<point>          SIGKILL this process at <point>
//
// Points, in the order a run meets them:
//   after-lease      the run lock and lease are held (and the onActive hook ran), nothing written yet
//   after-keygen     new keys are in the keystore, the transaction recording them not yet begun
//   mid-signconf     half of a signconf's temp file is written (not yet fsynced or complete)
//   before-signconf  the temp file is complete and fsynced, its fenced record not yet begun
//   after-commit     the zone step's fenced transaction (state + signconf record) has committed
//   before-rename    the guard has not given up since the commit; the lease-time check and the
//                    rename of the temp file into place follow
//   after-ds-decision  a zone step committed a DS request (submit or retract); its command has
//                    not been looked up or run yet
//   before-ds-command  a pending DS request was claimed (fenced: its attempt recorded); the
//                    lease-time check and the start of its command follow
//   after-takeover   `failover` took the lease under a new epoch, before its run
//
// Each failpoint fires once per process, logging a warning first so a test can wait for it.

import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from './logger.js';

export const FAILPOINTS = [
  'after-lease',
  'after-keygen',
  'mid-signconf',
  'before-signconf',
  'after-commit',
  'before-rename',
  'after-ds-decision',
  'before-ds-command',
  'after-takeover',
] as const;
export type Failpoint = (typeof FAILPOINTS)[number];

export type FailpointAction = 'pause' | 'sleep' | 'crash';

/** Environment variables that only a test database may see (see src/cli/test-settings.ts). */
export const TEST_ONLY_ENV = ['ENFORCER_FAILPOINT', 'ENFORCER_CLOCK_OFFSET'] as const;

interface Armed {
  point: Failpoint;
  action: FailpointAction;
  ms: number;
  log: Logger;
  fired: boolean;
}

let armed: Armed | null = null;

export function parseFailpoint(spec: string): Omit<Armed, 'log' | 'fired'> | null {
  const m = /^(pause|sleep|crash)-([a-z-]+?)(?::(\d+))?$/.exec(spec.trim());
  if (!m || !(FAILPOINTS as readonly string[]).includes(m[2]!)) return null;
  const action = m[1] as FailpointAction;
  if ((action === 'sleep') !== (m[3] !== undefined)) return null;
  return { point: m[2] as Failpoint, action, ms: Number(m[3] ?? 0) };
}

/** Arm a failpoint; only after the database was found to be a test database. */
export function armFailpoint(spec: string, log: Logger): void {
  const p = parseFailpoint(spec);
  if (!p) {
    throw new Error(
      `ENFORCER_FAILPOINT=${spec} is not pause-<point>, crash-<point> or sleep-<point>:<ms> with a point of ${FAILPOINTS.join(', ')}`,
    );
  }
  armed = { ...p, log, fired: false };
}

export function disarmFailpoints(): void {
  armed = null;
}

export async function failpoint(point: Failpoint): Promise<void> {
  if (!armed || armed.point !== point || armed.fired) return;
  armed.fired = true;
  armed.log.warn({ failpoint: point, action: armed.action, ms: armed.ms }, `failpoint ${point} reached: ${armed.action}`);
  if (armed.action === 'crash') {
    // pino writes stderr synchronously, so the warning above is out before the process dies.
    process.kill(process.pid, 'SIGKILL');
  } else if (armed.action === 'pause') {
    process.kill(process.pid, 'SIGSTOP');
  } else {
    await sleep(armed.ms);
  }
}
