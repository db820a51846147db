// Words for `plan` and `rollover list`: how a key is named ("KSK 12345", or "new KSK #1" for a key
// a plan makes up), and what one core action or operator answer means in OpenDNSSEC's terms
// ("DNSKEY rumoured → omnipresent", "ds-submit: put the DS for key 12345 at the parent").
// Contract: pure string building; no I/O.

import type { KeyRole } from '../policy/policy.js';
import type { Action, RecordType } from '../rollover/index.js';

/** How a key is referred to in output: its tag when it exists, a made-up name when a plan creates it. */
export interface KeyRef {
  id: string;
  role: KeyRole;
  /** null for keys that exist only in a plan (their tag is only known once a pool key is taken). */
  keyTag: number | null;
  label: string;
}

/**
 * Tags given to keys a plan creates. Real tags are 16-bit, so these can never be taken for one,
 * and the core's own texts that quote a tag ("superseded by key N") can be translated back.
 */
export const PLAN_TAG_BASE = 1_000_000;

export const existingKeyRef = (k: { id: string; role: KeyRole; keyTag: number }): KeyRef => ({ id: k.id, role: k.role, keyTag: k.keyTag, label: `${k.role} ${k.keyTag}` });

/** ISO 8601 UTC to the second: plans are about hours and days, never milliseconds. */
export const isoSeconds = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

/** The record names `key list --verbose` uses. */
const RECORD: Record<RecordType, string> = { ds: 'DS', dnskey: 'DNSKEY', rrsigdnskey: 'RRSIGDNSKEY', rrsig: 'RRSIG' };

const CREATE_REASON: Record<Extract<Action, { type: 'create-key' }>['reason'], string> = {
  initial: 'first keys of the zone',
  policy: 'the policy asks for a key the zone does not have',
  lifetime: 'the current key reached its lifetime',
  manual: 'a roll was requested',
};

/** The key a tag quoted by the core refers to, named as the output names it. */
export function relabel(text: string, byTag: ReadonlyMap<number, KeyRef>): string {
  return text.replace(/\bkey (\d+)\b/g, (whole, tag: string) => {
    const ref = byTag.get(Number(tag));
    return ref ? (ref.keyTag === null ? ref.label : `key ${ref.keyTag}`) : whole;
  });
}

const dsOf = (ref: KeyRef | undefined) => (ref ? (ref.keyTag === null ? ref.label : `key ${ref.keyTag}`) : 'the key');

/**
 * One action in words, or null for write-signconf (shown from the signconf's content instead).
 * `ref` names the action's key; `byTag` translates tags quoted in the core's reasons.
 */
export function describeAction(a: Action, ref: KeyRef | undefined, byTag: ReadonlyMap<number, KeyRef>): string | null {
  switch (a.type) {
    case 'create-key':
      return `generate: new ${a.role} from the pool (${CREATE_REASON[a.reason]})`;
    case 'set-goal':
      return a.goal === 'hidden' ? `retire: goal hidden (${relabel(a.reason, byTag)})` : `goal omnipresent (${relabel(a.reason, byTag)})`;
    case 'transition':
      return `${RECORD[a.record]} ${a.from} → ${a.to}`;
    case 'ds-submit':
      return `ds-submit: put the DS for ${dsOf(ref)} at the parent`;
    case 'ds-retract':
      return `ds-retract: remove the DS for ${dsOf(ref)} from the parent`;
    case 'purge-key':
      return 'purge: dead for longer than <Purge>, removed from the zone';
    case 'clear-roll-request':
      return `the requested ${a.role} roll has started`;
    case 'ttl-change':
      return `${a.kind.toUpperCase()} TTL ${a.from} s → ${a.to} s`;
    case 'write-signconf':
      return null;
  }
}

export function describeAnswer(kind: 'ds-seen' | 'ds-gone'): string {
  return kind === 'ds-seen' ? 'operator: ds-seen (the parent serves the DS)' : 'operator: ds-gone (the parent no longer serves the DS)';
}

/** A signconf key's flags as the signconf spells them: Publish, KSK, ZSK. */
export function flagWords(f: { publish: boolean; ksk: boolean; zsk: boolean }): string {
  const words = [f.publish && 'Publish', f.ksk && 'KSK', f.zsk && 'ZSK'].filter(Boolean);
  return words.length > 0 ? words.join('+') : 'none';
}
