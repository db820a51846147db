// The `keystores:` section: one entry per <Repository> name of kasp.xml, either a directory of key
// files (`type: file`) or a PKCS#11 token (`type: pkcs11`). The generic schema checks field types;
// this file checks which fields each type needs and allows, and resolves paths against the config
// file's directory. The PIN itself is not read here (see src/keys/pkcs11-pin.ts): only where it is.

import path from 'node:path';
import type { SchemaProblem, FieldSpec } from './schema.js';

export interface FileKeystoreConfig {
  type: 'file';
  /** Absolute directory holding one PKCS#8 file per key. */
  directory: string;
}

export interface Pkcs11KeystoreConfig {
  type: 'pkcs11';
  /** Absolute path of the PKCS#11 module (shared library). */
  module: string;
  tokenLabel: string;
  /** Where the user PIN comes from: an environment variable, or a file only its owner can read. */
  pin: { env: string } | { file: string };
  /** Operations run on the token at once (default 1; see src/keys/pkcs11-token.ts). */
  sessions: number;
}

export type KeystoreConfig = FileKeystoreConfig | Pkcs11KeystoreConfig;

/** The schema of one entry: the union of every type's fields; `keystoreEntryProblem` checks the combination. */
export const KEYSTORE_ENTRY_SCHEMA: FieldSpec = {
  kind: 'object',
  fields: {
    type: { kind: 'enum', values: ['file', 'pkcs11'] },
    directory: { kind: 'string', optional: true },
    module: { kind: 'string', optional: true, pattern: /\S/, hint: 'the path of the PKCS#11 shared library' },
    tokenLabel: { kind: 'string', optional: true },
    pinEnv: { kind: 'string', optional: true, pattern: /^[A-Za-z_][A-Za-z0-9_]*$/, hint: 'an environment variable name' },
    pinFile: { kind: 'string', optional: true, pattern: /\S/, hint: 'a file path' },
    sessions: { kind: 'integer', optional: true, min: 1, max: 64 },
  },
};

const FIELDS_OF: Record<KeystoreConfig['type'], string[]> = {
  file: ['directory'],
  pkcs11: ['module', 'tokenLabel', 'pinEnv', 'pinFile', 'sessions'],
};

export interface RawKeystoreEntry {
  type: KeystoreConfig['type'];
  directory?: string;
  module?: string;
  tokenLabel?: string;
  pinEnv?: string;
  pinFile?: string;
  sessions?: number;
}

/** The first problem with one schema-checked entry at `at` (e.g. `keystores.HSM`), or null. */
export function keystoreEntryProblem(raw: RawKeystoreEntry, at: string): SchemaProblem | null {
  for (const key of Object.keys(raw)) {
    if (key !== 'type' && !FIELDS_OF[raw.type].includes(key)) {
      return { path: `${at}.${key}`, message: `is not a setting of a ${raw.type} keystore (its settings: ${FIELDS_OF[raw.type].join(', ')})` };
    }
  }
  if (raw.type === 'file') {
    return raw.directory === undefined ? { path: `${at}.directory`, message: 'is required for a file keystore' } : null;
  }
  if (raw.module === undefined) return { path: `${at}.module`, message: 'is required for a pkcs11 keystore' };
  if (raw.tokenLabel === undefined) return { path: `${at}.tokenLabel`, message: 'is required for a pkcs11 keystore' };
  // PKCS#11 token labels are 32 octets, blank-padded.
  if (raw.tokenLabel === '' || Buffer.byteLength(raw.tokenLabel) > 32 || raw.tokenLabel !== raw.tokenLabel.trimEnd()) {
    return { path: `${at}.tokenLabel`, message: 'must be 1 to 32 octets without trailing blanks' };
  }
  if ((raw.pinEnv === undefined) === (raw.pinFile === undefined)) {
    return { path: `${at}.pinFile`, message: 'give exactly one of pinEnv (an environment variable) and pinFile (a file only its owner can read)' };
  }
  return null;
}

/** The entry with paths resolved against `base`; call only after `keystoreEntryProblem` returned null. */
export function keystoreConfig(name: string, raw: RawKeystoreEntry, base: string): KeystoreConfig {
  const at = (p: string) => path.resolve(base, p);
  if (raw.type === 'file') return { type: 'file', directory: at(raw.directory!) };
  return {
    type: 'pkcs11',
    module: at(raw.module!),
    tokenLabel: raw.tokenLabel!,
    pin: raw.pinEnv !== undefined ? { env: raw.pinEnv } : { file: at(raw.pinFile!) },
    sessions: raw.sessions ?? 1,
  };
}
