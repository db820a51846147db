// A fingerprint of what must be identical on both nodes: the parsed policies (kasp.xml), the
// parsed zone list and the keystore names. The active node records its fingerprint at every
// run; a standby whose own fingerprint differs is in WAIT (`status`). Parsed values, not file
// bytes, so comments and formatting do not count; sorted by name, so order does not either.
// Paths of the files themselves are not part of it (nodes may keep them in different places).

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Config } from '../config/config.js';
import { InputError } from '../policy/errors.js';
import { parseKasp } from '../policy/kasp.js';
import type { Policy, ZoneEntry } from '../policy/policy.js';
import { canonicalJson } from '../util/canonical-json.js';
import { parseZonelist } from '../zones/zonelist.js';

export interface FingerprintInput {
  policies: Policy[];
  zones: ZoneEntry[];
  keystoreNames: string[];
}

/** The fingerprint as recorded by the active node. */
export interface RecordedFingerprint {
  sha256: string;
  node: string;
  epoch: number;
  at: string;
}

export const FINGERPRINT_META_KEY = 'config_fingerprint';
/** The parsed configuration itself, recorded when the fingerprint changes, for `config compare`. */
export const DETAILS_META_KEY = 'config_details';

export function fingerprintOf(input: FingerprintInput): string {
  const byName = <T extends { name: string }>(xs: T[]) => [...xs].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const canonical = canonicalJson({
    version: 1,
    policies: byName(input.policies),
    zones: byName(input.zones),
    keystores: [...input.keystoreNames].sort(),
  });
  return createHash('sha256').update(canonical).digest('hex');
}

/** Read and parse this node's configured files; throws InputError when they do not parse. */
export async function configFingerprint(config: Pick<Config, 'kasp' | 'zonelist' | 'keystores'>): Promise<string> {
  return fingerprintOf(await fingerprintInput(config));
}

/** What the fingerprint is computed over, parsed from this node's configured files. */
export async function fingerprintInput(config: Pick<Config, 'kasp' | 'zonelist' | 'keystores'>): Promise<FingerprintInput> {
  const read = async (file: string) => {
    try {
      return await readFile(file, 'utf8');
    } catch (e) {
      throw new InputError({ file }, `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  };
  return {
    policies: parseKasp(await read(config.kasp), config.kasp),
    zones: parseZonelist(await read(config.zonelist), config.zonelist),
    keystoreNames: Object.keys(config.keystores),
  };
}

export function parseRecordedFingerprint(value: string | null): RecordedFingerprint | null {
  if (value === null) return null;
  try {
    const v = JSON.parse(value) as RecordedFingerprint;
    return typeof v.sha256 === 'string' ? v : null;
  } catch {
    return null;
  }
}
