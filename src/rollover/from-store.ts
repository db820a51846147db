// Conversions between the store's zone_key rows and the core's keys, so the database integration
// does not re-derive them. Contract: pure; type-only use of the store module (no runtime import).

import type { ZoneKeyRow } from '../store/keys.js';
import type { RolloverKey } from './types.js';

const ms = (d: Date | null): number | null => (d === null ? null : d.getTime());

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
      dnskey: ms(row.changedAt.dnskey),
      rrsigdnskey: ms(row.changedAt.rrsigdnskey),
      rrsig: ms(row.changedAt.rrsig),
    },
    dsAtParent: row.dsAtParent,
    dsAtParentChangedAt: ms(row.dsAtParentChangedAt),
    introducedAt: row.introducedAt.getTime(),
  };
}
