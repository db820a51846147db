// The order the roll type asks for (OpenDNSSEC's policyApproval), plus the conservative algorithm
// rollover order of RFC 6781 §4.1.4. These never make anything safe — rules.ts does — they choose
// among the safe orders the one the policy describes.
// Contract: pure; `orderApproval` answers for one proposed move of one record, given the zone's keys.
//
// Introductions (moves to RUMOURED), per OpenDNSSEC:
//   DS      with minimised DS: only once the key's DNSKEY is omnipresent.
//   DNSKEY  with minimised DNSKEY: only once the key's DS (or, for a CSK, its RRSIG) is omnipresent —
//           unless the algorithm has no trusted KSK yet (first key, new algorithm). For a ZSK
//           (ZskDoubleRrsig) this is void: with ods-signer a key's zone signatures may only appear once
//           its DNSKEY is known everywhere (rules.ts, rule 3), so signatures can never go first and the
//           roll runs as pre-publication (as ZskDoubleSignature does, for the same reason).
//   RRSIG-DNSKEY only once the DNSKEY is no longer hidden.
//   RRSIG   with minimised RRSIG: only once the key's DNSKEY is omnipresent — unless the algorithm has
//           no established ZSK yet (first key, new algorithm: sign first). And never while another key
//           of the algorithm is still taking over the signing (RRSIG rumoured): ods-signer puts one
//           signature per algorithm on an RRset, so two keys taking over at once could never both
//           complete. The exception is a superseded signer (goal hidden), which hands over to this key
//           in the same run (state-machine.ts) — while its algorithm is signed throughout.
// Withdrawals: a superseded signer (RRSIG rumoured, goal hidden) stops signing only when a successor
// signs from the same moment and the algorithm is signed throughout (handsOver); otherwise it
// finishes its step first.
// RFC 6781 §4.1.4 (conservative algorithm rollover): no cache of a secure zone may hold a DNSKEY set with
// an algorithm that does not sign the zone data it holds. While the zone is secure (some DS not hidden):
//   - a DNSKEY of an algorithm is published only once zone signatures of that algorithm are omnipresent;
//   - the last zone signatures of an algorithm are withdrawn only after every DNSKEY of it is hidden;
// and a zone becomes secure (a DS is introduced) only when every algorithm with a DNSKEY signs the zone.
// OpenDNSSEC does neither (it introduces and removes both at once); validators that follow RFC 4035
// §2.2 to the letter need them, and the cost is one TTL at each end of an algorithm rollover.

import type { Policy } from '../policy/policy.js';
import { minimizeOf, rollTypeOf, signsZone } from './policy-view.js';
import { algorithmSigned } from './rules.js';
import type { KeyStates, RecordState, RecordType, RolloverKey } from './types.js';

export type OrderCheck = { ok: true } | { ok: false; message: string };

type Mask = Partial<KeyStates>;

function matches(k: RolloverKey, m: Mask): boolean {
  return (Object.keys(m) as (keyof KeyStates)[]).every((r) => k.states[r] === m[r]);
}

const some = (keys: readonly RolloverKey[], alg: number, m: Mask) => keys.some((k) => k.algorithm === alg && matches(k, m));

/** A KSK of this algorithm is trusted, or is being swapped for another (OpenDNSSEC's rule 2 masks). */
export function establishedKsk(keys: readonly RolloverKey[], alg: number): boolean {
  const O = 'omnipresent', R = 'rumoured', U = 'unretentive';
  return (
    some(keys, alg, { ds: O, dnskey: O, rrsigdnskey: O }) ||
    (some(keys, alg, { ds: U, dnskey: O, rrsigdnskey: O }) && some(keys, alg, { ds: R, dnskey: O, rrsigdnskey: O })) ||
    (some(keys, alg, { ds: O, dnskey: U, rrsigdnskey: U }) && some(keys, alg, { ds: O, dnskey: R, rrsigdnskey: R }))
  );
}

/** A ZSK of this algorithm signs the zone, or is being swapped for another (OpenDNSSEC's rule 3 masks). */
export function establishedZsk(keys: readonly RolloverKey[], alg: number): boolean {
  const O = 'omnipresent', R = 'rumoured', U = 'unretentive';
  return (
    some(keys, alg, { rrsig: O, dnskey: O }) ||
    (some(keys, alg, { rrsig: O, dnskey: U }) && some(keys, alg, { rrsig: O, dnskey: R })) ||
    (some(keys, alg, { rrsig: U, dnskey: O }) && some(keys, alg, { rrsig: R, dnskey: O }))
  );
}

/**
 * Whether `key` (RRSIG rumoured, goal hidden) may stop signing now: another key of its algorithm
 * with goal omnipresent signs (RRSIG rumoured), and the algorithm is signed throughout.
 */
