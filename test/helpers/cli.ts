// Runs the real `bin/enforcer` (compiled by `npm test`'s pretest build) as a child process.

import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = path.join(ROOT, 'bin', 'enforcer');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...process.env, ENFORCER_DATABASE_URL: undefined, ENFORCER_CONFIG: undefined, ...env }, timeout: 120_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** A scratch copy of the bundled example (kasp.xml, zonelist.xml, config) in a temp directory. */
export function exampleSetup(database?: { url: string }): { dir: string; config: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'enforcer-cli-'));
  copyFileSync(path.join(ROOT, 'examples', 'kasp.xml'), path.join(dir, 'kasp.xml'));
  copyFileSync(path.join(ROOT, 'examples', 'zonelist.xml'), path.join(dir, 'zonelist.xml'));
  const config = path.join(dir, 'enforcer.yaml');
  writeFileSync(
    config,
    [
      'node: test-node',
      'database:',
      database ? `  url: ${database.url}` : '  dataDirectory: var/db',
      'policy:',
      '  kasp: kasp.xml',
      '  zonelist: zonelist.xml',
      'signconf:',
      '  directory: signconf',
      'keystores:',
      '  SoftHSM:',
      '    type: file',
      '    directory: var/keys',
      'log:',
      '  level: warn',
      '',
    ].join('\n'),
  );
  return { dir, config };
}
