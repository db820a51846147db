// `enforcer status` through the real CLI: each role and reason, text and --json, exit codes.

import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/util/exit-codes.js';
import { runCli } from '../helpers/cli.js';
import { createPostgresDatabase } from '../helpers/databases.js';
import { nodesSetup } from '../helpers/ha-setup.js';

describe('enforcer status', () => {
  const drops: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const d of drops) await d();
  });

  it('reports WAIT before any run, then ACTIVE on the active node and STANDBY on the other', async () => {
    const { url, drop } = await createPostgresDatabase();
    drops.push(drop);
    const setup = nodesSetup({ url }, ['node-a', 'node-b', 'node-c']);
    const status = async (node: string, json = true) => runCli(['--config', setup.configs[node]!, ...(json ? ['--json'] : []), 'status']);

    // Nothing has run: the schema is not even there yet.
    const none = await status('node-b');
    expect(none.code).toBe(EXIT.ERROR);
    expect(none.stderr).toMatch(/schema is at version 0, this enforcer needs \d+; run 'enforcer db migrate'/);
    expect((await runCli(['--config', setup.configs['node-b']!, 'db', 'migrate'])).code).toBe(0);
    const fresh = await status('node-b');
    expect(fresh.code).toBe(EXIT.NOT_ACTIVE);
    expect(JSON.parse(fresh.stdout)).toMatchObject({ node: 'node-b', role: 'WAIT', reason: 'no-active-node', activeNode: null, epoch: 0, lastRun: null });

    const run = await runCli(['--config', setup.configs['node-a']!, 'run']);
    expect(run.code, run.stderr).toBe(0);

    // The same cron line on the standby: exit 0 after exactly one log line naming the active node.
    const standbyRun = await runCli(['--config', setup.configs['node-b']!, 'run']);
    expect(standbyRun.code).toBe(0);
    const lines = standbyRun.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 30, role: 'standby', activeNode: 'node-a', msg: 'run: standby: node-a is the active node (epoch 1); nothing to do on node-b' });

    const active = await status('node-a');
    expect(active.code).toBe(0);
    const a = JSON.parse(active.stdout);
    expect(a).toMatchObject({
      node: 'node-a',
      role: 'ACTIVE',
      reason: null,
      activeNode: 'node-a',
      epoch: 1,
      lease: { live: false, holder: null },
      runLock: null,
      lastRun: { node: 'node-a', epoch: 1, outcome: 'ok' },
      lastSuccessfulRun: { node: 'node-a', epoch: 1, outcome: 'ok' },
      configuration: { matches: true, recorded: { node: 'node-a', epoch: 1 } },
      transition: null,
    });
    expect(a.nextRunNeeded).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(a.configuration.local).toMatch(/^[0-9a-f]{64}$/);

    const standby = await status('node-b', false);
    expect(standby.code).toBe(0);
    expect(standby.stdout).toMatch(/^node: +node-b\nrole: +STANDBY\nwhy: +node-a is the active node;/);
    expect(standby.stdout).toMatch(/\nactive node: +node-a \(epoch 1\)\nlease: +free\nrun lock: +free\nlast run: +ok on node-a \(epoch 1\)/);
    expect(standby.stdout).toMatch(/\nconfiguration: +[0-9a-f]{12}, the same as node-a recorded at /);
    expect(standby.stdout).toMatch(/\nclock: +database \S+, this node [+-]\d/);

    // node-c reads a zone list with one zone less: its configuration differs from node-a's.
    const zonelist = path.join(setup.dir, 'zonelist.xml');
    const fewer = readFileSync(zonelist, 'utf8').replace(/<Zone name="example\.org">[\s\S]*?<\/Zone>/, '');
    writeFileSync(path.join(setup.dir, 'zonelist-c.xml'), fewer);
    writeFileSync(setup.configs['node-c']!, readFileSync(setup.configs['node-c']!, 'utf8').replace('zonelist: zonelist.xml', 'zonelist: zonelist-c.xml'));
    const differs = await status('node-c');
    expect(differs.code).toBe(EXIT.NOT_ACTIVE);
    expect(JSON.parse(differs.stdout)).toMatchObject({
      role: 'WAIT',
      reason: 'config-differs',
      explanation: "this node's configuration differs from the one node-a recorded at its last run",
      configuration: { matches: false },
    });
  });

  it('reports WAIT (database unreachable) with exit 69 when the database cannot be reached', async () => {
    const setup = nodesSetup({ url: 'postgres://nobody:secret@127.0.0.1:1/nothing' }, ['node-a'], { logLevel: 'silent' });
    const r = await runCli(['--config', setup.configs['node-a']!, '--json', 'status']);
    expect(r.code).toBe(EXIT.DB_UNAVAILABLE);
    const s = JSON.parse(r.stdout);
    expect(s).toMatchObject({ role: 'WAIT', reason: 'database-unreachable', database: 'postgres://nobody:****@127.0.0.1:1/nothing' });
    expect(s.explanation).toMatch(/cannot connect to the database/);
    expect(r.stdout).not.toContain('secret');
  });
});
