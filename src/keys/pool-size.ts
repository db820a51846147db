// How many keys a policy needs over a period, as OpenDNSSEC's automatic key generation counts:
// for each key the policy lists, one key per lifetime that starts within the period (plus the
// standby keys), per zone — or once for all zones when the policy shares keys.

import type { KeyPolicy, Policy } from '../policy/policy.js';

export function keysNeeded(policy: Policy, k: KeyPolicy, periodSeconds: number, zones: number): number {
  const perZone = Math.max(1, Math.ceil(periodSeconds / Math.max(1, k.lifetime))) + k.standby;
  return policy.keys.shareKeys ? perZone : perZone * Math.max(1, zones);
}
