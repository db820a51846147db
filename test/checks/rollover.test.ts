// `check rollover` through the real CLI against real PostgreSQL: a run two days on asks for the DS
// of the new KSKs at the parent, with a DS submit command that fails (and fails again when the next
// run retries it); the operator's ds-seen then does not come (WARNING after 2 days, CRITICAL after 7), and much later keys outlive their
// lifetime with no run to roll them.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { checkEnv, perfdataOf, type CheckEnv } from './setup.js';

/** Hours after the first run when the second runs. */
const B = 48;
const at = (hours: number) => ({ ENFORCER_CLOCK_OFFSET: `+${hours}h` });

describe('check rollover', () => {
  let env: CheckEnv;
  let ksk: number;
  let kskNet: number;
  beforeAll(async () => {
    env = await checkEnv({ activeConfig: (t) => `${t}ds:\n  submitCommand: "echo registrar says no >&2; exit 1"\n` });
    // Two days on, the new KSK's DNSKEY is everywhere: the run asks for the DS of example.com's and example.net's.
    const run = await runCli(['--config', env.active, '--json', 'run'], at(B));
    expect(JSON.parse(run.stdout).dsRequests).toHaveLength(2);
    await env.refreshKeys();
    ksk = env.keys.find((k) => k.zone === 'example.com' && k.role === 'KSK')!.keyTag;
    kskNet = env.keys.find((k) => k.zone === 'example.net' && k.role === 'KSK')!.keyTag;
  });
  afterAll(async () => env?.close());

  it('is WARNING at once for the failed DS submit commands, naming what to do by hand', async () => {
    const r = await env.check(env.standby, ['rollover'], at(B));
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.line).toMatch(/^ROLLOVER WARNING - 3 zones, 2 keys waiting for ds-seen\/ds-gone \(longest \d+s\), 2 failed DS commands \(failing for up to \d+s, retried every run\) \| /);
    const [, since, last] = /failing since (\S+) \(1 attempt, last: exited with code 1 at (\S+)\)/.exec(r.stdout)!;
    expect(r.stdout.split('\n').slice(1, 3)).toEqual([
      `WARNING example.com: KSK ${ksk}: ds-submit command failing since ${since} (1 attempt, last: exited with code 1 at ${last}); every run retries it; ` +
        `or put the DS at the parent by hand (enforcer key export --zone example.com --ds), then: enforcer key ds-seen --zone example.com --keytag ${ksk}`,
      expect.stringMatching(new RegExp(`^WARNING example\\.net: KSK ${kskNet}: ds-submit command failing since \\S+ \\(1 attempt, last: exited with code 1 at \\S+\\); every run retries it; or put the DS at the parent by hand`)),
    ]);
    expect(perfdataOf(r.line)).toMatchObject({ rollover_operator_waits: 2, rollover_ds_command_failed: 2, rollover_lifetime_overdue: 0 });
  });

  it('shows the retries: the next run runs the failing commands again; one failing for longer than -c is CRITICAL', async () => {
    // Half an hour on: the run decides nothing new, and retries both pending requests.
    const run = await runCli(['--config', env.active, '--json', 'run'], { ENFORCER_CLOCK_OFFSET: `+${B * 60 + 30}m` });
    expect(run.code, run.stderr).toBe(4);
    const summary = JSON.parse(run.stdout);
    expect(summary.dsRequests).toEqual([]);
    const retry = { type: 'ds-submit', request: 1, attempt: 2, ok: false, summary: 'exited with code 1', interruptedAt: null };
    expect(summary.dsCommands).toEqual([{ zone: 'example.com', keyTag: ksk, ...retry }, { zone: 'example.net', keyTag: kskNet, ...retry }]);
    expect(summary.errors).toContainEqual({ zone: 'example.com', message: `ds-submit command for key ${ksk} failed (attempt 2; the next run tries again): exited with code 1` });
    const r = await env.check(env.standby, ['rollover', '-w', '10d', '-c', '1h'], at(B + 2));
    expect(r.code, r.stdout).toBe(2);
    // -c is the limit for the operator waits too: those are CRITICAL as well.
    expect(r.stdout).toMatch(new RegExp(`\\nCRITICAL example\\.com: KSK ${ksk}: ds-submit command failing since \\S+ \\(2 attempts, last: exited with code 1 at \\S+\\); every run retries it;`));
    expect(perfdataOf(r.line).rollover_ds_command_failing_max).toBeGreaterThanOrEqual(2 * 3600 - 60);
  });

  it('is WARNING after two days of waiting for ds-seen, CRITICAL after seven; -w/-c move the limits', async () => {
    const w = await env.check(env.standby, ['rollover'], at(B + 3 * 24));
    expect(w.code).toBe(1);
    expect(w.stdout).toContain(`\nWARNING example.com: KSK ${ksk} has waited 3d for ds-seen (since `);
    expect(w.stdout).toContain(`: check its DS at the parent, then: enforcer key ds-seen --zone example.com --keytag ${ksk}\n`);
    expect(perfdataOf(w.line).rollover_wait_max).toBeGreaterThanOrEqual(3 * 86400);
    const c = await env.check(env.standby, ['rollover'], at(B + 8 * 24));
    expect(c.code).toBe(2);
    expect(c.stdout.split('\n')[1]).toMatch(new RegExp(`^CRITICAL example\\.(com|net): KSK (${ksk}|${kskNet}) has waited 8d for ds-seen`));
    const relaxed = await env.check(env.standby, ['rollover', '-w', '10d', '-c', '30d'], at(B + 8 * 24));
    expect(relaxed.code).toBe(1); // the failed commands are still there
    expect(relaxed.stdout).not.toMatch(/has waited/);
    expect(relaxed.line).toMatch(/'rollover_wait_max'=\d+s;864000;2592000;0/);
  });

  it('clears a key once the operator answers ds-seen', async () => {
    const seen = await runCli(['--config', env.active, 'key', 'ds-seen', '--zone', 'example.com', '--keytag', String(ksk)], at(B + 1));
    expect(seen.code, seen.stderr).toBe(0);
    const r = await env.check(env.standby, ['rollover', '--zone', 'example.com'], at(B + 8 * 24));
    expect(r.code, r.stdout).toBe(0);
    expect(r.line).toMatch(/^ROLLOVER OK - 1 zone, no key waits for the operator \|/);
  });

  it('is WARNING for keys past their lifetime with no successor (no run has rolled them)', async () => {
    // Thresholds out of the way: the KSK has waited for ds-seen all that time too.
    const r = await env.check(env.standby, ['rollover', '--zone', 'example.net', '-w', '1000d', '-c', '1000d'], at(100 * 24));
    expect(r.code).toBe(1);
    const zsk = env.keys.find((k) => k.zone === 'example.net' && k.role === 'ZSK')!.keyTag;
    expect(r.stdout).toMatch(
      new RegExp(`\\nWARNING example\\.net: ZSK ${zsk} is (9d\\d+h|10d) past its lifetime \\(ended \\S+\\) without a successor; the active node's runs should have started its roll`),
    );
    expect(perfdataOf(r.line)).toMatchObject({ rollover_lifetime_overdue: 1 });
  });
});
