// Stale temp files: what a write killed between prepareFile and its commit or abort leaves behind
// (src/util/atomic-file.ts): `.<basename>.<12 hex>.tmp` beside the target, some empty, some torn,
// some (in a keystore directory) holding a whole private key. Nothing else ever removes them.
//
// Contract:
//   - only names matching TEMP_FILE_NAME exactly (anchored), directly in the given directory;
//   - lstat, never stat: a symlink, directory, socket or anything else that is not a regular file
//     is never touched, whatever its name; unlink never follows a symlink either, so a name swapped
//     for a symlink between the lstat and the unlink only loses that symlink;
//   - only files whose modification time is more than `minAgeMs` before `now`. `now` must be the
//     wall clock (systemClock), never a moved enforcer clock: mtimes are the file system's;
//   - contents are never read, and only the name, size and age are reported (never key material);
//   - a missing directory holds no stale files, and a file that vanished meanwhile is no error;
//     any other failure to list the directory throws; a file that cannot be removed is returned
//     with the reason, not thrown.
// Callers decide when removal is safe (under the lease: src/enforcer/stale-temp-sweep.ts) and who
// only reports (the checks).

import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fsyncDirectory, TEMP_FILE_NAME } from './atomic-file.js';

/**
 * How old a temp file must be before it counts as stale: max(1 h, 4 lease ttls).
 * A temp file lives from prepareFile to its commit or abort, within one step of one run: signconf
 * files across one fenced transaction (and a writer past its lease deadline, at most one ttl after
 * its last renewal, refuses to rename), key files across one fsync. So a live writer's temp file is
 * seconds old; one older than several ttls has no writer that could still put it in place. The
 * floor of an hour keeps a wide margin for a slow disk or a long pause with short ttls, and the
 * longest ttl (3600 s) still gives stale files back within half a day.
 */
export function staleTempMinAgeMs(leaseTtlSeconds: number): number {
  return Math.max(3600, 4 * leaseTtlSeconds) * 1000;
}

export interface TempFile {
  /** The file name (no directory). */
  name: string;
  path: string;
  size: number;
  mtime: Date;
  /** Whole seconds since its last modification. */
  ageSeconds: number;
}

export interface SweepResult {
  removed: TempFile[];
  failed: Array<{ file: TempFile; error: string }>;
}

/** Stale temp files directly in `dir`, by name. */
export async function findStaleTempFiles(dir: string, minAgeMs: number, now: Date): Promise<TempFile[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (e) {
    if (errno(e) === 'ENOENT') return [];
    throw e;
  }
  const out: TempFile[] = [];
  for (const name of names.filter((n) => TEMP_FILE_NAME.test(n)).sort()) {
    const p = path.join(dir, name);
    let st;
    try {
      st = await fs.lstat(p);
    } catch (e) {
      if (errno(e) === 'ENOENT') continue;
      throw e;
    }
    if (!st.isFile()) continue;
    const ageMs = now.getTime() - st.mtimeMs;
    if (ageMs <= minAgeMs) continue;
    out.push({ name, path: p, size: st.size, mtime: st.mtime, ageSeconds: Math.floor(ageMs / 1000) });
  }
  return out;
}

/** Remove the stale temp files directly in `dir`; what could not be removed is returned, not thrown. */
export async function removeStaleTempFiles(dir: string, minAgeMs: number, now: Date): Promise<SweepResult> {
  const result: SweepResult = { removed: [], failed: [] };
  for (const file of await findStaleTempFiles(dir, minAgeMs, now)) {
    try {
      await fs.unlink(file.path);
      result.removed.push(file);
    } catch (e) {
      if (errno(e) === 'ENOENT') continue;
      result.failed.push({ file, error: errno(e) ?? (e as Error).message });
    }
  }
  // The removals survive a crash like the writes they clean up after; failing to make them durable loses nothing.
  if (result.removed.length > 0) await fsyncDirectory(dir).catch(() => undefined);
  return result;
}

function errno(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null ? (e as NodeJS.ErrnoException).code : undefined;
}
