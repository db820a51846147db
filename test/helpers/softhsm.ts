// SoftHSM tokens for the PKCS#11 tests: a private configuration and token directory per test file
// (SOFTHSM2_CONF), tokens made with softhsm2-util, and the checks that decide whether the tests can
// run here: softhsm2-util, the SoftHSM module and the pkcs11js binding. Outside CI a missing piece
// skips the tests with the reason shown; under CI it fails them (see tools.ts).

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { requireTool } from './tools.js';

const MODULE_PATHS = ['/usr/lib/softhsm/libsofthsm2.so', '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so', '/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so'];

/** The SoftHSM PKCS#11 module on this machine, or null. */
export function softHsmModule(): string | null {
  return MODULE_PATHS.find((p) => existsSync(p)) ?? null;
}

/** Why the PKCS#11 tests cannot run here, or null when they can. Throws under CI instead of returning a reason. */
export function pkcs11Unavailable(): string | null {
  if (!requireTool('softhsm2-util')) return 'softhsm2-util is not on PATH (Debian package softhsm2)';
  const reasons: string[] = [];
  if (!softHsmModule()) reasons.push('the SoftHSM module libsofthsm2.so is not installed (Debian package softhsm2)');
  try {
    createRequire(import.meta.url)('pkcs11js');
  } catch (e) {
    reasons.push(`the optional npm package pkcs11js is not installed or did not build: ${(e as Error).message.split('\n')[0]}`);
  }
  if (reasons.length === 0) return null;
  if (process.env.CI) throw new Error(`PKCS#11 tests cannot run: ${reasons.join('; ')}`);
  return reasons.join('; ');
}

export interface SoftHsm {
  dir: string;
  /** The SoftHSM configuration file: pass as SOFTHSM2_CONF. */
  conf: string;
  module: string;
  env: { SOFTHSM2_CONF: string };
  /** Initialises a new token with this label and user PIN. */
  addToken(label: string, pin: string): void;
  /** A second configuration on the same token directory with only these mechanisms disabled (SoftHSM's slots.mechanisms). */
  confWithout(mechanisms: string[]): string;
}

export function createSoftHsm(): SoftHsm {
  const module = softHsmModule();
  if (!module) throw new Error('SoftHSM is not installed');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'enforcer-softhsm-'));
  const tokens = path.join(dir, 'tokens');
  mkdirSync(tokens, { mode: 0o700 });
  const write = (name: string, mechanisms: string) => {
    const file = path.join(dir, name);
    writeFileSync(
      file,
      [`directories.tokendir = ${tokens}`, 'objectstore.backend = file', 'log.level = ERROR', 'slots.removable = false', `slots.mechanisms = ${mechanisms}`, ''].join('\n'),
    );
    return file;
  };
  const conf = write('softhsm2.conf', 'ALL');
  return {
    dir,
    conf,
    module,
    env: { SOFTHSM2_CONF: conf },
    addToken(label, pin) {
      execFileSync('softhsm2-util', ['--init-token', '--free', '--label', label, '--pin', pin, '--so-pin', `so-${pin}`], {
        env: { ...process.env, SOFTHSM2_CONF: conf },
        stdio: 'pipe',
      });
    },
    confWithout(mechanisms) {
      // "-" before the list disables its entries. SoftHSM 2.6.1 skips the first entry of such a list,
      // so it gets an empty one (unknown names are ignored, so this stays right once that is fixed).
      return write(`softhsm2-without-${mechanisms.join('-').toLowerCase()}.conf`, `-,${mechanisms.join(',')}`);
    },
  };
}

/** Raw access to a token through the binding, bypassing the keystore, to inspect or damage it. */
export interface RawSession {
  lib: RawLib;
  session: Buffer;
  find(id: string, cls: number): Buffer[];
  attrs(object: Buffer, types: number[]): Map<number, Buffer>;
  close(): void;
}

interface RawLib {
  load(p: string): void;
  close(): void;
  C_Initialize(o?: object): void;
  C_Finalize(): void;
  C_GetSlotList(b: boolean): Buffer[];
  C_GetTokenInfo(s: Buffer): { label: string };
  C_OpenSession(s: Buffer, f: number): Buffer;
  C_CloseSession(s: Buffer): void;
  C_Login(s: Buffer, user: number, pin: string): void;
  C_FindObjectsInit(s: Buffer, t: object[]): void;
  C_FindObjects(s: Buffer, n: number): Buffer[];
  C_FindObjectsFinal(s: Buffer): void;
  C_GetAttributeValue(s: Buffer, o: Buffer, t: object[]): Array<{ type: number; value: Buffer }>;
  C_DestroyObject(s: Buffer, o: Buffer): void;
}

/**
 * A read-write session on the token labelled `label`. With `pin` it logs in itself; without, it relies
 * on a keystore of this process being logged in. The module is finalised on close only if this
 * session initialised it (a keystore open in this process keeps using it otherwise).
 */
export function rawSession(hsm: SoftHsm, label: string, pin?: string): RawSession {
  const binding = createRequire(import.meta.url)('pkcs11js') as { PKCS11: new () => RawLib };
  const lib = new binding.PKCS11();
  lib.load(hsm.module);
  let initialised = false;
  try {
    lib.C_Initialize({ flags: 2 });
    initialised = true;
  } catch {
    // already initialised in this process: the same library instance
  }
  const slot = lib.C_GetSlotList(true).find((s) => lib.C_GetTokenInfo(s).label.trim() === label);
  if (!slot) throw new Error(`no token ${label}`);
  const session = lib.C_OpenSession(slot, 4 | 2);
  if (pin !== undefined) lib.C_Login(session, 1, pin);
  const ID = 0x102;
  const CLASS = 0x0;
  return {
    lib,
    session,
    find(id, cls) {
      lib.C_FindObjectsInit(session, [{ type: ID, value: Buffer.from(id, 'hex') }, { type: CLASS, value: cls }]);
      const out = lib.C_FindObjects(session, 10);
      lib.C_FindObjectsFinal(session);
      return out;
    },
    attrs(o, types) {
      return new Map(lib.C_GetAttributeValue(session, o, types.map((type) => ({ type }))).map((a) => [a.type, a.value]));
    },
    close() {
      lib.C_CloseSession(session);
      if (initialised) lib.C_Finalize();
    },
  };
}
