// Scenarios 5 and 6: the active node reaches PostgreSQL through a TCP proxy.
// 5: the proxy stops forwarding mid-run (a half-open path: no reset reaches either end, the
//    server's side of the connections is simply idle). The node's heartbeat times out and it stops;
//    the server ends its idle lock session after one ttl (idle_session_timeout), which frees the run
//    lock; the other node fails over. When the path resets, the cut-off node has written nothing.
// 6: the proxy rewrites `idle_session_timeout` in what the node sends to a harmless custom setting
//    of the same length, so the server never gets the timeout that would end a half-open holder's
//    session: the node must refuse to start (the settings are read back), changing nothing.

import { afterAll, describe, expect, it } from 'vitest';
import { readRunLockHolder } from '../../../src/store/run-lock.js';
import { openPostgres } from '../../../src/store/pg-db.js';
import { EXIT } from '../../../src/util/exit-codes.js';
import { snapshotDatabase, snapshotDirectory } from '../../helpers/db-snapshot.js';
import { FaultCluster } from '../../helpers/fault-cluster.js';
import { Scenario } from '../../helpers/fault-report.js';
import { sleep } from '../../helpers/processes.js';
import { replaceBytes, startProxy, type TcpProxy } from '../../helpers/tcp-proxy.js';

const FORCE = ['--json', 'run', '--force', '--zone', 'example.com', 'example.net', 'example.org'];
const visible = (d: Record<string, string>) => Object.fromEntries(Object.entries(d).filter(([f]) => !f.startsWith('.')));
const target = (url: string) => ({ host: new URL(url).hostname, port: Number(new URL(url).port) });

describe('scenarios 5 and 6: the database behind a misbehaving network path', () => {
  const proxies: TcpProxy[] = [];
  const clusters: FaultCluster[] = [];
  afterAll(async () => {
    for (const p of proxies) await p.close();
    for (const c of clusters) await c.close();
  });

  it('5: a half-open connection: the node stops, the server frees its lock within a ttl, the other node takes over', async () => {
    const s = new Scenario('5 half-open connection (a proxy that stops forwarding)');
    const c = await FaultCluster.create();
    clusters.push(c);
    const proxy = await startProxy(target(c.url));
    proxies.push(proxy);
    c.writeConfig('node-a', { url: proxy.via(c.url) });
    const a = c.spawn('node-a', FORCE, { ENFORCER_FAILPOINT: 'sleep-before-signconf:4000' });
    await a.waitForLog((l) => l.msg.startsWith('failpoint before-signconf reached'));
    const filesA = snapshotDirectory(c.signconfDir('node-a'));
    const t0 = Date.now();
    proxy.blackhole();
    const lost = await a.waitForLog((l) => l.msg.includes('no longer sure to be the only acting enforcer'), 30_000);
    s.set('ms until the cut-off node stopped', lost.time - t0);
    const db = await openPostgres(c.url);
    try {
      while ((await readRunLockHolder(db)) !== null) {
        expect(Date.now() - t0).toBeLessThan(3 * c.ttl * 1000);
        await sleep(100);
      }
    } finally {
      await db.close();
    }
    s.set('ms until the server freed its run lock', Date.now() - t0);
    await c.serve();
    const r = await c.failover('node-b', ['--partner-down', '--reason', 'node-a cut off']);
    expect(r.report.verdict, r.stdout + r.stderr).toBe('GO');
    s.add('failovers');
    const before = await snapshotDatabase(c.url);
    proxy.resetAll();
    const code = await a.exited;
    expect([EXIT.NOT_ACTIVE, EXIT.DB_UNAVAILABLE, EXIT.ERROR], a.stderr()).toContain(code);
    s.add('writes refused');
    s.set('ms until the cut-off process exited', Date.now() - t0);
    expect(await snapshotDatabase(c.url)).toEqual(before);
    expect(visible(snapshotDirectory(c.signconfDir('node-a')))).toEqual(visible(filesA));
    // node-a's cron, direct again: standby.
    c.writeConfig('node-a');
    const old = await c.run('node-a');
    expect(old.summary?.role, old.stderr).toBe('standby');
    s.add('rounds');
    await s.finish(c);
  });

  it("6: a path that swallows idle_session_timeout: the node refuses to start and changes nothing", async () => {
    const s = new Scenario('6 idle_session_timeout not honoured (swallowed by a proxy): refused');
    const c = await FaultCluster.create();
    clusters.push(c);
    const proxy = await startProxy(target(c.url), { rewrite: replaceBytes('idle_session_timeout', 'enforcer.idle_timeou') });
    proxies.push(proxy);
    c.writeConfig('node-a', { url: proxy.via(c.url) });
    c.writeConfig('node-b', { url: proxy.via(c.url) });
    const before = await snapshotDatabase(c.url);
    for (const args of [['run'], ['run', '--force'], ['failover', '--partner-down']]) {
      const node = args[0] === 'failover' ? 'node-b' : 'node-a';
      const r = await c.cli(node, args);
      expect(r.code, r.stderr).toBe(EXIT.ERROR);
      expect(r.stdout + r.stderr).toMatch(/the server did not accept idle_session_timeout = 5000 on the run lock's session \(it reads nothing\); without it a dead or frozen holder could keep the lock/);
      s.add('starts refused');
    }
    expect(await snapshotDatabase(c.url)).toEqual(before);
    s.set('proxied connections', proxy.connections());
    c.writeConfig('node-a');
    expect((await c.run('node-a')).code).toBe(0);
    s.add('rounds');
    await s.finish(c);
  });
});
