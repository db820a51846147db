// The PKCS#11 binding (the npm package pkcs11js), loaded on first use only. It is an optional
// dependency with a native part built at install time: an install without a C++ compiler still
// works, and only a configured PKCS#11 keystore needs it. Contract: the rest of the enforcer sees
// the small typed surface below, never the package itself; a missing or unbuilt binding is a
// KeystoreError that says how to install it.

import { KeystoreError } from './keystore.js';

/** A PKCS#11 handle (slot, session or object) as the binding passes it: opaque bytes. */
export type Handle = Buffer;

export interface Attribute {
  type: number;
  value?: number | boolean | string | Buffer;
}

export interface Mechanism {
  mechanism: number;
}

export interface TokenInfo {
  label: string;
  flags: number;
}

export interface MechanismInfo {
  minKeySize: number;
  maxKeySize: number;
  flags: number;
}

/** The functions of pkcs11js's PKCS11 class this enforcer calls. */
export interface Pkcs11Library {
  load(path: string): void;
  close(): void;
  C_Initialize(options?: { flags?: number }): void;
  C_Finalize(): void;
  C_GetSlotList(tokenPresent?: boolean): Handle[];
  C_GetTokenInfo(slot: Handle): TokenInfo;
  C_GetMechanismList(slot: Handle): number[];
  C_GetMechanismInfo(slot: Handle, mechanism: number): MechanismInfo;
  C_OpenSession(slot: Handle, flags: number): Handle;
  C_CloseSession(session: Handle): void;
  C_Login(session: Handle, userType: number, pin?: string): void;
  C_FindObjectsInit(session: Handle, template: Attribute[]): void;
  C_FindObjects(session: Handle, maxObjectCount: number): Handle[];
  C_FindObjectsFinal(session: Handle): void;
  C_GetAttributeValue(session: Handle, object: Handle, template: Attribute[]): Array<{ type: number; value: Buffer }>;
  C_DestroyObject(session: Handle, object: Handle): void;
  C_GenerateKeyPairAsync(
    session: Handle,
    mechanism: Mechanism,
    publicTemplate: Attribute[],
    privateTemplate: Attribute[],
  ): Promise<{ publicKey: Handle; privateKey: Handle }>;
  C_SignInit(session: Handle, mechanism: Mechanism, key: Handle): void;
  C_SignAsync(session: Handle, data: Buffer, out: Buffer): Promise<Buffer>;
}

interface BindingModule {
  PKCS11: new () => Pkcs11Library;
}

const PACKAGE = 'pkcs11js';
let binding: Promise<BindingModule> | null = null;

/** A fresh, unloaded PKCS11 object from the binding. `keystore` names the keystore in the error. */
export async function newPkcs11Library(keystore: string): Promise<Pkcs11Library> {
  binding ??= importBinding();
  let mod: BindingModule;
  try {
    mod = await binding;
  } catch (e) {
    binding = null;
    throw new KeystoreError(
      `keystore ${keystore}: the PKCS#11 binding (npm package ${PACKAGE}, an optional dependency) is not installed or ` +
        `its native part did not build (${(e as Error).message.split('\n')[0]}); install a C++ compiler and run ` +
        `\`npm install ${PACKAGE}\` in the enforcer's directory`,
    );
  }
  return new mod.PKCS11();
}

async function importBinding(): Promise<BindingModule> {
  // A variable specifier: the type checker must not need the optional package to be present.
  const name: string = PACKAGE;
  const imported = (await import(name)) as { default?: BindingModule } & Partial<BindingModule>;
  const mod = (imported.PKCS11 ? imported : imported.default) as BindingModule | undefined;
  if (typeof mod?.PKCS11 !== 'function') throw new Error(`${PACKAGE} does not export PKCS11`);
  return mod;
}

/** The PKCS#11 return value of a binding error (CKR_*), or null for other errors. */
export function pkcs11Code(err: unknown): number | null {
  if (typeof err !== 'object' || err === null) return null;
  const e = err as { name?: string; code?: unknown; message?: unknown };
  if (e.name === 'Pkcs11Error' && typeof e.code === 'number') return e.code;
  const m = typeof e.message === 'string' ? /CKR_\w+:(\d+)/.exec(e.message) : null;
  return m ? Number(m[1]) : null;
}

/** A binding error as text for messages: the CKR_ name, or the error's first line; never arguments. */
export function pkcs11Reason(err: unknown): string {
  if (err instanceof Error) {
    const m = /CKR_\w+/.exec(err.message);
    return m ? m[0] : err.message.split('\n')[0]!.slice(0, 200);
  }
  return 'unknown error';
}
