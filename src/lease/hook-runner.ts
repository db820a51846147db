// Runs one role-change hook: `/bin/sh -c <command>` in its own process group, with a timeout,
// every output line logged. The hook is killed (the whole group: SIGTERM, then SIGKILL after a
// grace period) when it overruns or when the caller aborts (this process lost the lock while
// the hook ran). The result says why it failed; the caller decides what a failure means.
//
// The hook gets the enforcer's environment minus the database credentials (ENFORCER_DATABASE_URL,
// PGPASSWORD): a hook starts or stops a signer and has no business in the database.

import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { Logger } from '../util/logger.js';

export interface HookSpec {
  name: 'onActive' | 'onStandby' | 'dsSubmit' | 'dsRetract' | 'publish' | 'notify';
  command: string;
  /** Written to the command's standard input (then closed); none when absent. */
  input?: string;
  timeoutSeconds: number;
  env: Record<string, string>;
  log: Logger;
  signal?: AbortSignal;
  /**
   * Called synchronously just before the process is spawned; if it throws, nothing is spawned and
   * runHook rejects with that error (a DS command's last check that the lease is still this process's).
   */
  beforeSpawn?: () => void;
}

export interface HookResult {
  ok: boolean;
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  aborted: boolean;
  durationMs: number;
  /** One line for logs and `status`: why it failed, or "ok". */
  summary: string;
}

const KILL_GRACE_MS = 2000;
const PIPE_DRAIN_MS = 500;
const MAX_LINES_PER_STREAM = 200;
const HIDDEN_ENV = ['ENFORCER_DATABASE_URL', 'PGPASSWORD'];

export function runHook(h: HookSpec): Promise<HookResult> {
  const started = performance.now();
  const env: Record<string, string | undefined> = { ...process.env, ...h.env };
  for (const k of HIDDEN_ENV) delete env[k];
  h.log.info({ hook: h.name, command: h.command }, `running ${h.name} hook`);
  return new Promise((resolve) => {
    let timedOut = false;
    let aborted = false;
    let settled = false;
    h.beforeSpawn?.();
    const child = spawn('/bin/sh', ['-c', h.command], { detached: true, stdio: [h.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'], env });
    if (h.input !== undefined && child.stdin) {
      // A command that exits without reading its input must not crash us with EPIPE.
      child.stdin.on('error', () => undefined);
      child.stdin.end(h.input);
    }
    const logLines = (stream: Readable, name: 'stdout' | 'stderr') => {
      let n = 0;
      createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
        n++;
        if (n <= MAX_LINES_PER_STREAM) h.log[name === 'stderr' ? 'warn' : 'info']({ hook: h.name, stream: name }, line);
        else if (n === MAX_LINES_PER_STREAM + 1) h.log.warn({ hook: h.name, stream: name }, 'further output not logged');
      });
    };
    logLines(child.stdout!, 'stdout');
    logLines(child.stderr!, 'stderr');

    let killTimer: NodeJS.Timeout | null = null;
    const killGroup = () => {
      if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
      killTimer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
      }, KILL_GRACE_MS);
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, h.timeoutSeconds * 1000);
    const onAbort = () => {
      aborted = true;
      killGroup();
    };
    h.signal?.addEventListener('abort', onAbort, { once: true });

    const finish = (exitCode: number | null, signal: string | null, error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      h.signal?.removeEventListener('abort', onAbort);
      child.stdout?.destroy();
      child.stderr?.destroy();
      const ok = !error && !timedOut && !aborted && exitCode === 0;
      const summary = ok
        ? 'ok'
        : error
          ? `could not be started: ${error.message}`
          : timedOut
            ? `timed out after ${h.timeoutSeconds} s and was killed`
            : aborted
              ? 'killed: this process stopped acting while the hook ran'
              : signal
                ? `killed by ${signal}`
                : `exited with code ${exitCode}`;
      const result: HookResult = { ok, exitCode, signal, timedOut, aborted, durationMs: Math.round(performance.now() - started), summary };
      if (ok) h.log.info({ hook: h.name, durationMs: result.durationMs }, `${h.name} hook succeeded`);
      else h.log.error({ hook: h.name, ...result }, `${h.name} hook failed: ${summary}`);
      resolve(result);
    };
    child.on('error', (e) => finish(null, null, e));
    // 'close' comes once the output is read to the end; if a background process the hook left
    // behind keeps the pipes open, stop waiting shortly after the hook itself exited.
    child.on('close', (code, sig) => finish(code, sig));
    child.on('exit', (code, sig) => setTimeout(() => finish(code, sig), PIPE_DRAIN_MS).unref());
  });
}
