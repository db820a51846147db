// `check signconf` through the real CLI on the standby node, against real PostgreSQL and the real
// signconf files the active node wrote: fresh, each way a file can differ from its record, a record
// behind the database, no recent run, and the ways the check itself cannot run (UNKNOWN, exit 3).

import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stampSignconf } from '../../src/signconf/metadata.js';
import { runCli } from '../helpers/cli.js';
import { checkEnv, perfdataOf, type CheckEnv } from './setup.js';

describe('check signconf', () => {
  let env: CheckEnv;
  let file: string;
  let original: string;
  beforeAll(async () => {
    env = await checkEnv();
    file = path.join(env.signconfDir, 'example.net.xml');
    original = readFileSync(file, 'utf8');
  });
  afterAll(async () => env?.close());
  /** Change example.net's file for the duration of fn. */
  const withFile = async (content: string | null, fn: () => Promise<void>) => {
    if (content === null) renameSync(file, `${file}.away`);
    else writeFileSync(file, content);
    try {
      await fn();
    } finally {
      if (content === null) renameSync(`${file}.away`, file);
      writeFileSync(file, original);
    }
  };

  it('is OK when every file is as recorded, with counts and the run age as perfdata', async () => {
    const r = await env.check(env.standby, ['signconf']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.line).toMatch(/^SIGNCONF OK - 3 zones, every signconf as recorded; last successful run \d+s ago \| /);
    const perf = perfdataOf(r.line);
    expect(perf).toMatchObject({ signconf_zones: 3, signconf_ok: 3, signconf_missing: 0, signconf_hash_mismatch: 0, signconf_wrong_epoch: 0, signconf_stale: 0 });
    expect(perf.last_run_age).toBeLessThan(600);
    expect(r.line).toMatch(/'last_run_age'=\d+s;3600;86400;0/);
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(1);
  });

  it('is CRITICAL naming the zone when a file is missing', async () => {
    await withFile(null, async () => {
      const r = await env.check(env.standby, ['signconf']);
      expect(r.code).toBe(2);
      expect(r.line).toMatch(/^SIGNCONF CRITICAL - 1 of 3 zones not as recorded: example\.net missing; last successful run/);
      expect(perfdataOf(r.line)).toMatchObject({ signconf_missing: 1, signconf_ok: 2 });
      expect(r.stdout.split('\n')[1]).toBe(`CRITICAL example.net: missing: ${file} cannot be read (ENOENT); the database recorded it written ${r.stdout.match(/written (\S+) by node-a/)![1]} by node-a`);
      // Where the standby has no copy of the active node's files, --database-only still checks the records.
      const db = await env.check(env.standby, ['signconf', '--database-only']);
      expect(db.code).toBe(0);
      expect(db.line).toMatch(/^SIGNCONF OK - 3 zones, every signconf as recorded \(records only, files not read\)/);
    });
  });

  it('is CRITICAL on a hash mismatch: a well-stamped file that is not the recorded one', async () => {
    const document = [original.split('\n')[0], ...original.split('\n').slice(2)].join('\n').replace('</SignerConfiguration>', '<!-- an older one --></SignerConfiguration>');
    const older = stampSignconf(document, { epoch: 1, node: 'node-a', writtenAt: new Date('2026-01-01T00:00:00Z') }).text;
    await withFile(older, async () => {
      const r = await env.check(env.standby, ['signconf']);
      expect(r.code).toBe(2);
      expect(r.line).toMatch(/^SIGNCONF CRITICAL - 1 of 3 zones not as recorded: example\.net hash mismatch;/);
      expect(perfdataOf(r.line)).toMatchObject({ signconf_hash_mismatch: 1 });
      expect(r.stdout.split('\n')[1]).toMatch(new RegExp(`^CRITICAL example\\.net: hash mismatch: ${file} holds [0-9a-f]{12} \\(written 2026-01-01T00:00:00\\.000Z by node-a, epoch 1\\), the database recorded [0-9a-f]{12} `));
    });
  });

  it('is CRITICAL on a wrong epoch: the recorded document under another epoch\'s stamp', async () => {
    await withFile(original.replace(/epoch=1 /, 'epoch=7 '), async () => {
      const r = await env.check(env.standby, ['signconf']);
      expect(r.code).toBe(2);
      expect(r.line).toMatch(/^SIGNCONF CRITICAL - 1 of 3 zones not as recorded: example\.net wrong epoch;/);
      expect(perfdataOf(r.line)).toMatchObject({ signconf_wrong_epoch: 1, signconf_hash_mismatch: 0 });
      expect(r.stdout).toContain('is stamped epoch 7 by node-a, the database recorded epoch 1 by node-a');
    });
  });

  it('is CRITICAL when the file was edited or carries no stamp', async () => {
    await withFile(original.replace('</SignerConfiguration>', '<!-- edited --></SignerConfiguration>'), async () => {
      const r = await env.check(env.standby, ['signconf']);
      expect(r.code).toBe(2);
      expect(perfdataOf(r.line)).toMatchObject({ signconf_edited: 1 });
      expect(r.stdout).toContain(`CRITICAL example.net: edited: ${file} was edited after it was written`);
    });
    await withFile(original.split('\n').filter((_, i) => i !== 1).join('\n'), async () => {
      const r = await env.check(env.standby, ['signconf']);
      expect(r.code).toBe(2);
      expect(perfdataOf(r.line)).toMatchObject({ signconf_unstamped: 1 });
    });
  });

  it('is WARNING when the database changed after the files were written (stale), until the next run', async () => {
    const kasp = path.join(env.dir, 'kasp-changed.xml');
    writeFileSync(kasp, readFileSync(path.join(env.dir, 'kasp.xml'), 'utf8').replace('<Resign>PT2H</Resign>', '<Resign>PT3H</Resign>'));
    expect((await runCli(['--config', env.active, 'policy', 'import', '--file', kasp])).code).toBe(0);
    try {
      const r = await env.check(env.standby, ['signconf']);
      expect(r.code).toBe(1);
      // The two zones of policy "default"; example.org (policy "lab") is as recorded.
      expect(r.line).toMatch(/^SIGNCONF WARNING - 2 of 3 zones not as recorded: example\.com stale, example\.net stale;/);
      expect(perfdataOf(r.line)).toMatchObject({ signconf_stale: 2, signconf_ok: 1 });
      expect(r.stdout.split('\n')[1]).toMatch(/^WARNING example\.com: stale: written \S+ by node-a, but the database changed since \(policy, keys or NSEC3 salt\); the active node's next run rewrites it/);
      // --zone limits the check; a zone not in the database is UNKNOWN, not a silent OK.
      expect((await env.check(env.standby, ['signconf', '--zone', 'example.org'])).code).toBe(0);
      const none = await env.check(env.standby, ['signconf', '--zone', 'example.invalid']);
      expect(none.code).toBe(3);
      expect(none.line).toBe('SIGNCONF UNKNOWN - no such zone in the database: example.invalid');
    } finally {
      expect((await runCli(['--config', env.active, 'policy', 'import', '--file', path.join(env.dir, 'kasp.xml')])).code).toBe(0);
    }
    expect((await env.check(env.standby, ['signconf'])).code).toBe(0);
  });

  it('is WARNING, then CRITICAL, when no run succeeded recently; -w/-c move the limits', async () => {
    const later = await env.check(env.standby, ['signconf'], { ENFORCER_CLOCK_OFFSET: '+2h' });
    expect(later.code).toBe(1);
    expect(later.line).toMatch(/^SIGNCONF WARNING - 3 zones, every signconf as recorded; last successful run 2h(?:\d+m)? ago/);
    expect(later.stdout.split('\n')[1]).toMatch(/^WARNING last successful run 2h(?:\d+m)? ago \(on node-a, epoch 1, finished \S+\): is the enforcer's cron job running on the active node\?$/);
    expect(perfdataOf(later.line).last_run_age).toBeGreaterThanOrEqual(7200);
    const much = await env.check(env.standby, ['signconf'], { ENFORCER_CLOCK_OFFSET: '+25h' });
    expect(much.code).toBe(2);
    const relaxed = await env.check(env.standby, ['signconf', '-w', '3h', '-c', '2d'], { ENFORCER_CLOCK_OFFSET: '+2h' });
    expect(relaxed.code).toBe(0);
    expect(relaxed.line).toMatch(/'last_run_age'=\d+s;10800;172800;0$/);
  });

  it('is WARNING naming a stale temp file in the signconf directory and its age; a young one is no finding', async () => {
    const stale = path.join(env.signconfDir, '.example.net.xml.0123456789ab.tmp');
    const young = path.join(env.signconfDir, '.example.com.xml.abcdefabcdef.tmp');
    writeFileSync(stale, '<SignerConfig');
    writeFileSync(young, '');
    const old = new Date(Date.now() - 3 * 3600 * 1000 - 60_000);
    utimesSync(stale, old, old);
    try {
      const r = await env.check(env.standby, ['signconf']);
      expect(r.code, r.stdout).toBe(1);
      expect(r.line).toMatch(/^SIGNCONF WARNING - 3 zones, every signconf as recorded; last successful run \d+s ago; 1 stale temp file \| /);
      expect(perfdataOf(r.line)).toMatchObject({ signconf_stale_temp_files: 1, signconf_ok: 3 });
      expect(r.stdout.split('\n').slice(1, -1)).toEqual([
        `WARNING stale temp file .example.net.xml.0123456789ab.tmp in the signconf directory ${env.signconfDir} (3h1m old, 13 bytes): left by an interrupted write; ` +
          "the active node's runs remove such files from their own directories: if it stays (or this is the standby), remove it by hand",
      ]);
      const prom = await env.check(env.standby, ['signconf', '--format', 'prometheus']);
      expect(prom.stdout).toContain('\ndnssec_enforcer_stale_temp_files{directory="signconf"} 1\n');
      // Checks only report: the file is still there. With --database-only the directory is not read.
      expect(existsSync(stale)).toBe(true);
      expect((await env.check(env.standby, ['signconf', '--database-only'])).code).toBe(0);
    } finally {
      rmSync(stale, { force: true });
      rmSync(young, { force: true });
    }
    const clean = await env.check(env.standby, ['signconf']);
    expect(clean.code).toBe(0);
    expect(perfdataOf(clean.line)).toMatchObject({ signconf_stale_temp_files: 0 });
  });

  it('writes JSON (--format json and --json agree) and Prometheus text atomically with --output', async () => {
    const a = await env.json(env.standby, ['signconf']);
    const b = await runCli(['--config', env.standby, '--json', 'check', 'signconf']);
    expect(a.report).toMatchObject({ check: 'signconf', status: 'OK', exitCode: 0, node: 'node-b', findings: [] });
    expect(JSON.parse(b.stdout)).toMatchObject({ check: 'signconf', status: 'OK', perfdata: a.report.perfdata.map((p) => ({ label: p.label })) });
    const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'textfile-')), 'enforcer.prom');
    const p = await env.check(env.standby, ['signconf', '--format', 'prometheus', '--output', out]);
    expect(p.code).toBe(0);
    expect(p.stdout).toBe('');
    const text = readFileSync(out, 'utf8');
    expect(text).toContain('# TYPE dnssec_enforcer_signconf_zones gauge\ndnssec_enforcer_signconf_zones{state="ok"} 3\n');
    expect(text).toContain('dnssec_enforcer_check_status{check="signconf"} 0\n');
    expect(text).toMatch(/\ndnssec_enforcer_last_successful_run_age_seconds \d+\n/);
    expect(readdirSync(path.dirname(out))).toEqual(['enforcer.prom']);
  });

  it('is UNKNOWN (exit 3, a status line, no stack trace) when it cannot run', async () => {
    const down = env.config('standby-nodb.yaml', (t) => t.replace(/url: .*/, 'url: postgres://enforcer:secret@127.0.0.1:1/enforcer'));
    const r = await env.check(down, ['signconf']);
    expect(r.code).toBe(3);
    expect(r.line).toMatch(/^SIGNCONF UNKNOWN - cannot read the database: .*ECONNREFUSED/);
    expect(r.stdout + r.stderr).not.toMatch(/secret|\n\s+at /);
    // The textfile says so too, rather than keeping the last good values.
    const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'textfile-')), 'enforcer.prom');
    expect((await env.check(down, ['signconf', '--format', 'prometheus', '--output', out])).code).toBe(3);
    expect(readFileSync(out, 'utf8')).toContain('dnssec_enforcer_check_status{check="signconf"} 3\n');

    const bad = env.config('standby-bad.yaml', (t) => t.replace('signconf:', 'signconf:\n  colour: blue'));
    const c = await env.check(bad, ['signconf']);
    expect(c.code).toBe(3);
    expect(c.line).toMatch(/^SIGNCONF UNKNOWN - configuration: .*standby-bad\.yaml:\d+: signconf\.colour: unknown key/);

    const usage = await env.check(env.standby, ['signconf', '-w', 'soon']);
    expect(usage.code).toBe(3);
    expect(usage.line).toBe('SIGNCONF UNKNOWN - usage: -w/-c: "soon" is not a threshold: "soon" is not a number (with an optional unit s, m, h or d)');
    const unknownOption = await env.check(env.standby, ['signconf', '--bogus']);
    expect(unknownOption.code).toBe(3);
    expect(unknownOption.line).toBe("SIGNCONF UNKNOWN - usage: unknown option '--bogus'");
    expect(existsSync(file)).toBe(true);
  });
});
