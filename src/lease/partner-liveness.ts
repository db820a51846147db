// Is the active node still alive, as far as the database can tell? A node holds the lease only
// while it runs, so between cron runs a healthy active node holds nothing; its sign of life is
// the lease's last acquisition or renewal (renewed_at: set when a run takes the lease and at
// every renewal, kept when the lease is handed back). It counts as alive until `safePeriod`
// seconds after that, on the database clock (a node's own clock never decides); a live lease is
// always alive. Contract: pure.

import type { LeaseRow } from '../store/lease.js';

export type Liveness =
  | { alive: true; node: string; lastSign: Date | null; downAfter: Date | null; why: string }
  | { alive: false; node: string | null; lastSign: Date | null; why: string };

export function partnerLiveness(lease: LeaseRow, safePeriodSeconds: number): Liveness {
  const node = lease.activeNode;
  if (node === null) return { alive: false, node: null, lastSign: null, why: 'no node has been active yet' };
  if (lease.held && lease.holderNode) {
    return {
      alive: true, node, lastSign: lease.renewedAt, downAfter: null,
      why: `${lease.holderNode} holds the lease (epoch ${lease.epoch}) until ${lease.expiresAt?.toISOString()}: a run is in progress`,
    };
  }
  const lastSign = lease.renewedAt;
  if (lastSign === null) return { alive: false, node, lastSign: null, why: `${node} has left no sign of life` };
  const downAfter = new Date(lastSign.getTime() + safePeriodSeconds * 1000);
  const ago = Math.round((lease.dbNow.getTime() - lastSign.getTime()) / 1000);
  if (downAfter.getTime() > lease.dbNow.getTime()) {
    return {
      alive: true, node, lastSign, downAfter,
      why: `${node} last held the lease ${ago} s ago (${lastSign.toISOString()}); it counts as down only once the safe period of ${safePeriodSeconds} s has passed, at ${downAfter.toISOString()}`,
    };
  }
  return { alive: false, node, lastSign, why: `${node} last held the lease ${ago} s ago (${lastSign.toISOString()}), longer than the safe period of ${safePeriodSeconds} s` };
}
