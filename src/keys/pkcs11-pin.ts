// Where a PKCS#11 keystore's user PIN comes from: an environment variable, or a file only its owner
// can read. Contract: the PIN is read when the keystore is opened (not when the configuration is
// loaded, so commands that never touch the token do not need it); a file open to group or others,
// a symlink, or one owned by another user (other than root) is refused, not used; the PIN itself
// never appears in an error or a log line. One trailing newline (as `echo` writes) is dropped.

import { constants, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';
import { KeystoreError } from './keystore.js';

export type PinSource = { env: string } | { file: string };

export async function readPin(keystore: string, source: PinSource, env: Record<string, string | undefined> = process.env): Promise<string> {
  if ('env' in source) {
    const v = env[source.env];
    if (v === undefined || v === '') {
      throw new KeystoreError(`keystore ${keystore}: the PIN variable ${source.env} (pinEnv) is not set in the environment`);
    }
    return v;
  }
  const text = await readPinFile(keystore, source.file);
  const pin = text.replace(/\r?\n$/, '');
  if (pin === '') throw new KeystoreError(`keystore ${keystore}: PIN file ${source.file} is empty`);
  if (/[\r\n]/.test(pin)) throw new KeystoreError(`keystore ${keystore}: PIN file ${source.file} has more than one line`);
  return pin;
}

async function readPinFile(keystore: string, file: string): Promise<string> {
  let fh;
  try {
    // O_NOFOLLOW: a symlink could point the enforcer at a file someone else controls.
    fh = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ELOOP' ? 'is a symbolic link' : code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? 'error'})`;
    throw new KeystoreError(`keystore ${keystore}: PIN file ${file} ${why}`);
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new KeystoreError(`keystore ${keystore}: PIN file ${file} is not a regular file`);
    if ((st.mode & 0o077) !== 0) {
      throw new KeystoreError(
        `keystore ${keystore}: PIN file ${file} has mode ${mode(st)}; it must be readable by its owner only (fix with: chmod 600 ${file})`,
      );
    }
    const uid = process.getuid?.();
    if (uid !== undefined && st.uid !== uid && st.uid !== 0) {
      throw new KeystoreError(`keystore ${keystore}: PIN file ${file} is owned by uid ${st.uid}, not by this process (uid ${uid}) or root`);
    }
    return await fh.readFile('utf8');
  } finally {
    await fh.close();
  }
}

function mode(st: Stats): string {
  return '0' + (st.mode & 0o777).toString(8).padStart(3, '0');
}
