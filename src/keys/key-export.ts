// What `key export` exports: each selected zone's keys with the TTLs its policy gives them, read in
// one consistent snapshot (three queries whatever the number of zones), and their DNSKEY or DS
// records in presentation format. One zone or several or all: a script exporting every zone makes
// one call instead of one process per zone.
// Contract: reads only (REPEATABLE READ, READ ONLY); an unknown zone is BAD_INPUT naming every
// unknown zone, before anything is returned. `recordLines` is pure. Keys are in zone order (the
// order asked for, or by name for all zones), each zone's keys by id, as a single-zone export has them.

import { makeDs, type DigestType } from '../dnssec/ds.js';
import { dnskeyFor, encodeDnskeyRdata } from '../dnssec/dnskey.js';
import { dnskeyLine, dsLine } from '../dnssec/presentation.js';
import type { Db } from '../store/db.js';
import { allZoneKeys, zoneKeysOf, type ZoneKeyRow } from '../store/keys.js';
import { listPolicies } from '../store/policies.js';
import { listZones } from '../store/zones.js';
import { EnforcerError, EXIT } from '../util/exit-codes.js';

export interface ZoneExport {
  zone: string;
  /** The DNSKEY TTL of the zone's policy (3600 when the policy is gone). */
  ttl: number;
  /** The DS TTL the parent uses (the policy's), else the DNSKEY TTL. */
  dsTtl: number;
  keys: ZoneKeyRow[];
}

export interface ExportSelection {
  /** Zone names (normalised, no duplicates), or every zone. */
  zones: readonly string[] | 'all';
  /** Only the key with this tag. */
  keyTag?: number;
  /** KSKs and CSKs only (the keys a DS is for). */
  ds: boolean;
}

export async function zoneExports(db: Db, sel: ExportSelection): Promise<ZoneExport[]> {
  const read = await db.transaction(async (tx) => {
    await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    const zones = await listZones(tx);
    const known = new Map(zones.map((z) => [z.name, z]));
    const names = sel.zones === 'all' ? zones.map((z) => z.name) : [...sel.zones];
    const unknown = names.filter((n) => !known.has(n));
    if (unknown.length > 0) throw new EnforcerError(`no such zone ${unknown.join(', ')}`, EXIT.BAD_INPUT);
    const keys = sel.zones === 'all' ? await allZoneKeys(tx) : names.length === 0 ? [] : await zoneKeysOf(tx, names);
    return { names, known, keys, policies: new Map((await listPolicies(tx)).map((p) => [p.name, p])) };
  });
  const byZone = new Map<string, ZoneKeyRow[]>(read.names.map((n) => [n, []]));
  for (const k of read.keys) {
    if (sel.keyTag !== undefined && k.keyTag !== sel.keyTag) continue;
    if (sel.ds && k.role === 'ZSK') continue;
    byZone.get(k.zone)?.push(k);
  }
  return read.names.map((zone) => {
    const policy = read.policies.get(read.known.get(zone)!.policy);
    const ttl = policy?.keys.ttl ?? 3600;
    return { zone, ttl, dsTtl: policy?.parent.dsTtl ?? ttl, keys: byZone.get(zone)! };
  });
}

/** The zone's DNSKEY records (with the key's role and tag as a comment), or its DS records. */
export function recordLines(z: ZoneExport, o: { ds: boolean; digest: DigestType }): string[] {
  return z.keys.map((k) => {
    const dnskey = dnskeyFor(k.flags, k.algorithm, k.publicKey);
    if (!o.ds) return dnskeyLine(z.zone, dnskey, { ttl: z.ttl, comment: true });
    return dsLine(z.zone, makeDs(z.zone, encodeDnskeyRdata(dnskey), o.digest), { ttl: z.dsTtl });
  });
}
