// Scenario 18: DS submit/retract commands at least once, never stale. Both nodes have the same DS
// commands, which append "node action zone keytag" to one file beside the cluster, so every
// invocation is counted whichever node ran it. The nodes run days ahead (ENFORCER_CLOCK_OFFSET), two
// hours at a time, until a run decides a DS change and is killed right after committing it
// (crash-after-ds-decision), before its command. Three times:
//   1. the same node's next run runs the command, once;
//   2. the other node fails over (--partner-down): its failover runs no command, its next run runs
//      it once, the crashed node's cron is standby and runs none;
//   3. the active node's next run claims the request and is frozen (pause-before-ds-command) past its
//      lease; the other node fails over and runs it once; the frozen node, resumed, exits 75 and
//      starts nothing.
// After each: every DS request in the audit log has had its command run exactly once, none is
// pending, and the invariants I1-I5 hold.

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../../src/util/exit-codes.js';
import { FaultCluster, NODES, other, type Node } from '../../helpers/fault-cluster.js';
import { Scenario } from '../../helpers/fault-report.js';
import { sleep, waitStopped } from '../../helpers/processes.js';

const CRASHED = 128 + 9;
const offset = (hours: number) => ({ ENFORCER_CLOCK_OFFSET: `+${hours}h` });

interface DsCommandRun {
  zone: string;
  type: string;
  keyTag: number;
  attempt: number;
  ok: boolean;
  interruptedAt: string | null;
}

