// Durable, atomic file replacement: readers see the old file or the new one, never a torn one,
// and after return the new content survives a power loss (temp file fsync, rename, directory fsync).

import { randomBytes } from 'node:crypto';
import { promises as fs, constants } from 'node:fs';
import path from 'node:path';

export interface PreparedFile {
  /** Final path the file will have after commit(). */
  target: string;
  /** Temp path holding the fully written, fsynced content. */
  temp: string;
  /** Move the temp file into place and fsync the directory. */
  commit(): Promise<void>;
  /** Remove the temp file (after a failed fenced step). */
  abort(): Promise<void>;
}

/** Write and fsync a temp file beside `target`; nothing is visible at `target` until commit(). */
export async function prepareFile(target: string, content: string | Uint8Array, mode = 0o644): Promise<PreparedFile> {
  const dir = path.dirname(target);
  const temp = path.join(dir, `.${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  const fh = await fs.open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
  try {
    await fh.writeFile(content);
    await fh.sync();
  } catch (e) {
    await fh.close().catch(() => undefined);
    await fs.rm(temp, { force: true });
    throw e;
  }
  await fh.close();
  return {
    target,
    temp,
    async commit() {
      await fs.rename(temp, target);
      await fsyncDir(dir);
    },
    async abort() {
      await fs.rm(temp, { force: true });
    },
  };
}

export async function writeFileAtomic(target: string, content: string | Uint8Array, mode = 0o644): Promise<void> {
  const p = await prepareFile(target, content, mode);
  await p.commit();
}

export async function fsyncDir(dir: string): Promise<void> {
  const dh = await fs.open(dir, constants.O_RDONLY);
  try {
    await dh.sync();
  } finally {
    await dh.close();
  }
}
