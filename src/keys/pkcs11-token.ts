// One logged-in PKCS#11 token: the module loaded and initialised once per process (shared by every
// keystore on it, finalised when the last one closes), the token found by its label, the user
// logged in with the configured PIN, and a pool of sessions (one by default) so that, where the
// token allows it, several key generations run at once without two threads ever sharing a session.
// Contract: every failure is a KeystoreError that names the keystore, the module and the token and
// says what to check; the PIN is never part of a message. A login is tried once: a wrong PIN counts
// against the token's retry limit, so nothing here retries it.

import { createHash, timingSafeEqual } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { KeystoreError } from './keystore.js';
import { newPkcs11Library, pkcs11Code, pkcs11Reason, type Handle, type Pkcs11Library } from './pkcs11-binding.js';
import { CKF, CKR, CKU_USER } from './pkcs11-constants.js';
import { readPin, type PinSource } from './pkcs11-pin.js';

export interface TokenSettings {
  /** The keystore (repository) name, for messages. */
  keystore: string;
  module: string;
  tokenLabel: string;
  pin: PinSource;
  /**
   * Operations run on the token at once, each on its own session (default 1). SoftHSM's file object
   * store is not safe for concurrent use by threads of one process (key generation then fails at
   * random with CKR_GENERAL_ERROR), so more is for HSMs that handle it.
   */
  sessions?: number;
}

interface SharedModule {
  users: number;
  lib: Promise<Pkcs11Library>;
  /** Tokens this process is logged in to, by slot: a digest of the PIN that logged in, and how many keystores use it. */
  logins: Map<string, { pinDigest: Buffer; users: number }>;
}

const modules = new Map<string, SharedModule>();

export class Pkcs11Token {
  private readonly free: Handle[] = [];
  private readonly waiting: Array<(s: Handle) => void> = [];
  private opened = 0;
  private closed = false;

  private constructor(
    readonly settings: TokenSettings,
    readonly lib: Pkcs11Library,
    readonly slot: Handle,
    private readonly shared: SharedModule,
    /** The session opened at login; kept open so the login lasts as long as this object. */
    loginSession: Handle,
  ) {
    this.free.push(loginSession);
    this.opened = 1;
  }

  /** `keystore NAME (PKCS#11 token "LABEL" in MODULE)`, the prefix of every message. */
  get description(): string {
    return describe(this.settings);
  }

  static async open(settings: TokenSettings, env: Record<string, string | undefined> = process.env): Promise<Pkcs11Token> {
    const where = describe(settings);
    // Read the PIN first: a bad PIN source should not cost a module load, and is the likelier mistake.
    const pin = await readPin(settings.keystore, settings.pin, env);
    await checkModuleFile(settings, where);
    const shared = acquireModule(settings, where);
    let lib: Pkcs11Library;
    try {
      lib = await shared.lib;
    } catch (e) {
      releaseModule(settings.module, shared);
      throw e;
    }
    let session: Handle | null = null;
    let loginKey: string | null = null;
    try {
      const slot = findSlot(lib, settings, where);
      const info = lib.C_GetTokenInfo(slot);
      if ((info.flags & CKF.USER_PIN_LOCKED) !== 0) {
        throw new KeystoreError(`${where}: the user PIN is locked (too many wrong PINs); the token's security officer must unlock it`);
      }
      session = call(where, 'C_OpenSession', () => lib.C_OpenSession(slot, CKF.SERIAL_SESSION | CKF.RW_SESSION));
      loginKey = slot.toString('hex');
      login(lib, session, shared, loginKey, pin, settings, where);
      return new Pkcs11Token(settings, lib, slot, shared, session);
    } catch (e) {
      if (session) {
        try {
          lib.C_CloseSession(session);
        } catch {
          // the original error matters more
        }
      }
      releaseModule(settings.module, shared);
      throw e;
    }
  }

  /** Runs `fn` with a session of its own; at most `settings.sessions` run at once. */
  async withSession<T>(fn: (session: Handle) => Promise<T> | T): Promise<T> {
    const session = await this.acquire();
    try {
      return await fn(session);
    } finally {
      this.release(session);
    }
  }

  /** Closes the sessions (which ends the login when no other keystore uses the token) and releases the module. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    while (this.free.length < this.opened) await new Promise<Handle>((resolve) => this.waiting.push(resolve)).then((s) => this.free.push(s));
    for (const s of this.free.splice(0)) {
      try {
        this.lib.C_CloseSession(s);
      } catch {
        // closing anyway
      }
    }
    const key = this.slot.toString('hex');
    const l = this.shared.logins.get(key);
    if (l && --l.users === 0) this.shared.logins.delete(key);
    releaseModule(this.settings.module, this.shared);
  }

  private async acquire(): Promise<Handle> {
    if (this.closed) throw new KeystoreError(`${this.description}: the keystore is closed`);
    const s = this.free.pop();
    if (s) return s;
    if (this.opened < (this.settings.sessions ?? 1)) {
      this.opened++;
      try {
        return call(this.description, 'C_OpenSession', () => this.lib.C_OpenSession(this.slot, CKF.SERIAL_SESSION | CKF.RW_SESSION));
      } catch (e) {
        this.opened--;
        throw e;
      }
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(session: Handle): void {
    const next = this.waiting.shift();
    if (next) next(session);
    else this.free.push(session);
  }
}

/** Runs a binding call; a failure becomes a KeystoreError naming the call and the CKR_ code. */
export function call<T>(where: string, what: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw new KeystoreError(`${where}: ${what} failed: ${pkcs11Reason(e)}`);
  }
}

