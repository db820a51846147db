// Automatic takeover (failover.autoTakeover, off by default): whether this standby node's cron
// `run` should fail over by itself because the active node has been silent for longer than the
// safe period (see partner-liveness.ts). The failover that follows is the same as the command's,
// with every check, and never forced: a partner that shows any sign of life is left alone.
// Contract: reads the lease only.

import type { Config } from '../config/config.js';
import { partnerLiveness, type Liveness } from '../lease/partner-liveness.js';
import type { Db } from '../store/db.js';
import { readLease } from '../store/lease.js';

/** The silent partner's liveness when a takeover is due, else null. */
export async function autoTakeoverDue(db: Db, config: Pick<Config, 'node' | 'failover'>): Promise<Liveness | null> {
  if (!config.failover.autoTakeover) return null;
  const lease = await readLease(db);
  if (lease.activeNode === null || lease.activeNode === config.node) return null;
  const partner = partnerLiveness(lease, config.failover.safePeriodSeconds);
  return partner.alive ? null : partner;
}
