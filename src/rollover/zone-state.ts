// Starting values for the zone-level part of the core's input.
// Contract: pure; a zone that has never published anything starts with the policy's TTLs and no
// cached copies of earlier, larger TTLs to wait out.

import type { Policy } from '../policy/policy.js';
import { policyTtl } from './timing.js';
import type { TtlKind, PublishedTtl, ZoneState } from './types.js';
import { TTL_KINDS } from './types.js';

export function initialTtls(policy: Policy): Record<TtlKind, PublishedTtl> {
  const out = {} as Record<TtlKind, PublishedTtl>;
  for (const kind of TTL_KINDS) out[kind] = { ttl: policyTtl(policy, kind), cachedUntil: 0 };
  return out;
}

/** The state of a zone the core has not seen before. */
export function emptyZoneState(policy: Policy): ZoneState {
  return { keys: [], rollRequested: {}, ttls: initialTtls(policy) };
}

/**
 * The state as it will be once every change still waiting for its signconf's publication
 * (changedAt Infinity, types.ts) is published at `at`: for schedules and projections, never for
 * decisions.
 */
export function assumePublished(state: ZoneState, at: number): ZoneState {
  const fix = (t: number | null) => (t === Infinity ? at : t);
  return {
    ...state,
    keys: state.keys.map((k) => ({
      ...k,
      changedAt: { ds: fix(k.changedAt.ds), dnskey: fix(k.changedAt.dnskey), rrsigdnskey: fix(k.changedAt.rrsigdnskey), rrsig: fix(k.changedAt.rrsig) },
    })),
  };
}
