// DS records for a zone as served by its parent's servers, and which of our keys they point at.
// Contract: `dsFromAnswer` and `dsCoverage` are pure; `probeParentDs` asks every given parent server (all of
// them must agree before a DS counts as seen, as Knot and BIND require) and never rejects.

import type dnsPacket from 'dns-packet';
import { DNSSEC_PROTOCOL, encodeDnskeyRdata } from '../dnssec/dnskey.js';
import { dsMatches, type Ds } from '../dnssec/ds.js';
import { fqdn } from '../dnssec/name.js';
import type { QueryFn, QueryOptions } from './dns-client.js';
import { tagOf } from './live-dnskey.js';
import { probeError, type ProbeError } from './probe-error.js';
import { formatServer, type ServerAddress } from './servers.js';
import { sameName } from './names.js';

export interface KeyRef {
  flags: number;
  algorithm: number;
  publicKey: Uint8Array;
}

export interface DsCoverage {
  /** Tags of the given keys that some served DS points at. */
  covered: number[];
  /** Tags of the given keys no served DS points at. */
  uncovered: number[];
  /** Served DS records that point at none of the given keys. */
  foreign: Ds[];
}

export type ParentDsResult =
  | { server: ServerAddress; ok: true; ds: Ds[]; coverage: DsCoverage }
  | { server: ServerAddress; ok: false; error: ProbeError };

export function dsFromAnswer(zone: string, message: dnsPacket.Packet): Ds[] {
  const apex = fqdn(zone);
  const out: Ds[] = [];
  for (const rr of message.answers ?? []) {
    if (rr.type !== 'DS' || !sameName(rr.name, apex)) continue;
    out.push({ keyTag: rr.data.keyTag, algorithm: rr.data.algorithm, digestType: rr.data.digestType, digest: new Uint8Array(rr.data.digest) });
  }
  return out;
}

export function dsCoverage(zone: string, ds: readonly Ds[], keys: readonly KeyRef[]): DsCoverage {
  const owner = fqdn(zone);
  const rdatas = keys.map((k) => encodeDnskeyRdata({ flags: k.flags, protocol: DNSSEC_PROTOCOL, algorithm: k.algorithm, publicKey: k.publicKey }));
  const covered: number[] = [];
  const uncovered: number[] = [];
  for (const rdata of rdatas) (ds.some((d) => dsMatches(d, owner, rdata)) ? covered : uncovered).push(tagOf(rdata));
  const foreign = ds.filter((d) => !rdatas.some((r) => dsMatches(d, owner, r)));
  return { covered, uncovered, foreign };
}

export async function probeParentDs(
  zone: string, parentServers: readonly ServerAddress[], keys: readonly KeyRef[], queryFn: QueryFn, opts: QueryOptions = {},
): Promise<ParentDsResult[]> {
  const apex = fqdn(zone);
  return Promise.all(
    parentServers.map(async (server): Promise<ParentDsResult> => {
      const r = await queryFn(server, apex, 'DS', { ...opts, dnssecOk: true });
      if (!r.ok) return { server, ok: false, error: r.error };
      const at = `DS ${apex} from ${formatServer(server)}`;
      if (r.answer.rcode !== 'NOERROR') return { server, ok: false, error: probeError('rcode', `${at}: ${r.answer.rcode}`) };
      if (!r.answer.authoritative) return { server, ok: false, error: probeError('not-authoritative', `${at}: answer without the AA bit`) };
      const ds = dsFromAnswer(apex, r.answer.message);
      return { server, ok: true, ds, coverage: dsCoverage(apex, ds, keys) };
    }),
  );
}

/** True when every parent server answered and each serves a DS for the key with this RDATA's tag. */
export function dsSeenEverywhere(results: readonly ParentDsResult[], keyTag: number): boolean {
  return results.length > 0 && results.every((r) => r.ok && r.coverage.covered.includes(keyTag));
}
