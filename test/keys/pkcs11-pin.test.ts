// Where a PKCS#11 PIN comes from: the environment, or a file only its owner can read. Real files
// with real modes; the PIN never appears in a message.

import { chmodSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readPin } from '../../src/keys/pkcs11-pin.js';

const SECRET = '73914628';
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'enforcer-pin-'));
});

function pinFile(name: string, content: string, mode: number): string {
  const file = path.join(dir, name);
  writeFileSync(file, content);
  chmodSync(file, mode);
  return file;
}

describe('PKCS#11 PIN', () => {
  it('comes from an environment variable', async () => {
    expect(await readPin('HSM', { env: 'HSM_PIN' }, { HSM_PIN: SECRET })).toBe(SECRET);
    await expect(readPin('HSM', { env: 'HSM_PIN' }, {})).rejects.toThrow('keystore HSM: the PIN variable HSM_PIN (pinEnv) is not set in the environment');
    await expect(readPin('HSM', { env: 'HSM_PIN' }, { HSM_PIN: '' })).rejects.toThrow(/not set/);
  });

  it.each([0o600, 0o400])('comes from a file of mode %o, without its trailing newline', async (mode) => {
    expect(await readPin('HSM', { file: pinFile(`ok-${mode}`, `${SECRET}\n`, mode) })).toBe(SECRET);
  });

  it.each([0o640, 0o604, 0o660, 0o644, 0o601])('refuses a file of mode %o, naming the keystore and the fix', async (mode) => {
    const file = pinFile(`open-${mode}`, SECRET, mode);
    const err = (await readPin('HSM', { file }).catch((e: Error) => e)) as Error;
    expect(err.message).toBe(`keystore HSM: PIN file ${file} has mode 0${mode.toString(8)}; it must be readable by its owner only (fix with: chmod 600 ${file})`);
    expect(err.message).not.toContain(SECRET);
  });

  it('refuses a symlink, a missing file, a directory, an empty file and a second line', async () => {
    const target = pinFile('target', SECRET, 0o600);
    const link = path.join(dir, 'link');
    symlinkSync(target, link);
    await expect(readPin('HSM', { file: link })).rejects.toThrow(`keystore HSM: PIN file ${link} is a symbolic link`);
    await expect(readPin('HSM', { file: path.join(dir, 'none') })).rejects.toThrow(/PIN file .*none does not exist/);
    await expect(readPin('HSM', { file: dir })).rejects.toThrow(/is not a regular file|has mode/);
    await expect(readPin('HSM', { file: pinFile('empty', '\n', 0o600) })).rejects.toThrow(/PIN file .*empty is empty/);
    const two = (await readPin('HSM', { file: pinFile('two', `${SECRET}\n${SECRET}\n`, 0o600) }).catch((e: Error) => e)) as Error;
    expect(two.message).toMatch(/has more than one line/);
    expect(two.message).not.toContain(SECRET);
  });
});
