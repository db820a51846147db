// When may a standby fail over without --partner-down? Only once the active node has been silent
// (no lease acquisition or renewal) for the whole safe period, on the database clock.

import { describe, expect, it } from 'vitest';
import { partnerLiveness } from '../../src/lease/partner-liveness.js';
import type { LeaseRow } from '../../src/store/lease.js';

const NOW = new Date('2026-11-24T12:00:00Z');
const ago = (s: number) => new Date(NOW.getTime() - s * 1000);
const lease = (over: Partial<LeaseRow>): LeaseRow => ({
  epoch: 7, activeNode: 'ns-a', holderNode: null, acquiredAt: ago(4000), renewedAt: ago(3000), expiresAt: ago(3000), held: false, dbNow: NOW, ...over,
});

describe('partnerLiveness', () => {
  it('is alive while the lease is held (a run in progress), however old the last renewal', () => {
    const l = partnerLiveness(lease({ holderNode: 'ns-a', held: true, expiresAt: new Date(NOW.getTime() + 20_000), renewedAt: ago(10) }), 60);
    expect(l).toMatchObject({ alive: true, node: 'ns-a', downAfter: null });
    expect(l.why).toBe('ns-a holds the lease (epoch 7) until 2026-11-24T12:00:20.000Z: a run is in progress');
  });

  it('is alive until the safe period after its last renewal has passed, and down from that instant', () => {
    expect(partnerLiveness(lease({ renewedAt: ago(3599) }), 3600)).toMatchObject({ alive: true, downAfter: new Date(NOW.getTime() + 1000) });
    const down = partnerLiveness(lease({ renewedAt: ago(3600) }), 3600);
    expect(down).toMatchObject({ alive: false, node: 'ns-a', lastSign: ago(3600) });
    expect(down.why).toBe('ns-a last held the lease 3600 s ago (2026-11-24T11:00:00.000Z), longer than the safe period of 3600 s');
  });

  it('has no partner when no node was ever active, and none alive without any renewal', () => {
    expect(partnerLiveness(lease({ activeNode: null, renewedAt: null }), 3600)).toEqual({ alive: false, node: null, lastSign: null, why: 'no node has been active yet' });
    expect(partnerLiveness(lease({ renewedAt: null }), 3600)).toMatchObject({ alive: false, node: 'ns-a' });
  });

  it('uses the database clock only: an expired-looking lease still renewed recently is alive', () => {
    // Held is the database's own judgement (expires_at > now()); a released lease is judged by renewed_at.
    expect(partnerLiveness(lease({ held: false, holderNode: null, expiresAt: ago(1), renewedAt: ago(30) }), 3600).alive).toBe(true);
  });
});
