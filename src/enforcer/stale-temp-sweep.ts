// At the start of every run of the active node, under its lease: remove the stale temp files that
// killed writes left in the signconf directory and in every file keystore's directory (the rules
// and the age are src/util/stale-temp-files.ts's). Each removal is logged by name (never the
// content: a key temp file holds a private key) and audited; a file that cannot be removed is
// logged, counted and left for `check signconf` / `check keystore` to report: it never fails the run.
// Only the active node under its lease sweeps, after the lease-time check, so a process that
// was frozen past its lease never removes anything from a directory the new active node writes to.

import type { Config } from '../config/config.js';
import { fileKeystoreDirectories } from '../keys/keystores.js';
import { auditAll, type AuditEntry } from '../store/audit.js';
import type { Db } from '../store/db.js';
import { assertLeaseTime, fenced, type Fence } from '../store/lease.js';
import { systemClock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { removeStaleTempFiles, staleTempMinAgeMs } from '../util/stale-temp-files.js';

export interface TempSweep {
  removed: number;
  notRemoved: number;
}

export async function sweepStaleTempFiles(
  deps: { db: Db; fence: Fence; config: Pick<Config, 'signconfDirectory' | 'keystores' | 'lease'>; log: Logger },
  actor: string,
): Promise<TempSweep> {
  const { db, fence, config, log } = deps;
  const minAgeMs = staleTempMinAgeMs(config.lease.ttlSeconds);
  const places = [
    { what: 'signconf directory', directory: config.signconfDirectory },
    ...fileKeystoreDirectories(config).map((k) => ({ what: `keystore ${k.keystores.join(', ')}`, directory: k.directory })),
  ];
  const out: TempSweep = { removed: 0, notRemoved: 0 };
  const entries: AuditEntry[] = [];
  for (const { what, directory } of places) {
    assertLeaseTime(fence);
    // File ages are measured on the wall clock the file system stamps mtimes with, never a moved one.
    let swept;
    try {
      swept = await removeStaleTempFiles(directory, minAgeMs, systemClock.now());
    } catch (e) {
      log.warn({ directory, err: (e as NodeJS.ErrnoException).code ?? (e as Error).message }, `cannot look for stale temp files in the ${what}`);
      continue;
    }
    for (const f of swept.removed) {
      out.removed++;
      log.warn({ directory, file: f.name, bytes: f.size, ageSeconds: f.ageSeconds }, `removed a stale temp file from the ${what} (left by an interrupted write)`);
      entries.push({ actor, event: 'stale temp file removed', detail: { directory, file: f.name, bytes: f.size, modifiedAt: f.mtime.toISOString() } });
    }
    for (const { file, error } of swept.failed) {
      out.notRemoved++;
      log.warn({ directory, file: file.name, ageSeconds: file.ageSeconds, err: error }, `cannot remove a stale temp file from the ${what}; check signconf / check keystore report it`);
    }
  }
  if (entries.length > 0) await fenced(db, fence, (tx) => auditAll(tx, fence, entries));
  return out;
}
