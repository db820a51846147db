// A holder frozen mid-run (SIGSTOP, as a paused VM would be) for longer than the lease ttl: the
// server ends its run-lock session, the lease expires, the other node takes over and runs. When
// the old holder is resumed (SIGCONT) it must write nothing at all, in the database or the
// signconf directory, and exit non-zero.

import { afterAll, describe, expect, it } from 'vitest';
import { takeOver } from '../../src/lease/take-over.js';
import { readLease, releaseLease } from '../../src/store/lease.js';
import { openPostgres } from '../../src/store/pg-db.js';
import { readRunLockHolder } from '../../src/store/run-lock.js';
import { EXIT } from '../../src/util/exit-codes.js';
import { createPostgresDatabase } from '../helpers/databases.js';
import { snapshotDatabase, snapshotDirectory } from '../helpers/db-snapshot.js';
import { markDatabase, nodesSetup } from '../helpers/ha-setup.js';
import { sleep, startEnforcer, waitStopped } from '../helpers/processes.js';
import { runCli } from '../helpers/cli.js';

const TTL = 5;

describe('a paused holder', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const c of cleanup) await c();
  });

  it('writes nothing after it is resumed once the other node took over', async () => {
    const { url, drop } = await createPostgresDatabase();
    cleanup.push(drop);
    await markDatabase({ url });
    const setup = nodesSetup({ url }, ['node-a', 'node-b'], { ttl: TTL });
    const db = await openPostgres(url);
    cleanup.unshift(() => db.close());

    const a = startEnforcer(['--config', setup.configs['node-a']!, 'run'], { ENFORCER_FAILPOINT: 'pause-before-signconf' });
    cleanup.unshift(async () => {
      a.child.kill('SIGKILL');
    });
    await a.waitForLog((l) => l.msg === 'failpoint before-signconf reached: pause');
    await waitStopped(a.pid);
    const stoppedAt = Date.now();
    const epochA = (await readLease(db)).epoch;

    // Frozen past the ttl: its lease expires and the server ends its lock session.
    for (;;) {
      const lease = await readLease(db);
      if (!lease.held && (await readRunLockHolder(db)) === null) break;
      expect(Date.now() - stoppedAt).toBeLessThan(3 * TTL * 1000);
      await sleep(200);
    }
    console.log(`frozen holder: lease expired and run lock freed ${Date.now() - stoppedAt} ms after it stopped (ttl ${TTL} s)`);

    const t = await takeOver(db, 'node-b', TTL, 'node-a frozen');
    expect(t.fence.epoch).toBe(epochA + 1);
    await releaseLease(db, t.fence);
    const b = await runCli(['--config', setup.configs['node-b']!, '--json', 'run']);
    expect(b.code, b.stderr).toBe(0);
    expect(JSON.parse(b.stdout)).toMatchObject({ role: 'active', node: 'node-b', epoch: epochA + 2, outcome: 'ok', signconfWritten: 3 });

    const dbBefore = await snapshotDatabase(url);
    const filesBefore = snapshotDirectory(setup.signconfDir);
    // node-b's three files, and node-a's temp files, prepared just before it froze (the zone at the
    // failpoint, and any other zone step in flight beside it).
    const temps = Object.keys(filesBefore).filter((f) => f.startsWith('.'));
    expect(temps).toContainEqual(expect.stringMatching(/^\.example\.com\.xml\.[0-9a-f]+\.tmp$/));
    for (const t of temps) expect(t).toMatch(/^\.example\.(com|net|org)\.xml\.[0-9a-f]+\.tmp$/);
    expect(Object.keys(filesBefore).filter((f) => !f.startsWith('.'))).toEqual(['example.com.xml', 'example.net.xml', 'example.org.xml']);
    const visible = Object.fromEntries(Object.entries(filesBefore).filter(([f]) => !f.startsWith('.')));

    a.child.kill('SIGCONT');
    const code = await a.exited;
    expect(code).not.toBe(0);
    expect(code).toBe(EXIT.NOT_ACTIVE);
    expect(a.stderr()).toMatch(/lease lost|run lock lost/);
    expect(await snapshotDatabase(url)).toEqual(dbBefore);
    // node-b's files untouched, and node-a's temp file removed rather than renamed into place.
    expect(snapshotDirectory(setup.signconfDir)).toEqual(visible);
  });
});
