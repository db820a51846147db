// Fenced signconf writes. The order makes a stale writer harmless and a crash recoverable:
//   1. write the stamped document to a temp file beside the target and fsync it;
//   2. in one fenced transaction (lease epoch checked), record zone, hash, epoch, writer, time;
//   3. check the lease's time is not up (a monotonic clock: a frozen process notices on waking),
//      rename the temp file into place and fsync the directory.
// A writer that lost the lease fails at step 2 or 3 and leaves nothing visible. A crash between 2 and
// 3 leaves the database ahead of the file; the next run sees the file does not match and rewrites.

import { promises as fs } from 'node:fs';
import { prepareFile } from '../util/atomic-file.js';
import type { Db, Queryable } from '../store/db.js';
import { assertLeaseTime, fenced, type Fence } from '../store/lease.js';
import { recordSignconf } from '../store/signconf-records.js';
import { failpoint } from '../util/failpoint.js';
import { readStamp, stampSignconf } from './metadata.js';

export interface SignconfWrite {
  zone: string;
  path: string;
  /** The rendered document (without stamp). */
  document: string;
  writtenAt: Date;
}

/** Whether the file at path holds exactly this document hash with an intact stamp. */
export async function fileMatches(path: string, hash: string): Promise<boolean> {
  let text: string;
  try {
    text = await fs.readFile(path, 'utf8');
  } catch {
    return false;
  }
  const r = readStamp(text);
  return r.stamp !== null && r.stamp.hash === hash && r.actualHash === hash;
}

/**
 * Write one signconf under the fence. `alsoInTransaction` runs inside the same fenced
 * transaction (e.g. the zone's state changes and audit entries), so the record and the state
 * it reflects commit together.
 */
export async function writeSignconf(
  db: Db,
  fence: Fence,
  w: SignconfWrite,
  alsoInTransaction?: (tx: Queryable) => Promise<void>,
): Promise<{ hash: string }> {
  const { text, hash } = stampSignconf(w.document, { epoch: fence.epoch, node: fence.node, writtenAt: w.writtenAt });
  const file = await prepareFile(w.path, text, 0o644, () => failpoint('mid-signconf'));
  try {
    await failpoint('before-signconf');
    await fenced(db, fence, async (tx) => {
      if (alsoInTransaction) await alsoInTransaction(tx);
      await recordSignconf(tx, {
        zone: w.zone,
        path: w.path,
        contentHash: hash,
        writtenEpoch: fence.epoch,
        writtenBy: fence.node,
        writtenAt: w.writtenAt,
      });
    });
    await failpoint('after-commit');
    await failpoint('before-rename');
    // The guard gave up since the commit, or this process was frozen (or cut off) long enough
    // for its lease to run out: leave the file as it is, like a crash between 2 and 3.
    assertLeaseTime(fence);
  } catch (e) {
    await file.abort();
    throw e;
  }
  await file.commit();
  return { hash };
}
