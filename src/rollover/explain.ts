// Words for what the core is waiting for, so operators can see why a roll is where it is:
// "waiting for ds-seen since …", "waiting until … for DNSKEY TTL + propagation delay + publish safety",
// "blocked: rule 2 would break …". Also a per-key summary using OpenDNSSEC's key state names.
// Contract: pure string building; times are rendered as ISO 8601 UTC from their ms values.

import { keyStateName, type KeyStateName } from '../keys/key-state.js';
import type { RuleName } from './rules.js';
import type { RecordState, RecordType, RolloverKey, Wait } from './types.js';

export const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

const RECORD_NAME: Record<RecordType, string> = {
  ds: 'DS',
  dnskey: 'DNSKEY',
  rrsigdnskey: 'RRSIG over the DNSKEY set',
  rrsig: 'zone RRSIGs',
};

const RULE_TEXT: Record<RuleName, string> = {
  rule1: 'rule 1 (the zone keeps a DS at the parent)',
  rule2: 'rule 2 (every DS a resolver may hold leads to a DNSKEY that signs the DNSKEY set)',
  rule3: 'rule 3 (zone data is signed by a key in every DNSKEY set a resolver may hold)',
};

export function keyLabel(k: Pick<RolloverKey, 'role' | 'keyTag' | 'algorithm'>): string {
  return `${k.role} ${k.keyTag} (algorithm ${k.algorithm})`;
}

export function moveText(k: RolloverKey, record: RecordType, from: RecordState, to: RecordState): string {
  return `${keyLabel(k)}: ${RECORD_NAME[record]} ${from} → ${to}`;
}

export function timeMessage(k: RolloverKey, record: RecordType, from: RecordState, to: RecordState, at: number, basis: string): string {
  return `${moveText(k, record, from, to)}: waiting until ${iso(at)} for ${basis}`;
}

export function publicationMessage(k: RolloverKey, record: RecordType, from: RecordState, to: RecordState): string {
  return `${moveText(k, record, from, to)}: waiting for the signconf that made it ${from} to be in place and the signer told; the wait for caches starts then`;
}

export function operatorMessage(k: RolloverKey, what: 'ds-seen' | 'ds-gone', since: number | null): string {
  const asked = what === 'ds-seen' ? 'its DS was submitted' : 'its DS removal was requested';
  const when = since === null ? '' : ` since ${iso(since)}`;
  return `${keyLabel(k)}: waiting for ${what}${when} (${asked}; run "key ${what}" once the parent ${what === 'ds-seen' ? 'serves it' : 'no longer serves it'})`;
}

export function signerMessage(k: RolloverKey, record: RecordType, from: RecordState, to: RecordState, other: RolloverKey | undefined): string {
  const who = other ? keyLabel(other) : 'another key';
  return `${moveText(k, record, from, to)}: waiting for ${who} to stop signing; the signer replaces one signature per algorithm only as it expires`;
}

/** The records of other keys of the algorithm still on their way in, which would unblock a rule. */
function pending(keys: readonly RolloverKey[], k: RolloverKey, broken: RuleName[]): string[] {
  const wanted: RecordType[] = [];
  if (broken.includes('rule1') || broken.includes('rule2')) wanted.push('ds', 'dnskey', 'rrsigdnskey');
  if (broken.includes('rule3')) wanted.push('dnskey', 'rrsig');
  const out: string[] = [];
  for (const other of keys) {
    if (other.id === k.id || other.goal !== 'omnipresent' || (other.algorithm !== k.algorithm && !broken.includes('rule1'))) continue;
    const missing = [...new Set(wanted)].filter((r) => other.states[r] === 'hidden' || other.states[r] === 'rumoured');
    if (missing.length > 0) out.push(`${keyLabel(other)}'s ${missing.map((r) => RECORD_NAME[r]).join(', ')}`);
  }
  return out;
}

export function ruleMessage(
  keys: readonly RolloverKey[],
  k: RolloverKey,
  record: RecordType,
  from: RecordState,
  to: RecordState,
  broken: RuleName[],
): string {
  const hint = to === 'unretentive' || to === 'hidden' ? ' without this record' : ' with this change';
  const waitingFor = pending(keys, k, broken);
  const tail = waitingFor.length > 0 ? `; waiting for ${waitingFor.join(' and ')} to be omnipresent` : '';
  return `${moveText(k, record, from, to)}: blocked: ${broken.map((r) => RULE_TEXT[r]).join(' and ')} would break${hint}${tail}`;
}

export function policyMessage(k: RolloverKey, record: RecordType, from: RecordState, to: RecordState, why: string): string {
  return `${moveText(k, record, from, to)}: ${why}`;
}

export interface KeySummary {
  keyId: string;
  keyTag: number;
  role: RolloverKey['role'];
  algorithm: number;
  state: KeyStateName;
  goal: RolloverKey['goal'];
  waits: Wait[];
}

/** One line per key: OpenDNSSEC's state name and what it waits for. */
export function summarize(keys: readonly RolloverKey[], waits: readonly Wait[]): KeySummary[] {
  return keys.map((k) => ({
    keyId: k.id,
    keyTag: k.keyTag,
    role: k.role,
    algorithm: k.algorithm,
    state: keyStateName(k.role, k.goal, k.states),
    goal: k.goal,
    waits: waits.filter((w) => w.keyId === k.id),
  }));
}
