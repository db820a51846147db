// The keystores a config names, by repository name (the <Repository> of kasp.xml). Opened lazily:
// a node only touches the keystores its policies actually use, and the PKCS#11 binding is loaded
// only when a PKCS#11 keystore is opened. A keystore that cannot be opened (a wrong PIN, a missing
// module or token) is a configuration problem: EXIT.BAD_INPUT, with the keystore named.

import type { Config, KeystoreConfig } from '../config/config.js';
import { EnforcerError, EXIT } from '../util/exit-codes.js';
import { FileKeystore } from './file-keystore.js';
import { KeystoreError, type Keystore } from './keystore.js';

export class Keystores {
  private readonly open = new Map<string, Promise<Keystore>>();
  constructor(
    private readonly config: Pick<Config, 'keystores' | 'file'>,
    private readonly env: Record<string, string | undefined> = process.env,
  ) {}

  names(): string[] {
    return Object.keys(this.config.keystores).sort();
  }

  get(repository: string): Promise<Keystore> {
    let ks = this.open.get(repository);
    if (!ks) {
      const c = this.config.keystores[repository];
      if (!c) {
        return Promise.reject(
          new EnforcerError(
            `repository ${repository} is used by a policy but ${this.config.file} configures no keystore of that name ` +
              `(configured: ${this.names().join(', ') || 'none'})`,
            EXIT.BAD_INPUT,
          ),
        );
      }
      ks = openKeystore(repository, c, { env: this.env }).catch((e: unknown) => {
        throw e instanceof KeystoreError ? new EnforcerError(e.message, EXIT.BAD_INPUT) : e;
      });
      this.open.set(repository, ks);
    }
    return ks;
  }

  /** Closes every keystore opened so far (PKCS#11 sessions and modules). */
  async close(): Promise<void> {
    const opened = [...this.open.values()];
    this.open.clear();
    for (const p of opened) {
      const ks = await p.catch(() => null);
      await ks?.close?.().catch(() => undefined);
    }
  }
}

export interface OpenOptions {
  /** File keystores: create the directory when missing (default true). */
  create?: boolean;
  /** Where a PKCS#11 keystore's pinEnv is looked up (default process.env). */
  env?: Record<string, string | undefined>;
}

/** Opens one configured keystore; for callers that hold no Keystores (e.g. read-only checks). */
export async function openKeystore(name: string, c: KeystoreConfig, options: OpenOptions = {}): Promise<Keystore> {
  if (c.type === 'file') return FileKeystore.open(name, c.directory, { create: options.create ?? true });
  // Imported here so that a configuration without PKCS#11 keystores never loads the binding.
  const { Pkcs11Keystore } = await import('./pkcs11-keystore.js');
  return Pkcs11Keystore.open({ keystore: name, module: c.module, tokenLabel: c.tokenLabel, pin: c.pin, sessions: c.sessions }, options.env);
}

/**
 * The directories of the configured file keystores, each once (with every keystore name using it):
 * where interrupted key writes may have left temp files holding private keys (see
 * src/util/stale-temp-files.ts). Nothing is opened or created.
 */
export function fileKeystoreDirectories(config: Pick<Config, 'keystores'>): Array<{ keystores: string[]; directory: string }> {
  const byDirectory = new Map<string, string[]>();
  for (const name of Object.keys(config.keystores).sort()) {
    const c = config.keystores[name]!;
    if (c.type !== 'file') continue;
    byDirectory.set(c.directory, [...(byDirectory.get(c.directory) ?? []), name]);
  }
  return [...byDirectory].map(([directory, keystores]) => ({ keystores, directory }));
}