function describe(s: TokenSettings): string {
  return `keystore ${s.keystore} (PKCS#11 token ${JSON.stringify(s.tokenLabel)} in ${s.module})`;
}

async function checkModuleFile(settings: TokenSettings, where: string): Promise<void> {
  try {
    if (!(await stat(settings.module)).isFile()) throw new KeystoreError(`${where}: the PKCS#11 module ${settings.module} is not a file`);
  } catch (e) {
    if (e instanceof KeystoreError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new KeystoreError(
      `${where}: the PKCS#11 module ${settings.module} ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${code})`}; check \`module\``,
    );
  }
}

function acquireModule(settings: TokenSettings, where: string): SharedModule {
  let m = modules.get(settings.module);
  if (!m) {
    m = { users: 0, logins: new Map(), lib: loadModule(settings, where) };
    modules.set(settings.module, m);
  }
  // Counted before any await, so a concurrent release cannot finalise a module someone is about to use.
  m.users++;
  return m;
}

function releaseModule(path: string, m: SharedModule): void {
  if (--m.users > 0) return;
  if (modules.get(path) === m) modules.delete(path);
  m.lib.then(
    (lib) => {
      try {
        lib.C_Finalize();
        lib.close();
      } catch {
        // the process is done with it either way
      }
    },
    () => undefined,
  );
}

async function loadModule(settings: TokenSettings, where: string): Promise<Pkcs11Library> {
  const lib = await newPkcs11Library(settings.keystore);
  try {
    lib.load(settings.module);
  } catch (e) {
    throw new KeystoreError(`${where}: the PKCS#11 module could not be loaded: ${pkcs11Reason(e)}`);
  }
  try {
    // Async calls run on libuv's threads: the module must lock for itself.
    lib.C_Initialize({ flags: CKF.OS_LOCKING_OK });
  } catch (e) {
    if (pkcs11Code(e) !== CKR.CRYPTOKI_ALREADY_INITIALIZED) {
      lib.close();
      throw new KeystoreError(`${where}: C_Initialize failed: ${pkcs11Reason(e)}`);
    }
  }
  return lib;
}

function findSlot(lib: Pkcs11Library, settings: TokenSettings, where: string): Handle {
  const slots = call(where, 'C_GetSlotList', () => lib.C_GetSlotList(true));
  const labels: string[] = [];
  const matches: Handle[] = [];
  let blank = 0;
  for (const slot of slots) {
    const info = call(where, 'C_GetTokenInfo', () => lib.C_GetTokenInfo(slot));
    // SoftHSM, for one, always offers a fresh uninitialised token; it has no label worth listing.
    if ((info.flags & CKF.TOKEN_INITIALIZED) === 0) {
      blank++;
      continue;
    }
    const label = info.label.replace(/[ \0]+$/, '');
    labels.push(JSON.stringify(label));
    if (label === settings.tokenLabel) matches.push(slot);
  }
  labels.sort();
  if (blank > 0) labels.push(`${blank} uninitialised`);
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) throw new KeystoreError(`${where}: ${matches.length} tokens carry this label; labels must be unique`);
  throw new KeystoreError(`${where}: no token with this label (tokens present: ${labels.join(', ') || 'none'}); check \`tokenLabel\``);
}

function login(lib: Pkcs11Library, session: Handle, shared: SharedModule, key: string, pin: string, s: TokenSettings, where: string): void {
  const pinDigest = createHash('sha256').update(pin).digest();
  try {
    lib.C_Login(session, CKU_USER, pin);
  } catch (e) {
    const code = pkcs11Code(e);
    if (code === CKR.USER_ALREADY_LOGGED_IN) {
      // Login is per process and token: another keystore here logged in already. Same PIN or refuse,
      // so a wrong PIN is never accepted just because another keystore had the right one.
      const l = shared.logins.get(key);
      if (!l || !timingSafeEqual(l.pinDigest, pinDigest)) {
        throw new KeystoreError(`${where}: the token is already logged in by another keystore of this process with a different PIN`);
      }
      l.users++;
      return;
    }
    const source = 'env' in s.pin ? `the variable ${s.pin.env}` : `the file ${s.pin.file}`;
    if (code === CKR.PIN_INCORRECT || code === CKR.PIN_INVALID || code === CKR.PIN_LEN_RANGE) {
      throw new KeystoreError(`${where}: the token refused the PIN from ${source} (${pkcs11Reason(e)}); check the PIN before retrying, a token may lock after a few wrong PINs`);
    }
    if (code === CKR.PIN_LOCKED || code === CKR.PIN_EXPIRED) throw new KeystoreError(`${where}: login refused: ${pkcs11Reason(e)}`);
    throw new KeystoreError(`${where}: C_Login failed: ${pkcs11Reason(e)}`);
  }
  shared.logins.set(key, { pinDigest, users: 1 });
}
