// The validity rules of "Flexible and Robust Key Rollover" (Van Mook, Mekking et al.), evaluated
// on what resolvers may hold given the record states, and the approval test built on them.
// Contract: pure functions of a key list; `dnssecApproval` says whether changing one record keeps
// every rule that held before the change (the paper's and OpenDNSSEC's approach: a transition may
// not break a rule, but may happen while a rule is already broken, so a damaged zone can recover).
//
// What a state means for resolvers (the model the rules quantify over):
//   OMNIPRESENT every cache has the record; HIDDEN no cache has it; NA the record does not exist.
//   RUMOURED / UNRETENTIVE: some caches have it, some do not. How those choices combine depends on
//   the RRset:
//   - DS (parent zone, changed by the operator, not atomically): each uncertain DS independently.
//   - DNSKEY set with its RRSIGs: one RRset, published whole, so a cache holds ONE snapshot of it.
//     A snapshot taken at time σ has a RUMOURED record iff σ >= its last change and an UNRETENTIVE
//     one iff σ < its last change. Only the instants between distinct change times matter. This is
//     sound because a DNSKEY-family record only moves HIDDEN→RUMOURED→OMNIPRESENT→UNRETENTIVE→HIDDEN
//     (state-machine.ts), so an UNRETENTIVE record was in every earlier snapshot still cached and a
//     RUMOURED one in none; records changed by one enforce call change together (one signconf).
//   - Zone data signatures: ods-signer puts ONE signature per algorithm on each RRset, made by whichever
//     signing key it takes first when the old one is due for refresh (signer/src/signer/rrset.c). So an
//     RRset may carry the signature of any key whose RRSIG is not HIDDEN — even while another key's is
//     OMNIPRESENT — and none at all unless the algorithm was signed throughout: a key's RRSIG is
//     OMNIPRESENT, or a key that signs now (RUMOURED) took over no later than the last one stopped
//     (UNRETENTIVE), so the signer always had a key of the algorithm (see signedThroughout).
// A resolver validates strictly (as Unbound with harden-algo-downgrade): every algorithm that may appear
// in its DS set must have a complete chain: a DS of that algorithm whose DNSKEY is in the set it holds and
// signed it, and zone data signed with that algorithm by a key in that set. No DS at all = insecure, valid.
//
// Rule 1: the zone stays secure — some DS is OMNIPRESENT or RUMOURED (off when going insecure).
// Rule 2 (per algorithm): for every DS set and DNSKEY snapshot, the DNSKEY set is trusted.
// Rule 3 (per algorithm): zone data is certainly signed with the algorithm, and every key whose signature
//   it may carry is in every DNSKEY snapshot a cache may hold.
// A record change only affects its own algorithm's rules 2 and 3 (plus rule 1).

import type { KeyStates, RecordState, RecordType, RolloverKey } from './types.js';
import { lastChange } from './timing.js';

export type RuleName = 'rule1' | 'rule2' | 'rule3';

const uncertain = (s: RecordState) => s === 'rumoured' || s === 'unretentive';

/** Whether a DNSKEY-family record is in a snapshot taken at σ. */
function inSnapshot(state: RecordState, changed: number, sigma: number): boolean {
  if (state === 'omnipresent') return true;
  if (state === 'rumoured') return sigma >= changed;
  if (state === 'unretentive') return sigma < changed;
  return false;
}

interface View {
  algorithm: number;
  states: KeyStates;
  changed: Record<'dnskey' | 'rrsigdnskey' | 'rrsig', number>;
}

function toView(k: RolloverKey): View {
  return {
    algorithm: k.algorithm,
    states: k.states,
    changed: { dnskey: lastChange(k, 'dnskey'), rrsigdnskey: lastChange(k, 'rrsigdnskey'), rrsig: lastChange(k, 'rrsig') },
  };
}

/** The snapshot instants that give distinct DNSKEY sets: before every uncertain change, and at each. */
function snapshotInstants(keys: View[]): number[] {
  const times = new Set<number>();
  for (const k of keys) {
    if (uncertain(k.states.dnskey)) times.add(k.changed.dnskey);
    if (uncertain(k.states.rrsigdnskey)) times.add(k.changed.rrsigdnskey);
  }
  return [-Infinity, ...[...times].sort((a, b) => a - b)];
}

export function rule1(keys: readonly { states: KeyStates }[]): boolean {
  return keys.some((k) => k.states.ds === 'omnipresent' || k.states.ds === 'rumoured');
}

