// Runs the real CLI as a child process and measures it: wall time and the child's peak RSS (via
// bench/rss-preload.mjs). Throws with the child's stderr when it fails, so a broken step never
// prints a figure.

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = path.join(ROOT, 'bin', 'enforcer');
const PRELOAD = path.join(ROOT, 'bench', 'rss-preload.mjs');
const scratch = mkdtempSync(path.join(os.tmpdir(), 'enforcer-bench-rss-'));
let n = 0;

export interface Measured {
  seconds: number;
  rssMiB: number;
  stdout: string;
  stderr: string;
}

export function timeCli(args: string[], env: Record<string, string> = {}): Promise<Measured> {
  const rssFile = path.join(scratch, `rss-${n++}`);
  const t0 = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', PRELOAD, BIN, ...args], {
      env: { ...process.env, ENFORCER_DATABASE_URL: '', ...env, BENCH_RSS_FILE: rssFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      if (code !== 0) return reject(new Error(`enforcer ${args.join(' ')} exited ${code}: ${stderr.slice(-2000)}`));
      const rssMiB = Number(readFileSync(rssFile, 'utf8')) / 1024;
      resolve({ seconds, rssMiB, stdout, stderr });
    });
  });
}
