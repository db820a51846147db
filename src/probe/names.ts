// Name comparisons on names that came off the wire. Contract: never throws; a name that cannot be read
// (escapes, over-long labels) equals nothing, which is the fail-closed reading for a probe.

import { fqdn } from '../dnssec/name.js';

export function safeFqdn(name: string): string | null {
  try {
    return fqdn(name);
  } catch {
    return null;
  }
}

/** Equal as DNS names: case-insensitive for ASCII, trailing dot optional. */
export function sameName(a: string, b: string): boolean {
  const x = safeFqdn(a);
  return x !== null && x === safeFqdn(b);
}
