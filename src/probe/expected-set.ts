// The DNSKEY set the database expects a zone's servers to publish, from the key state model.
// Contract: pure. A DNSKEY rumoured or omnipresent is in the signconf with <Publish/>, so it must be served;
// one unretentive has been withdrawn but may linger until the signer re-signs, so either way is fine.
// Likewise for signatures over the DNSKEY set (the signconf's <KSK/>): rumoured or omnipresent RRSIG-DNSKEY
// must be served, unretentive may be. Hidden and NA records must not be there at all.

import type { KeyStates, RecordState } from '../store/keys.js';
import type { ExpectedKey, ExpectedZone } from './compare.js';

export interface KeyForProbe {
  flags: number;
  algorithm: number;
  publicKey: Uint8Array;
  states: Pick<KeyStates, 'dnskey' | 'rrsigdnskey'>;
}

export function expectedZone(zone: string, keys: readonly KeyForProbe[]): ExpectedZone {
  const out: ExpectedKey[] = [];
  for (const k of keys) {
    const presence = level(k.states.dnskey);
    if (presence === 'no') continue;
    const signs = level(k.states.rrsigdnskey);
    out.push({ flags: k.flags, algorithm: k.algorithm, publicKey: k.publicKey, presence, signsKeyset: signs });
  }
  return { zone, keys: out };
}

function level(s: RecordState): 'required' | 'optional' | 'no' {
  if (s === 'rumoured' || s === 'omnipresent') return 'required';
  if (s === 'unretentive') return 'optional';
  return 'no';
}
