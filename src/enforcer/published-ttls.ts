// The TTLs a zone last published are an input of the rollover core (a lowered TTL keeps counting at
// its old value until cached copies expire: rollover/timing.ts). A zone records them at its first
// step (zone-step.ts); this pins them for zones that have not, before anything can change the
// policy they follow — a kasp.xml import or a zone moving to another policy — so the core compares
// the new TTLs with the ones really published, never with the new ones.
// Contract: runs inside the caller's fenced transaction, before the change; changes nothing for a
// zone whose TTLs are already recorded.

import { initialTtls } from '../rollover/index.js';
import type { Queryable } from '../store/db.js';
import { listPolicies } from '../store/policies.js';
import { pinUnrecordedTtls } from '../store/zones.js';

/** Pin the TTLs of every policy as it stands now on its zones that have recorded none. */
export async function pinPublishedTtls(tx: Queryable): Promise<number> {
  let pinned = 0;
  for (const policy of await listPolicies(tx)) pinned += await pinUnrecordedTtls(tx, policy.name, initialTtls(policy));
  return pinned;
}
