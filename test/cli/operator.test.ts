// Operator commands through the real CLI: DS answers that do not fit are refused and change
// nothing; a manual roll request starts a roll at the next run; `signconf` rewrites on demand.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/util/exit-codes.js';
import { exampleSetup, runCli } from '../helpers/cli.js';
import { createPostgresDatabase } from '../helpers/databases.js';

describe('operator commands', () => {
  let drop: () => Promise<void>;
  let config: string;
  const cli = (...args: string[]) => runCli(['--config', config, '--json', ...args]);
  const ok = async (...args: string[]) => {
    const r = await cli(...args);
    if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}`);
    return JSON.parse(r.stdout);
  };

  beforeAll(async () => {
    const pg = await createPostgresDatabase();
    drop = pg.drop;
    ({ config } = exampleSetup({ url: pg.url }));
    await ok('run');
  });
  afterAll(async () => drop());

  it('refuses a DS answer nobody asked for, and changes nothing', async () => {
    const before = await ok('key', 'list');
    const r = await cli('key', 'ds-seen', '--zone', 'example.com', '--all');
    expect(r.code).toBe(EXIT.BAD_INPUT);
    expect(r.stdout).toContain('zone example.com: no key waiting for ds-seen');
    const ksk = before.find((k: { zone: string; role: string }) => k.zone === 'example.com' && k.role === 'KSK');
    const gone = await cli('key', 'ds-gone', '--zone', 'example.com', '--keytag', String(ksk.keyTag));
    expect(gone.code).toBe(EXIT.BAD_INPUT);
    expect(gone.stdout).toContain(`key ${ksk.keyTag}: DS is 'unsubmitted', expected 'retract'`);
    expect(await ok('key', 'list')).toEqual(before);
  });

  it('checks its arguments', async () => {
    expect((await cli('key', 'ds-seen', '--zone', 'example.com', '--all', '--keytag', '1')).code).toBe(EXIT.USAGE);
    expect((await cli('key', 'rollover', '--zone', 'example.com', '--keytype', 'XSK')).code).toBe(EXIT.USAGE);
    const csk = await cli('key', 'rollover', '--zone', 'example.com', '--keytype', 'CSK');
    expect(csk.code).toBe(EXIT.BAD_INPUT);
    expect(csk.stdout).toContain('its policy default has no CSK');
  });

  it('starts a requested ZSK roll at the next run', async () => {
    const zsks = async () => (await ok('key', 'list', '--zone', 'example.com')).filter((k: { role: string }) => k.role === 'ZSK');
    expect(await zsks()).toHaveLength(1);
    expect(await ok('key', 'rollover', '--zone', 'example.com', '--keytype', 'ZSK')).toEqual({ zone: 'example.com', role: 'ZSK', requested: true });
    const run = await ok('run');
    expect(run.zonesChanged).toBeGreaterThanOrEqual(1);
    const after = await zsks();
    expect(after).toHaveLength(2);
    expect(after.map((k: { goal: string }) => k.goal).sort()).toEqual(['hidden', 'omnipresent']);
  });

  it('keeps a quiet cron run silent when there is nothing for the operator to do', async () => {
    const r = await runCli(['--config', config, '--log-level', 'silent', 'run', '--quiet']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('');
  });

  it('rewrites signconf files on demand under a new epoch', async () => {
    const r = await ok('signconf', '--zone', 'example.net');
    expect(r).toMatchObject({ role: 'active', signconfWritten: 1, zonesExamined: 1 });
  });
});
