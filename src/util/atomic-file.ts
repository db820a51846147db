// Durable, atomic file replacement: readers see the old file or the new one, never a torn one,
// and after return the new content survives a power loss (temp file fsync, rename, directory
// fsync). The temp file is created O_EXCL|O_NOFOLLOW beside the target with its final mode
// (re-applied after the umask), and removed again if anything fails. A process killed before
// that leaves it behind under TEMP_FILE_NAME's pattern, hidden (a leading dot) from readers that
// list `*.xml` or `*.pem`; src/util/stale-temp-files.ts finds and removes such leftovers.

import { randomBytes } from 'node:crypto';
import { promises as fs, constants } from 'node:fs';
import path from 'node:path';

/** `.<basename>.<12 hex>.tmp`: the temp files prepareFile creates, and nothing else (anchored). */
export const TEMP_FILE_NAME = /^\.(.+)\.[0-9a-f]{12}\.tmp$/;

/** The temp file prepareFile uses for `target`: beside it, hidden, with a random part. */
export function tempPathFor(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
}

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

/**
 * Write and fsync a temp file beside `target`; nothing is visible at `target` until commit().
 * `midWrite` runs when half the content is written (a failpoint's hook: a crash leaves a torn temp file).
 */
export async function prepareFile(
  target: string,
  content: string | Uint8Array,
  mode = 0o644,
  midWrite?: () => Promise<void>,
): Promise<PreparedFile> {
  const dir = path.dirname(target);
  const temp = tempPathFor(target);
  const fh = await fs.open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode);
  try {
    try {
      await fh.chmod(mode); // the umask may have taken bits away; the result must not depend on it
      if (midWrite) {
        const bytes = typeof content === 'string' ? Buffer.from(content) : content;
        const half = Math.floor(bytes.length / 2);
        await writeAll(fh, bytes.subarray(0, half));
        await midWrite();
        await writeAll(fh, bytes.subarray(half));
      } else {
        await fh.writeFile(content);
      }
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch (e) {
    await fs.rm(temp, { force: true });
    throw e;
  }
  return {
    target,
    temp,
    async commit() {
      try {
        await fs.rename(temp, target);
      } catch (e) {
        await fs.rm(temp, { force: true });
        throw e;
      }
      await fsyncDirectory(dir);
    },
    async abort() {
      await fs.rm(temp, { force: true });
    },
  };
}

async function writeAll(fh: fs.FileHandle, bytes: Uint8Array): Promise<void> {
  for (let off = 0; off < bytes.length; ) off += (await fh.write(bytes, off, bytes.length - off)).bytesWritten;
}

export async function writeFileAtomic(target: string, content: string | Uint8Array, mode = 0o644): Promise<void> {
  const p = await prepareFile(target, content, mode);
  await p.commit();
}

export async function fsyncDirectory(dir: string): Promise<void> {
  const dh = await fs.open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await dh.sync();
  } finally {
    await dh.close();
  }
}
