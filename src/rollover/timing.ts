// Minimum transition times: when a record that was made rumoured (or unretentive) may be called
// omnipresent (or hidden), i.e. when every cache has caught up with the change.
// Contract: pure functions of (zone state, policy, key, record); times in ms, policy durations in s.
//
// Formulas (RFC 7583 terms in brackets; "lc" = the record's last change):
//   DS      -> O/H  max(lc, ds-seen / ds-gone) + DS TTL + RegistrationDelay + parent PropagationDelay
//                   [Dreg + Dprp(parent) + TTLds], and only once the operator said ds-seen / ds-gone.
//   DNSKEY, RRSIG-DNSKEY
//           -> O    lc + DNSKEY TTL + zone PropagationDelay + PublishSafety  [Dprp + TTLkey + Ipub safety]
//           -> H    lc + DNSKEY TTL + zone PropagationDelay + RetireSafety   [Dprp + TTLkey + Iret safety]
//           While no DNSKEY is omnipresent (a zone being signed for the first time) resolvers may hold a
//           negative answer for the DNSKEY query, so the TTL is max(DNSKEY TTL, min(SOA TTL, SOA minimum)).
//   RRSIG   -> O/H  lc + zone data TTL + zone PropagationDelay [Dsgn + Dprp + TTLsig], where the zone data
//           TTL is max(MaxZoneTTL, min(SOA TTL, SOA minimum), NSEC3PARAM TTL) — signed negative answers
//           count too. An absent MaxZoneTTL means max(86400 s, SOA TTL): OpenDNSSEC's own default, raised
//           to the SOA record's TTL, the one zone record whose TTL the policy itself sets. A zone with
//           records above that must set <MaxZoneTTL>, as it must for OpenDNSSEC.
// Signature replacement (Dsgn): ods-signer puts one signature per algorithm on an RRset and keeps a
// valid one until it is due for refresh (signer/src/signer/rrset.c: rrset_recycle, rrset_sigalgo). So a
// new ZSK's signatures replace those of another key of the same algorithm only as they expire, which
// takes up to R = max(Validity Default, Validity Denial) + Jitter + Resign - Refresh (the same term
// OpenDNSSEC's enforcer adds). Hence:
//   - a ZSK's RRSIG cannot become omnipresent while another key of its algorithm still signs (RRSIG
//     rumoured or omnipresent): that key's signatures would never be replaced;
//   - it becomes omnipresent R after the last such key stopped signing (+ TTL + propagation);
//   - a withdrawn RRSIG becomes hidden only R after it stopped (+ TTL + propagation): until then its
//     signatures may still be in the zone — but only while the key is still in the signconf. A key
//     with no Publish/KSK/ZSK flag left is not written (signconf/render.ts) and ods-signer drops the
//     signatures of keys it no longer lists at its next signing (rrset_recycle), so the wait counts
//     from whichever comes first. This is what ends an algorithm rollover (the old ZSK's signatures
//     go last, after its DNSKEY): TTL + propagation, as in OpenDNSSEC, not R + TTL + propagation.
// A lowered TTL still counts until what was published under the larger one has expired (PublishedTtl).

import type { Policy } from '../policy/policy.js';
import type { PublishedTtl, RecordState, RecordType, RolloverKey, TtlKind, ZoneState } from './types.js';

const S = 1000;

/** OpenDNSSEC stores an absent <MaxZoneTTL> as this (enforcer policy import). */
export const DEFAULT_MAX_ZONE_TTL = 86_400;

/** Negative-caching TTL of the zone (RFC 2308: the SOA TTL capped by the SOA minimum). */
export const negativeTtl = (p: Policy): number => Math.min(p.zone.soaTtl, p.zone.soaMinimum);

/** Highest TTL any signed zone record can have, signed denial of existence included. */
export function zoneDataTtl(p: Policy): number {
  const nsec3 = p.denial.type === 'NSEC3' ? p.denial.ttl : 0;
  const max = p.signatures.maxZoneTtl ?? Math.max(DEFAULT_MAX_ZONE_TTL, p.zone.soaTtl);
  return Math.max(max, negativeTtl(p), nsec3);
}

/** Seconds ods-signer may keep an existing signature before replacing it (R above). */
export function signatureReplacement(p: Policy): number {
  const s = p.signatures;
  return Math.max(0, Math.max(s.validityDefault, s.validityDenial) + s.jitter + s.resign - s.refresh);
}

/** The TTL the policy asks for now, per family (seconds). */
export function policyTtl(p: Policy, kind: TtlKind): number {
  if (kind === 'ds') return p.parent.dsTtl;
  if (kind === 'dnskey') return p.keys.ttl;
  return zoneDataTtl(p);
}

/** Seconds between a change and the moment every server that answers for it has it. */
export function propagation(p: Policy, kind: TtlKind): number {
  return kind === 'ds' ? p.parent.registrationDelay + p.parent.propagationDelay : p.zone.propagationDelay;
}

/** The new PublishedTtl after the policy's TTL for a family changed from `prev.ttl` at `now`. */
export function nextPublishedTtl(prev: PublishedTtl, p: Policy, kind: TtlKind, now: number): PublishedTtl {
  const ttl = policyTtl(p, kind);
  const stillCached = ttl < prev.ttl ? now + (prev.ttl + propagation(p, kind)) * S : 0;
  return { ttl, cachedUntil: Math.max(prev.cachedUntil, stillCached) };
}

