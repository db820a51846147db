// Embedded mode (PGlite, one host): the lock file beside the data directory lets one process in
// at a time. Two processes started at once: one runs, the other exits 75 naming the first's pid.
// A lock left by a process that no longer runs is reported in the log and taken over.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../src/util/exit-codes.js';
import { runCli } from '../helpers/cli.js';
import { markDatabase, nodesSetup } from '../helpers/ha-setup.js';
import { startEnforcer, waitStopped } from '../helpers/processes.js';

function embeddedSetup() {
  const directory = path.join(mkdtempSync(path.join(os.tmpdir(), 'enforcer-ha-embedded-')), 'db');
  return { directory, setup: nodesSetup({ directory }, ['node-a']) };
}

describe('embedded database lock file', () => {
  it('lets one of two processes started at once run; the other exits 75 naming it', { timeout: 180_000 }, async () => {
    const { directory, setup } = embeddedSetup();
    await markDatabase({ directory });
    // Each process, once in, freezes before its first signconf: the winner keeps the lock file
    // for as long as the test wants, however the two start-ups interleave.
    const env = { ENFORCER_FAILPOINT: 'pause-before-signconf' };
    const procs = [0, 1].map(() => startEnforcer(['--config', setup.configs['node-a']!, '--json', 'run'], env));
    const first = await Promise.race(procs.map((p, i) => p.exited.then((code) => ({ i, code }))));
    const loser = procs[first.i]!;
    const winner = procs[1 - first.i]!;
    expect(first.code, loser.stderr()).toBe(EXIT.NOT_ACTIVE);
    expect(loser.stderr()).toMatch(new RegExp(`the embedded database is in use by process ${winner.pid} on ${os.hostname()} since \\S+ \\(lock file ${directory}\\.lock\\)`));
    await waitStopped(winner.pid);
    winner.child.kill('SIGCONT');
    expect(await winner.exited, winner.stderr()).toBe(0);
    expect(JSON.parse(winner.stdout())).toMatchObject({ role: 'active', outcome: 'ok', signconfWritten: 3 });
  });

  it('reports a stale lock left by a dead process and takes it over', { timeout: 180_000 }, async () => {
    const { directory, setup } = embeddedSetup();
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const deadPid = Number(dead.stdout);
    writeFileSync(`${directory}.lock`, JSON.stringify({ pid: deadPid, host: os.hostname(), since: '2026-01-01T00:00:00.000Z' }) + '\n');
    const r = await runCli(['--config', setup.configs['node-a']!, '--json', 'run']);
    expect(r.code, r.stderr).toBe(0);
    const warning = r.stderr.split('\n').find((l) => l.includes('stale embedded database lock'));
    expect(JSON.parse(warning!)).toMatchObject({
      level: 40,
      msg: `stale embedded database lock ${directory}.lock left by process ${deadPid} (since 2026-01-01T00:00:00.000Z), which is no longer running; taking it over`,
    });
    expect(JSON.parse(r.stdout)).toMatchObject({ role: 'active', outcome: 'ok' });
  });
});
