// The keystores a config names, by repository name (the <Repository> of kasp.xml). Opened lazily:
// a node only touches the keystores its policies actually use.

import type { Config } from '../config/config.js';
import { EnforcerError, EXIT } from '../util/exit-codes.js';
import { FileKeystore } from './file-keystore.js';
import type { Keystore } from './keystore.js';

export class Keystores {
  private readonly open = new Map<string, Promise<Keystore>>();
  constructor(private readonly config: Pick<Config, 'keystores' | 'file'>) {}

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
      ks = FileKeystore.open(repository, c.directory);
      this.open.set(repository, ks);
    }
    return ks;
  }
}