export const lastChange = (k: RolloverKey, r: RecordType): number => k.changedAt[r] ?? k.introducedAt;

const SIGNCONF_RECORDS: readonly RecordType[] = ['dnskey', 'rrsigdnskey', 'rrsig'];

/**
 * Since when (at the latest) the key has been out of the signconf: none of its DNSKEY, RRSIG-DNSKEY
 * and RRSIG records is rumoured or omnipresent, so it has no flag and is not listed. The last change
 * among them bounds the moment its last flag went. null while it is listed.
 */
export function leftSignconfAt(k: RolloverKey): number | null {
  const records = SIGNCONF_RECORDS.filter((r) => k.states[r] !== 'na');
  if (records.some((r) => isSigning(k.states[r]))) return null;
  return Math.max(...records.map((r) => lastChange(k, r)));
}

/** Why a move to OMNIPRESENT/HIDDEN cannot happen yet, or when it can. */
export type Earliest =
  | { kind: 'time'; at: number; basis: string }
  | { kind: 'ds-seen' | 'ds-gone'; since: number | null }
  | { kind: 'signer'; keyId: string };

const isSigning = (s: RecordState) => s === 'rumoured' || s === 'omnipresent';

function cacheHorizon(zone: ZoneState, kind: TtlKind, at: number): number {
  return Math.max(at, zone.ttls[kind].cachedUntil);
}

/**
 * Earliest time `key`'s `record` may move to `to` (OMNIPRESENT or HIDDEN; moves to RUMOURED and
 * UNRETENTIVE are never held back by time and get at = -Infinity).
 */
export function earliest(zone: ZoneState, p: Policy, key: RolloverKey, record: RecordType, to: RecordState): Earliest {
  if (to === 'rumoured' || to === 'unretentive') return { kind: 'time', at: -Infinity, basis: 'immediate' };
  const lc = lastChange(key, record);
  const prop = p.zone.propagationDelay;

  if (record === 'ds') {
    const since = key.dsAtParentChangedAt;
    if (to === 'hidden' && key.dsAtParent === 'unsubmitted') return { kind: 'time', at: lc, basis: 'DS never submitted' };
    if (to === 'omnipresent' && key.dsAtParent !== 'seen') return { kind: 'ds-seen', since };
    if (to === 'hidden' && key.dsAtParent !== 'retracted') return { kind: 'ds-gone', since };
    const base = Math.max(lc, since ?? lc);
    const wait = p.parent.dsTtl + p.parent.registrationDelay + p.parent.propagationDelay;
    return {
      kind: 'time',
      at: cacheHorizon(zone, 'ds', base + wait * S),
      basis: `${to === 'omnipresent' ? 'ds-seen' : 'ds-gone'} + DS TTL + registration delay + parent propagation delay`,
    };
  }

  if (record === 'dnskey' || record === 'rrsigdnskey') {
    const othersKnown = zone.keys.some((k) => k.id !== key.id && k.states.dnskey === 'omnipresent');
    const negative = to === 'omnipresent' && !othersKnown && negativeTtl(p) > p.keys.ttl;
    const ttl = negative ? negativeTtl(p) : p.keys.ttl;
    const safety = to === 'omnipresent' ? p.keys.publishSafety : p.keys.retireSafety;
    const at = cacheHorizon(zone, 'dnskey', lc + (ttl + prop) * S) + safety * S;
    const ttlName = negative ? 'negative TTL (no DNSKEY known yet)' : 'DNSKEY TTL';
    return { kind: 'time', at, basis: `${ttlName} + propagation delay + ${to === 'omnipresent' ? 'publish' : 'retire'} safety` };
  }

  // Zone signatures.
  const ttl = zoneDataTtl(p);
  const replace = signatureReplacement(p) * S;
  if (to === 'hidden') {
    const left = leftSignconfAt(key);
    if (left !== null && left < lc + replace) {
      const at = cacheHorizon(zone, 'rrsig', left + (ttl + prop) * S);
      return { kind: 'time', at, basis: 'key left the signconf + zone data TTL + propagation delay' };
    }
    const at = cacheHorizon(zone, 'rrsig', lc + replace + (ttl + prop) * S);
    return { kind: 'time', at, basis: 'signature replacement + zone data TTL + propagation delay' };
  }
  const peers = zone.keys.filter((k) => k.id !== key.id && k.algorithm === key.algorithm);
  const stillSigning = peers.find((k) => isSigning(k.states.rrsig));
  if (stillSigning) return { kind: 'signer', keyId: stillSigning.id };
  let base = lc;
  let basis = 'zone data TTL + propagation delay';
  for (const k of peers) {
    if (k.states.rrsig !== 'unretentive') continue;
    const replaced = lastChange(k, 'rrsig') + replace;
    if (replaced > base) {
      base = replaced;
      basis = `replacement of key ${k.keyTag}'s signatures + zone data TTL + propagation delay`;
    }
  }
  return { kind: 'time', at: cacheHorizon(zone, 'rrsig', base + (ttl + prop) * S), basis };
}