/** Some cache may hold a DS of this algorithm, so the algorithm must validate. */
function dsMayBeCached(keys: View[], algorithm: number): boolean {
  return keys.some((k) => k.algorithm === algorithm && (k.states.ds === 'omnipresent' || uncertain(k.states.ds)));
}

function rule2Views(keys: View[], algorithm: number): boolean {
  const mine = keys.filter((k) => k.algorithm === algorithm);
  const certain = mine.filter((k) => k.states.ds === 'omnipresent');
  const maybe = mine.filter((k) => uncertain(k.states.ds));
  if (certain.length === 0 && maybe.length === 0) return true;
  for (const sigma of snapshotInstants(keys)) {
    const trusted = (k: View) =>
      inSnapshot(k.states.dnskey, k.changed.dnskey, sigma) && inSnapshot(k.states.rrsigdnskey, k.changed.rrsigdnskey, sigma);
    // Every DS set a cache may hold contains `certain`; without it, any single uncertain DS may be alone.
    const ok = certain.length > 0 ? certain.some(trusted) : maybe.every(trusted);
    if (!ok) return false;
  }
  return true;
}

/**
 * Every cached RRset carries a signature of the algorithm: some key's signatures are everywhere, or
 * a key that signs now (RUMOURED) started no later than the last withdrawn one (UNRETENTIVE) stopped,
 * so the signer never lacked a key of the algorithm to sign with since the algorithm was everywhere.
 * An UNRETENTIVE signer was OMNIPRESENT before, or handed over while this already held (the RRSIG
 * hand-over of state-machine.ts, allowed only then by roll-order.ts), so the chain starts at a
 * moment when the algorithm's signatures were everywhere.
 */
function signedThroughout(signers: View[]): boolean {
  if (signers.some((k) => k.states.rrsig === 'omnipresent')) return true;
  const stopped = signers.filter((k) => k.states.rrsig === 'unretentive').map((k) => k.changed.rrsig);
  if (stopped.length === 0) return false;
  const lastStop = Math.max(...stopped);
  return signers.some((k) => k.states.rrsig === 'rumoured' && k.changed.rrsig <= lastStop);
}

function rule3Views(keys: View[], algorithm: number): boolean {
  if (!dsMayBeCached(keys, algorithm)) return true;
  const mine = keys.filter((k) => k.algorithm === algorithm);
  const signers = mine.filter((k) => k.states.rrsig === 'omnipresent' || uncertain(k.states.rrsig));
  if (!signedThroughout(signers)) return false;
  // …but it may be any signer's (one signature per algorithm), so every signer's DNSKEY must be known.
  for (const sigma of snapshotInstants(keys)) {
    if (!signers.every((k) => inSnapshot(k.states.dnskey, k.changed.dnskey, sigma))) return false;
  }
  return true;
}

/** Every RRset in every cache carries a signature of this algorithm (see signedThroughout). */
export function algorithmSigned(keys: readonly RolloverKey[], algorithm: number): boolean {
  return signedThroughout(keys.map(toView).filter((k) => k.algorithm === algorithm && (k.states.rrsig === 'omnipresent' || uncertain(k.states.rrsig))));
}

export function rule2(keys: readonly RolloverKey[], algorithm: number): boolean {
  return rule2Views(keys.map(toView), algorithm);
}

export function rule3(keys: readonly RolloverKey[], algorithm: number): boolean {
  return rule3Views(keys.map(toView), algorithm);
}

export interface RuleCheck {
  ok: boolean;
  /** The rules that held before and would not after. */
  broken: RuleName[];
}

/**
 * May `key`'s `record` move to `next` at `now`? Rule 1 is not checked when the zone is going insecure.
 */
export function dnssecApproval(
  keys: readonly RolloverKey[],
  key: RolloverKey,
  record: RecordType,
  next: RecordState,
  now: number,
  allowInsecure: boolean,
): RuleCheck {
  const after = keys.map((k) =>
    k.id === key.id ? { ...k, states: { ...k.states, [record]: next }, changedAt: { ...k.changedAt, [record]: now } } : k,
  );
  const broken: RuleName[] = [];
  if (!allowInsecure && rule1(keys) && !rule1(after)) broken.push('rule1');
  const before = keys.map(toView);
  const later = after.map(toView);
  if (rule2Views(before, key.algorithm) && !rule2Views(later, key.algorithm)) broken.push('rule2');
  if (rule3Views(before, key.algorithm) && !rule3Views(later, key.algorithm)) broken.push('rule3');
  return { ok: broken.length === 0, broken };
}