function handsOver(keys: readonly RolloverKey[], key: RolloverKey): boolean {
  const successor = keys.some((k) => k.id !== key.id && k.algorithm === key.algorithm && k.goal === 'omnipresent' && k.states.rrsig === 'rumoured');
  return successor && algorithmSigned(keys, key.algorithm);
}

const zoneSecure = (keys: readonly RolloverKey[]) => keys.some((k) => k.states.ds !== 'hidden' && k.states.ds !== 'na');

export function orderApproval(
  keys: readonly RolloverKey[],
  key: RolloverKey,
  record: RecordType,
  next: RecordState,
  policy: Policy,
): OrderCheck {
  const s = key.states;
  const alg = key.algorithm;
  const rollType = rollTypeOf(policy, key);

  if (next === 'unretentive' && record === 'rrsig' && s.rrsig === 'rumoured') {
    // Hand-over of a superseded signer (state-machine.ts): only to a successor that signs from now
    // on, and only while every cached RRset already carries a signature of the algorithm — a key
    // that signs a new algorithm for the first time finishes first, or the zone could look signed
    // throughout (rules.ts) while caches still hold data without that algorithm.
    if (!handsOver(keys, key)) {
      return { ok: false, message: `key ${key.keyTag} goes on signing until its signatures are everywhere, or until a successor takes over while algorithm ${alg} is signed throughout` };
    }
  }
  if (next === 'unretentive' && record === 'rrsig' && zoneSecure(keys)) {
    const otherSigner = keys.some((k) => k.id !== key.id && k.algorithm === alg && (k.states.rrsig === 'rumoured' || k.states.rrsig === 'omnipresent'));
    const dnskeyLeft = keys.some((k) => k.algorithm === alg && k.states.dnskey !== 'hidden');
    if (!otherSigner && dnskeyLeft) {
      return { ok: false, message: `the last signatures of algorithm ${alg} stay until no DNSKEY of it is left (RFC 6781 §4.1.4)` };
    }
  }
  if (next !== 'rumoured') return { ok: true };
  const min = minimizeOf(policy, key);

  switch (record) {
    case 'ds': {
      if (min.ds && s.dnskey !== 'omnipresent') {
        return { ok: false, message: `${rollType}: the DS is submitted once the DNSKEY is omnipresent` };
      }
      const unsigned = [...new Set(keys.filter((k) => k.states.dnskey !== 'hidden').map((k) => k.algorithm))].filter(
        (a) => a !== alg && !algorithmSigned(keys, a),
      );
      if (unsigned.length > 0) {
        return { ok: false, message: `the DS is submitted once no cache can hold a DNSKEY of algorithm ${unsigned.join(', ')} without zone signatures of it (RFC 6781 §4.1.4)` };
      }
      return { ok: true };
    }

    case 'dnskey': {
      const intendedSigner = keys.some((k) => k.algorithm === alg && k.goal === 'omnipresent' && signsZone(k.role));
      const algSigns = algorithmSigned(keys, alg);
      if (zoneSecure(keys) && intendedSigner && !algSigns) {
        return { ok: false, message: `a DNSKEY of algorithm ${alg} is published once its signatures are omnipresent (RFC 6781 §4.1.4)` };
      }
      // A ZSK's signatures cannot go first (rules.ts, rule 3): ZskDoubleRrsig proceeds as pre-publication.
      if (!min.dnskey || key.role === 'ZSK') return { ok: true };
      if (signsZone(key.role) && s.rrsig === 'omnipresent') return { ok: true };
      if (s.ds === 'omnipresent') return { ok: true };
      if (!establishedKsk(keys, alg)) return { ok: true };
      return { ok: false, message: `${rollType}: the DNSKEY is published once the key's DS is omnipresent` };
    }

    case 'rrsigdnskey':
      if (s.dnskey === 'hidden') return { ok: false, message: 'the DNSKEY set is signed with a key once its DNSKEY is published' };
      return { ok: true };

    case 'rrsig': {
      // A superseded signer that may hand over to this key does so in the same run: not in the way.
      const takingOver = keys.find((k) => k.id !== key.id && k.algorithm === alg && k.states.rrsig === 'rumoured' && !(k.goal === 'hidden' && algorithmSigned(keys, alg)));
      if (takingOver) {
        return { ok: false, message: `key ${takingOver.keyTag} is still taking over the signing for algorithm ${alg}; the signer completes one key at a time` };
      }
      if (min.rrsig && s.dnskey !== 'omnipresent' && establishedZsk(keys, alg)) {
        return { ok: false, message: `${rollType}: the key signs the zone once its DNSKEY is omnipresent` };
      }
      return { ok: true };
    }
  }
}
