// The signconf flags that follow from a key's record states (domain notes, "Signconf"):
//   Publish when the DNSKEY is rumoured or omnipresent,
//   KSK     when the RRSIG over the DNSKEY set is rumoured or omnipresent,
//   ZSK     when the zone RRSIGs are rumoured or omnipresent.
// Contract: pure; the same mapping as src/signconf/render.ts, kept here so the core stays
// self-contained and can tell when the signconf must be rewritten.

import type { KeyStates, RecordState, RolloverKey } from './types.js';

export interface SignconfFlags {
  publish: boolean;
  ksk: boolean;
  zsk: boolean;
}

const visible = (s: RecordState) => s === 'rumoured' || s === 'omnipresent';

export function flagsOf(states: KeyStates): SignconfFlags {
  return { publish: visible(states.dnskey), ksk: visible(states.rrsigdnskey), zsk: visible(states.rrsig) };
}

/** Flags per key id, for keys the signer has to know about (any flag set). */
export function signconfFlags(keys: readonly RolloverKey[]): Map<string, SignconfFlags> {
  const out = new Map<string, SignconfFlags>();
  for (const k of keys) {
    const f = flagsOf(k.states);
    if (f.publish || f.ksk || f.zsk) out.set(k.id, f);
  }
  return out;
}

export function sameFlags(a: Map<string, SignconfFlags>, b: Map<string, SignconfFlags>): boolean {
  if (a.size !== b.size) return false;
  for (const [id, f] of a) {
    const g = b.get(id);
    if (!g || g.publish !== f.publish || g.ksk !== f.ksk || g.zsk !== f.zsk) return false;
  }
  return true;
}
