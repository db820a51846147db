// Scenario 11: the signconf directory refuses writes. Read-only: the directory is made 0555 and,
// as root (who ignores permission bits), the enforcer is started by setpriv without the
// capabilities that override them (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH), so the kernel refuses
// exactly as it would a non-root service user; no mount or tmpfs needed, which a container's root
// may not be allowed. Full: a file-size limit (`ulimit -f 1` through /bin/sh; Node ignores
// SIGXFSZ, so the write fails with EFBIG as on a full disk). Each time the zones fail, nothing is
// recorded and nothing is left in the directory; a failover onto a node whose directory is
// read-only says NO-GO and publishes nothing; once writable again everything completes.

import { chmodSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../../src/util/exit-codes.js';
import { snapshotDatabase, snapshotDirectory } from '../../helpers/db-snapshot.js';
import { FaultCluster, type Node } from '../../helpers/fault-cluster.js';
import { Scenario } from '../../helpers/fault-report.js';

const ZONES = ['--zone', 'example.com', 'example.net', 'example.org'];
const root = process.getuid?.() === 0;
/** As root: drop the capabilities that let root write into a directory whose mode forbids it. */
const READ_ONLY_WRAPPER = root ? ['setpriv', '--bounding-set', '-dac_override,-dac_read_search', '--inh-caps', '-dac_override,-dac_read_search'] : ['env'];
const FULL_WRAPPER = ['/bin/sh', '-c', 'ulimit -f 1 && exec "$0" "$@"'];

describe('scenario 11: the signconf directory read-only or full', () => {
  let c: FaultCluster;
  afterAll(async () => {
    if (c) for (const n of ['node-a', 'node-b'] as Node[]) chmodSync(c.signconfDir(n), 0o755);
    await c?.close();
  });

  it('fails the zones, records nothing, leaves nothing, and recovers', async () => {
    const s = new Scenario('11 signconf directory read-only (setpriv without CAP_DAC_OVERRIDE) or full (ulimit -f)');
    c = await FaultCluster.create();
    const unchanged = async (n: Node, wrapper: string[], what: string) => {
      const db = (await snapshotDatabase(c.url)).signconf_record;
      const files = snapshotDirectory(c.signconfDir(n));
      const r = await c.cliUnder(wrapper, n, ['--json', 'run', '--force', ...ZONES]);
      expect(r.code, r.stdout + r.stderr).toBe(EXIT.PARTIAL);
      const summary = JSON.parse(r.stdout) as { errors: Array<{ message: string }> };
      expect(summary.errors).toHaveLength(3);
      expect(summary.errors[0]!.message).toMatch(what === 'read-only' ? /EACCES|permission denied/ : /EFBIG|file too large/);
      expect((await snapshotDatabase(c.url)).signconf_record).toEqual(db);
      expect(snapshotDirectory(c.signconfDir(n))).toEqual(files);
      s.add(`zone writes refused (${what})`, summary.errors.length);
    };

    chmodSync(c.signconfDir('node-a'), 0o555);
    await unchanged('node-a', READ_ONLY_WRAPPER, 'read-only');
    chmodSync(c.signconfDir('node-a'), 0o755);
    await unchanged('node-a', FULL_WRAPPER, 'full');
    const ok = await c.run('node-a', ['--force', ...ZONES]);
    expect(ok.summary, ok.stderr).toMatchObject({ outcome: 'ok', signconfWritten: 3 });
    s.add('rounds');

    // A failover onto a node that cannot write its signconf files: NO-GO, held; then GO.
    chmodSync(c.signconfDir('node-b'), 0o555);
    await c.serve();
    const held = await c.cliUnder(READ_ONLY_WRAPPER, 'node-b', ['--json', 'failover', '--partner-down']);
    const report = JSON.parse(held.stdout) as { verdict: string; steps: Array<{ status: string }> };
    expect(report.verdict, held.stdout + held.stderr).toBe('NO-GO');
    expect(report.steps[2]!.status).toBe('FAIL');
    s.add('failovers NO-GO');
    expect((await c.run('node-b')).code).toBe(EXIT.ERROR);
    s.add('runs held');
    chmodSync(c.signconfDir('node-b'), 0o755);
    const go = await c.failover('node-b');
    expect(go.report.verdict, go.stdout + go.stderr).toBe('GO');
    s.add('failovers GO');
    expect((await c.run('node-a')).summary?.role).toBe('standby');
    s.set('as root', root ? 'yes (setpriv)' : 'no');
    await s.finish(c);
  });
});
