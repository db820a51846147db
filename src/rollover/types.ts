// The rollover core's data model: a zone's keys with their per-record states, the zone-level
// inputs (roll requests, previously published TTLs, retirement), and what the core returns
// (actions, waits, next run time).
// Contract: plain data only. Every time is a number of milliseconds since the epoch; every
// duration taken from the Policy stays in seconds (as the Policy stores it) and is converted
// where it is used. Nothing here refers to a database, a file, a clock or a logger.

import type { Algorithm, KeyRole } from '../policy/policy.js';
import type { DsAtParent, KeyStates, RecordState } from '../store/keys.js';

export type { DsAtParent, KeyStates, RecordState } from '../store/keys.js';
export type { KeyRole } from '../policy/policy.js';

/** The four records of the key state model, in the order OpenDNSSEC walks them. */
export type RecordType = 'ds' | 'dnskey' | 'rrsigdnskey' | 'rrsig';
export const RECORD_TYPES: readonly RecordType[] = ['ds', 'dnskey', 'rrsigdnskey', 'rrsig'];

export type Goal = 'omnipresent' | 'hidden';

export interface RolloverKey {
  /** Caller-assigned identity (the database id as a string, or a test id). */
  id: string;
  role: KeyRole;
  algorithm: Algorithm;
  bits: number;
  /** Key repository; part of the key's policy slot together with role, algorithm and bits. */
  repository: string;
  flags: 256 | 257;
  keyTag: number;
  goal: Goal;
  states: KeyStates;
  /**
   * Last change of each record (ms). null = unchanged since the key was introduced; the core
   * then uses introducedAt. Infinity = changed, but the signconf that carries the change is not
   * known to be published yet (in place and the signer told): nothing may count from it, so the
   * record cannot age, and rules.ts treats the change as possibly not yet seen by any cache.
   */
  changedAt: Record<RecordType, number | null>;
  dsAtParent: DsAtParent;
  /** When dsAtParent last changed (ms): the ds-seen / ds-gone moment the DS timers count from. */
  dsAtParentChangedAt: number | null;
  /** When the key was given to the zone (OpenDNSSEC's inception); lifetimes count from here. */
  introducedAt: number;
}

/** The three TTL-governed families whose caches the core must wait out. */
export type TtlKind = 'ds' | 'dnskey' | 'rrsig';
export const TTL_KINDS: readonly TtlKind[] = ['ds', 'dnskey', 'rrsig'];

/**
 * The TTL the core last saw in force for one family, and how long records published under an
 * earlier, larger TTL may still sit in caches. Lowering a TTL does not shorten the life of what
 * resolvers already hold, so until `cachedUntil` the core waits for that instead.
 */
export interface PublishedTtl {
  /** Seconds. */
  ttl: number;
  /** ms; 0 when nothing published under a larger TTL can still be cached. */
  cachedUntil: number;
}

export interface ZoneState {
  /** In creation order: for equal introducedAt the later entry is the newer key. */
  keys: RolloverKey[];
  /** Operator's "roll now" per role (OpenDNSSEC `key rollover`); cleared when the new key is asked for. */
  rollRequested: Partial<Record<KeyRole, boolean>>;
  ttls: Record<TtlKind, PublishedTtl>;
  /**
   * Take the zone out of DNSSEC safely (zone deletion, going insecure): every key's goal
   * becomes hidden and no key is created. Same effect as a policy without keys.
   */
  retire?: boolean;
}

export type CreateReason = 'initial' | 'policy' | 'lifetime' | 'manual';

export type Action =
  | {
      type: 'create-key';
      role: KeyRole;
      algorithm: Algorithm;
      bits: number;
      repository: string;
      reason: CreateReason;
      at: number;
    }
  | { type: 'set-goal'; keyId: string; goal: Goal; reason: string; at: number }
  | { type: 'transition'; keyId: string; record: RecordType; from: RecordState; to: RecordState; at: number }
  /** Ask for the key's DS at the parent (run the submit hook / tell the operator). dsAtParent becomes 'submit'. */
  | { type: 'ds-submit'; keyId: string; keyTag: number; at: number }
  /** Ask for the key's DS to be removed from the parent. dsAtParent becomes 'retract'. */
  | { type: 'ds-retract'; keyId: string; keyTag: number; at: number }
  | { type: 'purge-key'; keyId: string; at: number }
  | { type: 'clear-roll-request'; role: KeyRole }
  | { type: 'ttl-change'; kind: TtlKind; from: number; to: number; cachedUntil: number; at: number }
  | { type: 'write-signconf'; reasons: string[] };

export type WaitKind =
  | 'time' // a cache horizon: `until` is when the change becomes possible
  | 'ds-seen' // the operator has not said ds-seen yet
  | 'ds-gone' // the operator has not said ds-gone yet
  | 'policy' // the roll type (or the algorithm rollover order) puts another record first
  | 'signer' // another key of the algorithm still signs; its signatures must be replaced first
  | 'rule' // a validity rule would break
  | 'roll' // the next automatic roll of a policy key
  | 'manual' // <ManualRollover/>: no automatic roll
  | 'purge' // a dead key waiting for <Purge>
  | 'published' // the change is decided but its signconf is not yet known to be published
  | 'config'; // the policy cannot be followed (e.g. lifetime too short)

export interface Wait {
  keyId: string | null;
  record: RecordType | null;
  from: RecordState | null;
  to: RecordState | null;
  kind: WaitKind;
  /** ms: when the wait ends by itself, or null when it needs someone (operator) or something else. */
  until: number | null;
  /** ms: since when the wait has been going on, when known. */
  since: number | null;
  message: string;
}

export interface EnforceResult {
  actions: Action[];
  /** The state with every action applied except create-key (which needs an id from the caller). */
  state: ZoneState;
  /** Earliest time the core can make progress by itself; null = only an input can change anything. */
  nextRunAt: number | null;
  waits: Wait[];
  /** True when create-key actions were returned: create the keys, then call enforce again at the same time. */
  rerun: boolean;
}