describe('scenario 18: DS commands at least once', () => {
  let c: FaultCluster;
  afterAll(async () => c?.close());

  it('runs the command of a DS decision cut off by a crash once, on the next run of the active node', async () => {
    const s = new Scenario('18 crash between a DS decision and its command; a freeze between its claim and its command');
    c = await FaultCluster.create();
    const log = path.join(c.dir, 'ds-commands.log');
    for (const n of NODES) {
      const command = `cat > /dev/null; echo "${n} $ENFORCER_DS_ACTION $ENFORCER_ZONE $ENFORCER_KEYTAG" >> "${log}"`;
      c.writeConfig(n, { extra: ['ds:', `  submitCommand: '${command}'`, `  retractCommand: '${command}'`, '  timeout: 10'] });
    }
    const invocations = (): string[] => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : []);
    const pending = async () =>
      Number((await c.sql<{ n: number }>(
        `SELECT count(*)::int AS n FROM zone_key WHERE ds_at_parent IN ('submit', 'retract') AND ds_command_done < ds_request`,
      ))[0]!.n);
    /** Every DS request the runs decided (audit entries without `from`) has had its command run exactly once. */
    const eachRequestOnce = async () => {
      const requests = await c.sql<{ event: string; zone: string; tag: number }>(
        `SELECT event, zone, (detail->>'keyTag')::int AS tag FROM audit_log
          WHERE event IN ('ds-submit', 'ds-retract') AND NOT detail ? 'from' ORDER BY id`,
      );
      const ran = invocations().map((l) => l.split(' ').slice(1).join(' '));
      expect(ran.sort()).toEqual(requests.map((r) => `${r.event} ${r.zone} ${r.tag}`).sort());
      expect(await pending()).toBe(0);
    };
    const waitLeaseFree = async () => {
      while ((await c.lease()).held) await sleep(200);
    };
    const commandsOf = (summary: Record<string, unknown> | null) => (summary?.dsCommands ?? []) as DsCommandRun[];

    let hours = 0;
    /** Runs on `n`, two hours apart, with crash-after-ds-decision armed, until one decides a DS change and dies there. */
    const crashAtNextDecision = async (n: Node) => {
      for (let i = 0; i < 60; i++) {
        hours += 2;
        const p = c.spawn(n, ['--json', 'run'], { ENFORCER_FAILPOINT: 'crash-after-ds-decision', ...offset(hours) });
        const code = await p.exited;
        if (code === CRASHED) {
          expect(p.logs().some((l) => l.msg === 'failpoint after-ds-decision reached: crash'), p.stderr()).toBe(true);
          s.add('crashes after a DS decision');
          return;
        }
        expect(code, p.stderr()).toBe(0);
        expect(JSON.parse(p.stdout()), p.stderr()).toMatchObject({ role: 'active', dsRequests: [], dsCommands: [] });
      }
      throw new Error(`no DS decision on ${n} up to ${hours} h ahead`);
    };

    // 1. Crash after the decision; the same node's next run (once the dead run's lease expired).
    await crashAtNextDecision('node-a');
    expect(invocations()).toEqual([]);
    expect(await pending()).toBeGreaterThan(0);
    await waitLeaseFree();
    const next = await c.run('node-a', [], offset(hours));
    expect(next.code, next.stderr).toBe(0);
    const first = commandsOf(next.summary);
    expect(first.length).toBeGreaterThan(0);
    expect(first.every((r) => r.ok && r.attempt === 1 && r.interruptedAt === null), JSON.stringify(first)).toBe(true);
    expect(invocations().every((l) => l.startsWith('node-a '))).toBe(true);
    await eachRequestOnce();
    expect(commandsOf((await c.run('node-a', [], offset(hours))).summary)).toEqual([]);
    expect((await c.run('node-b', [], offset(hours))).summary).toMatchObject({ role: 'standby' });
    s.add('DS commands run', invocations().length);
    s.add('rounds');

    // 2. Crash after the decision; the other node fails over, and its next run runs the command.
    await crashAtNextDecision('node-a');
    let before = invocations().length;
    await c.serve();
    const fo = await c.failover('node-b', ['--partner-down', '--reason', 'crashed after a DS decision'], offset(hours));
    expect(fo.report.verdict, fo.stdout + fo.stderr).toBe('GO');
    s.add('failovers');
    expect(invocations()).toHaveLength(before); // a failover's own run asks the parent for nothing
    const taken = await c.run('node-b', [], offset(hours));
    expect(taken.code, taken.stderr).toBe(0);
    expect(commandsOf(taken.summary).length).toBeGreaterThan(0);
    expect((await c.run('node-a', [], offset(hours))).summary).toMatchObject({ role: 'standby', dsCommands: [] });
    expect(invocations().slice(before).every((l) => l.startsWith('node-b '))).toBe(true);
    await eachRequestOnce();
    s.add('DS commands run', invocations().length - before);
    s.add('rounds');

    // 3. Decided (crash), then the next run claims the request and freezes before its command, past its lease.
    await crashAtNextDecision('node-b');
    await waitLeaseFree();
    before = invocations().length;
    const frozen = c.spawn('node-b', ['--json', 'run'], { ENFORCER_FAILPOINT: 'pause-before-ds-command', ...offset(hours) });
    await frozen.waitForLog((l) => l.msg.startsWith('failpoint '));
    await waitStopped(frozen.pid);
    const stoppedAt = Date.now();
    await waitLeaseFree();
    await sleep(c.ttl * 1000);
    s.add('ms frozen before the takeover', Date.now() - stoppedAt);
    await c.serve();
    const fo2 = await c.failover(other('node-b'), ['--partner-down', '--reason', 'frozen before its DS command'], offset(hours));
    expect(fo2.report.verdict, fo2.stdout + fo2.stderr).toBe('GO');
    s.add('failovers');
    frozen.child.kill('SIGCONT');
    expect(await frozen.exited, frozen.stderr()).toBe(EXIT.NOT_ACTIVE);
    expect(invocations()).toHaveLength(before); // the resumed node started nothing
    s.add('commands refused after a freeze');
    const after = await c.run('node-a', [], offset(hours));
    expect(after.code, after.stderr).toBe(0);
    const rerun = commandsOf(after.summary);
    expect(rerun.filter((r) => r.interruptedAt !== null && r.attempt === 2), JSON.stringify(rerun)).toHaveLength(1);
    expect(rerun.every((r) => r.ok)).toBe(true);
    expect(invocations().slice(before).every((l) => l.startsWith('node-a '))).toBe(true);
    expect((await c.run('node-b', [], offset(hours))).summary).toMatchObject({ role: 'standby', dsCommands: [] });
    await eachRequestOnce();
    s.add('DS commands run', invocations().length - before);
    s.add('rounds');
    s.set('hours ahead', hours);
    await s.finish(c);
  });
});
