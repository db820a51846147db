// External tools for interoperability tests. A missing tool skips the test locally (with the reason shown)
// but fails it in CI, where a silently skipped interop test would hide a broken toolchain.

import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export function onPath(name: string): boolean {
  return toolPath(name) !== null;
}

/** Where `name` is: on PATH, or in /usr/sbin (daemons such as pgbouncer, which a user's PATH may lack). */
export function toolPath(name: string): string | null {
  for (const dir of [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin']) {
    if (!dir) continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not in this directory
    }
  }
  return null;
}

/**
 * True when `name` is on PATH. When it is not: inside CI (process.env.CI set) this throws, failing the
 * test; elsewhere it returns false, and the caller skips with `ctx.skip(reason)` so the reason is visible.
 */
export function requireTool(name: string): boolean {
  if (onPath(name)) return true;
  if (process.env.CI) {
    const pkg = DEBIAN_PACKAGE[name];
    throw new Error(`required tool ${name} is not on PATH; .ci/run must install it${pkg ? ` (Debian package ${pkg})` : ''}`);
  }
  return false;
}

// dnssec-* tools are in bind9-utils; bind9-dnsutils only has dig, delv, nsupdate and friends.
const DEBIAN_PACKAGE: Record<string, string> = {
  'ldns-key2ds': 'ldnsutils',
  'ldns-signzone': 'ldnsutils',
  'ldns-verify-zone': 'ldnsutils',
  'dnssec-dsfromkey': 'bind9-utils',
  'dnssec-signzone': 'bind9-utils',
  'dnssec-verify': 'bind9-utils',
  pgbouncer: 'pgbouncer',
  faketime: 'faketime',
  'softhsm2-util': 'softhsm2',
  'ods-signerd': 'opendnssec-signer',
  'ods-signer': 'opendnssec-signer',
  unshare: 'util-linux',
  mount: 'mount',
};

/** The skip reason to show when requireTool returned false. */
export function missingToolReason(names: string[]): string {
  return `not on PATH: ${names.join(', ')} (install ldnsutils and bind9-utils to run the interop tests)`;
}
