// The operator-facing name of a key's state, derived from its goal and record states, using
// OpenDNSSEC's words so `key list` reads the same as `ods-enforcer key list`:
//   generate  introduced, DNSKEY not yet published
//   publish   DNSKEY published, not yet known to every resolver
//   ready     DNSKEY known everywhere, not yet signing / trusted through the DS
//   active    signing (ZSK/CSK: zone signatures everywhere; KSK/CSK: DS at the parent everywhere)
//   retire    on its way out (goal hidden), some record still visible
//   dead      every record gone; waiting to be purged
// Pure: a function of the stored states only.

import type { KeyRole } from '../policy/policy.js';
import type { KeyStates } from '../store/keys.js';

export type KeyStateName = 'generate' | 'publish' | 'ready' | 'active' | 'retire' | 'dead';

export function keyStateName(role: KeyRole, goal: 'omnipresent' | 'hidden', s: KeyStates): KeyStateName {
  const gone = (x: string) => x === 'hidden' || x === 'na';
  if (goal === 'hidden') {
    return gone(s.ds) && gone(s.dnskey) && gone(s.rrsigdnskey) && gone(s.rrsig) ? 'dead' : 'retire';
  }
  if (s.dnskey === 'hidden') return 'generate';
  if (s.dnskey === 'rumoured') return 'publish';
  const signing = role === 'KSK' || s.rrsig === 'omnipresent';
  const trusted = role === 'ZSK' || s.ds === 'omnipresent';
  return signing && trusted ? 'active' : 'ready';
}
