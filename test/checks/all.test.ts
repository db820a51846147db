// `check all` and the promise every check makes: read-only. On the standby node, with real PostgreSQL,
// real files and a real DNS responder: all OK, the worst status winning with one line per check, and
// every check in every format leaving the database and the signconf directory exactly as they were.
// Also once on the embedded database.

import { mkdtempSync, readFileSync, renameSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleSetup, runCli } from '../helpers/cli.js';
import { snapshotDatabase, snapshotDirectory } from '../helpers/db-snapshot.js';
import { checkEnv, perfdataOf, type CheckEnv } from './setup.js';

describe('check all', () => {
  let env: CheckEnv;
  beforeAll(async () => {
    env = await checkEnv({ responder: true });
  });
  afterAll(async () => env?.close());

  it('is OK with one line per check when everything is', async () => {
    const r = await env.check(env.standby, ['all']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ENFORCER OK - signconf OK, lease OK, live OK, rollover OK, keystore OK \| /);
    expect(lines.slice(1).map((l) => l.split(' - ')[0])).toEqual(['SIGNCONF OK', 'LEASE OK', 'LIVE OK', 'ROLLOVER OK', 'KEYSTORE OK']);
    // One perfdata label per value, though signconf and lease both report the run age.
    expect(lines[0]!.match(/'last_run_age'=/g)).toHaveLength(1);
    expect(perfdataOf(lines[0]!)).toMatchObject({ signconf_ok: 3, lease_epoch: 1, live_match: 3, keystore_missing: 0 });
  });

  it('takes the worst status, and lists the findings of every check worst first', async () => {
    const file = path.join(env.signconfDir, 'example.org.xml');
    renameSync(file, `${file}.away`);
    try {
      const r = await env.check(env.standby, ['all'], { ENFORCER_CLOCK_OFFSET: '+2h' });
      expect(r.code).toBe(2);
      const lines = r.stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^ENFORCER CRITICAL - signconf CRITICAL, lease WARNING, live OK, rollover OK, keystore OK \| /);
      expect(lines[6]).toMatch(/^CRITICAL signconf example\.org: missing: /);
      expect(lines.slice(7).every((l) => l.startsWith('WARNING '))).toBe(true);
      expect(lines).toContainEqual(expect.stringMatching(/^WARNING lease: this node's clock is \+7200(\.\d)? s off/));
      // The run's age, which signconf and lease both judge, is said once.
      expect(lines.filter((l) => l.includes('last successful run 2h ago (on node-a')).map((l) => l.split(':')[0])).toEqual(['WARNING signconf']);
      // The thresholds belong to the individual checks.
      const usage = await env.check(env.standby, ['all', '-w', '1h']);
      expect(usage.code).toBe(3);
      expect(usage.line).toBe("ENFORCER UNKNOWN - usage: unknown option '-w'");
      const json = await env.json(env.standby, ['all']);
      expect(json.report.status).toBe('CRITICAL');
      expect(json.report.checks!.map((c) => [c.check, c.status])).toEqual([['signconf', 'CRITICAL'], ['lease', 'OK'], ['live', 'OK'], ['rollover', 'OK'], ['keystore', 'OK']]);
    } finally {
      renameSync(`${file}.away`, file);
    }
  });

  it('skips live, saying so, without a probe section', async () => {
    const noProbe = env.config('standby-noprobe.yaml', (t) => t.replace(/probe:[\s\S]*$/, ''));
    const r = await env.check(noProbe, ['all']);
    expect(r.code).toBe(0);
    expect(r.line).toMatch(/^ENFORCER OK - signconf OK, lease OK, rollover OK, keystore OK, live skipped \(no probe section\) \|/);
  });

  it('every check, in every format, on the standby writes nothing: database and signconf directory unchanged', async () => {
    const dbBefore = await snapshotDatabase(env.url);
    const dirBefore = snapshotDirectory(env.signconfDir);
    const out = mkdtempSync(path.join(os.tmpdir(), 'textfile-'));
    const runs = [
      ...['signconf', 'lease', 'live', 'rollover', 'keystore'].map((name) => [name]),
      ['all', '--format', 'json'],
      ['signconf', '--database-only', '--format', 'prometheus'],
    ];
    for (const args of runs) {
      const r = await env.check(env.standby, args);
      expect(r.code, `${args.join(' ')}: ${r.stdout}${r.stderr}`).toBe(0);
    }
    expect((await env.check(env.standby, ['all', '--format', 'prometheus', '--output', path.join(out, 'enforcer.prom')])).code).toBe(0);
    expect(readFileSync(path.join(out, 'enforcer.prom'), 'utf8')).toContain('dnssec_enforcer_check_status{check="all"} 0\n');
    expect(await snapshotDatabase(env.url)).toEqual(dbBefore);
    expect(snapshotDirectory(env.signconfDir)).toEqual(dirBefore);
  });
});

describe('check on the embedded database', () => {
  it('reads it like PostgreSQL', async () => {
    const setup = exampleSetup();
    expect((await runCli(['--config', setup.config, 'run'])).code).toBe(0);
    const r = await runCli(['--config', setup.config, 'check', 'all']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ENFORCER OK - signconf OK, lease OK, rollover OK, keystore OK, live skipped \(no probe section\) \|/);
    // PGlite takes seconds to open on a loaded machine, and this opens it twice.
  }, 240_000);
});
