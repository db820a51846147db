// Conversions between the store's zone_key rows and the core's keys, so the database integration
// does not re-derive them. Contract: pure; type-only use of the store module (no runtime import).

import type { ZoneKeyRow } from '../store/keys.js';
import type { RolloverKey } from './types.js';

const ms = (d: Date | null): number | null => (d === null ? null : d.getTime());

/** A change whose signconf is not yet published counts from nothing yet (types.ts: Infinity). */
const changed = (row: ZoneKeyRow, r: 'dnskey' | 'rrsigdnskey' | 'rrsig'): number | null =>
  row.unpublished.includes(r) ? Infinity : ms(row.changedAt[r]);

export function rolloverKeyFromRow(row: ZoneKeyRow): RolloverKey {
  return {
    id: String(row.id),
    role: row.role,
    algorithm: row.algorithm,
    bits: row.bits,
    repository: row.repository,
    flags: row.flags,
    keyTag: row.keyTag,
    goal: row.goal,
    states: { ...row.states },
    changedAt: {
      ds: ms(row.changedAt.ds),
      dnskey: changed(row, 'dnskey'),
      rrsigdnskey: changed(row, 'rrsigdnskey'),
      rrsig: changed(row, 'rrsig'),
    },
    dsAtParent: row.dsAtParent,
    dsAtParentChangedAt: ms(row.dsAtParentChangedAt),
    introducedAt: row.introducedAt.getTime(),
  };
}
