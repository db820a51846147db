// Enforcer processes under a test's control: spawned at once, their log lines (pino JSON on
// stderr) parsed as they come, waited for at a log line or at a stop (SIGSTOP), and ended.

import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { BIN } from './cli.js';

export interface LogLine {
  level: number;
  time: number;
  msg: string;
  [k: string]: unknown;
}

export interface Enforcer {
  child: ChildProcess;
  pid: number;
  stdout: () => string;
  stderr: () => string;
  logs: () => LogLine[];
  /** Resolves with the exit code (or 128+signal). */
  exited: Promise<number>;
  /** Resolves with the first log line matching, or rejects when the process exits first. */
  waitForLog(test: (l: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
}

export function startEnforcer(args: string[], env: Record<string, string | undefined> = {}): Enforcer {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, ENFORCER_DATABASE_URL: undefined, ENFORCER_CONFIG: undefined, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let partial = '';
  const lines: LogLine[] = [];
  const waiters: Array<{ test: (l: LogLine) => boolean; resolve: (l: LogLine) => void }> = [];
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
    partial += d.toString();
    let i: number;
    while ((i = partial.indexOf('\n')) >= 0) {
      const text = partial.slice(0, i);
      partial = partial.slice(i + 1);
      let line: LogLine;
      try {
        line = JSON.parse(text) as LogLine;
      } catch {
        continue;
      }
      lines.push(line);
      for (const w of [...waiters]) {
        if (w.test(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }
  });
  const exited = new Promise<number>((resolve) => {
    child.on('close', (code, signal) => resolve(code ?? 128 + (signal ? osSignal(signal) : 0)));
  });
  return {
    child,
    pid: child.pid!,
    stdout: () => out,
    stderr: () => err,
    logs: () => lines,
    exited,
    waitForLog(test, timeoutMs = 60_000) {
      const found = lines.find(test);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for a log line; stderr so far:\n${err}`)), timeoutMs);
        waiters.push({
          test,
          resolve: (l) => {
            clearTimeout(timer);
            resolve(l);
          },
        });
        void exited.then((code) => {
          clearTimeout(timer);
          reject(new Error(`process exited (${code}) before the awaited log line; stderr:\n${err}`));
        });
      });
    },
  };
}

function osSignal(name: string): number {
  return ({ SIGKILL: 9, SIGTERM: 15, SIGSTOP: 19 } as Record<string, number>)[name] ?? 0;
}

/** Wait until the process is stopped (state T in /proc), e.g. after a pause failpoint. */
export async function waitStopped(pid: number, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    let state = '';
    try {
      // /proc/<pid>/stat: "pid (comm) S ..."; comm may contain spaces, the state follows the last ')'.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    } catch {
      throw new Error(`process ${pid} is gone`);
    }
    if (state === 'T' || state === 't') return;
    if (Date.now() > until) throw new Error(`process ${pid} did not stop (state ${state})`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
