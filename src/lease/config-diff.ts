// What differs between this node's configuration and the one the active node recorded: one line
// per item, in the manner of a failover configuration check, so an operator sees exactly what
// to make identical before the standby may take over. Pure: compares two FingerprintInputs.

import type { FingerprintInput } from './config-fingerprint.js';

const show = (v: unknown): string => (v === undefined ? 'absent' : JSON.stringify(v));

/** Leaf-by-leaf differences between two JSON values, as `path: here X, there Y`. */
function leafDiff(path: string, here: unknown, there: unknown, out: string[], hereName: string, thereName: string): void {
  const isObj = (v: unknown) => v !== null && typeof v === 'object';
  if (isObj(here) && isObj(there) && Array.isArray(here) === Array.isArray(there)) {
    const keys = new Set([...Object.keys(here as object), ...Object.keys(there as object)]);
    for (const k of [...keys].sort()) {
      const sub = Array.isArray(here) ? `${path}[${k}]` : path === '' ? k : `${path}.${k}`;
      leafDiff(sub, (here as Record<string, unknown>)[k], (there as Record<string, unknown>)[k], out, hereName, thereName);
    }
    return;
  }
  if (JSON.stringify(here) !== JSON.stringify(there)) out.push(`${path}: ${hereName} ${show(here)}, ${thereName} ${show(there)}`);
}

function byName<T extends { name: string }>(xs: T[]): Map<string, T> {
  return new Map(xs.map((x) => [x.name, x]));
}

export function configDifferences(here: FingerprintInput, there: FingerprintInput, thereNode: string): string[] {
  const out: string[] = [];
  const hereName = 'this node';
  const sets: Array<[string, Map<string, { name: string }>, Map<string, { name: string }>]> = [
    ['policy', byName(here.policies), byName(there.policies)],
    ['zone', byName(here.zones), byName(there.zones)],
  ];
  for (const [kind, mine, theirs] of sets) {
    for (const name of [...new Set([...mine.keys(), ...theirs.keys()])].sort()) {
      const a = mine.get(name);
      const b = theirs.get(name);
      if (!a) out.push(`${kind} ${name}: only on ${thereNode}`);
      else if (!b) out.push(`${kind} ${name}: only on ${hereName}`);
      else {
        const leaves: string[] = [];
        leafDiff('', a, b, leaves, hereName, thereNode);
        out.push(...leaves.map((l) => `${kind} ${name}: ${l}`));
      }
    }
  }
  const ks = [...new Set([...here.keystoreNames, ...there.keystoreNames])].sort();
  for (const name of ks) {
    const a = here.keystoreNames.includes(name);
    const b = there.keystoreNames.includes(name);
    if (a !== b) out.push(`keystore ${name}: only on ${a ? hereName : thereNode}`);
  }
  return out;
}
