// An independent model of what validating resolvers may hold, built only from what was published
// over time, used to check that a zone never goes bogus. It does NOT use the core's states or rules:
// only the signconf flags at each moment (what the signer publishes), the policy's TTLs and delays at
// that moment, and the DS requests and operator answers with their times.
//
// The model, explicitly:
//
// Zone versions. Each step of the timeline fixes the signconf flags per key (Publish / KSK / ZSK, from
// the record states as the domain notes define them). The signer turns a signconf into a zone version
// at once; secondaries may serve a version up to the zone PropagationDelay after it was replaced. A
// resolver that fetched an RRset keeps it for that version's TTL. So at time t a cache may hold an
// RRset from any version v with v.start <= t < v.end + PropagationDelay(v) + TTL(v):
//   - the DNSKEY RRset with its RRSIGs (one snapshot: the DNSKEYs with Publish and the signatures of the
//     keys with KSK in that version; TTL = DNSKEY TTL, or the negative TTL min(SOA TTL, SOA minimum)
//     when the version has no DNSKEY at all — a cached "no DNSKEY" answer);
//   - a zone data RRset (TTL = max(MaxZoneTTL — absent: the larger of one day and the SOA TTL —, negative
//     TTL, NSEC3 TTL)), from any instant of a version: versions are cut at each moment an old signature
//     may last be replaced (below).
// Zone data signatures follow ods-signer: each RRset carries at most one signature per algorithm; a
// signature is replaced only when it is due for refresh, at most R = max(validity) + jitter - refresh +
// resign after it was made, or at once when its key leaves the signconf. So a data RRset made at s may
// carry, for algorithm a, the signature of any key of a that is in the signconf at s and had ZSK at some
// moment in [s - R, s]; it carries none only if no key of a has ZSK at s.
// Lingering extra signatures (a KSK flag just removed, old signatures next to new ones) are left out:
// validity only gets easier with more signatures, so leaving them out is conservative.
//
// The parent. A DS may be at the parent from its submit request until the operator's ds-gone, and is
// certainly on every parent server from the operator's ds-seen until its retract request. Each DS is
// independent (the operator edits them one by one). A cache holds the DS set fetched at some s with
// s + DS TTL(s) > t.
//
// Validation is strict (Unbound with harden-algo-downgrade): for EVERY combination a cache may hold —
// any DS set, any DNSKEY snapshot, any data RRset — every algorithm that has a DS in the DS set must have
// (1) a DS whose DNSKEY is in the snapshot and signed it (KSK), and (2) a data signature of that
// algorithm whose key is in the snapshot. An empty DS set is insecure, not bogus (counted separately).
// Also checked (RFC 4035 §2.2, validators that insist): when any DS may be cached, every algorithm in a
// cached DNSKEY snapshot signs every cached data RRset.
//
// Before the first step the zone existed unsigned, so caches may hold a "no DNSKEY" answer and unsigned
// data from then. (published-history.ts turns the timeline into versions and DS intervals.)
//
// Instants. What a cache may hold changes only when a version starts or leaves every cache, or a DS
// event happens or leaves every cache; the check runs at each such boundary and 1 ms before it.

import type { PlanResult } from '../../../src/rollover/plan.js';
import { PublishedHistory, S, type DsHistory, type Version } from './published-history.js';

export interface Finding {
  at: number;
  kind: 'bogus-dnskey' | 'bogus-data' | 'unsigned-data' | 'algorithm-incomplete';
  algorithm: number;
  detail: string;
}

export interface ModelReport {
  instants: number;
  findings: Finding[];
  /** Instants at which two or more DS may be cached but a cache may hold none of them (a DS swap in flight). */
  insecureInstants: number;
}

export class ResolverModel {
  private readonly h: PublishedHistory;

  constructor(result: Pick<PlanResult, 'steps' | 'timeline'>) {
    this.h = new PublishedHistory(result);
  }

  /** DS snapshot instants s whose copies are still cached at t, as closed integer intervals. */
  private dsWindow(t: number): [number, number][] {
    const out: [number, number][] = [];
    this.h.dsTtl.forEach((seg, i) => {
      const end = i + 1 < this.h.dsTtl.length ? this.h.dsTtl[i + 1]!.from - 1 : t;
      const lo = Math.max(seg.from, t - seg.ttl * S + 1);
      const hi = Math.min(end, t);
      if (lo <= hi) out.push([lo, hi]);
    });
    // Before the first recorded step nothing was published, so nothing older can be cached.
    return out;
  }

  private mayBePresent(h: DsHistory, win: [number, number][]): boolean {
    return h.possible.some(([a, b]) => win.some(([lo, hi]) => a <= hi && b > lo));
  }

  private mayBeAbsent(h: DsHistory, win: [number, number][]): boolean {
    // Some s in the window outside every certain interval.
    for (const [lo, hi] of win) {
      let cursor = lo;
      const covering = h.certain.filter(([a, b]) => a <= hi && b > lo).sort((x, y) => x[0] - y[0]);
      for (const [a, b] of covering) {
        if (a > cursor) return true;
        cursor = Math.max(cursor, b);
        if (cursor > hi) break;
      }
      if (cursor <= hi) return true;
    }
    return false;
  }

  private cachedDnskey(t: number): Version[] {
    return this.h.versions.filter((v) => {
      const empty = ![...v.flags.values()].some((f) => f.publish);
      const ttl = empty ? v.negTtl : v.keysTtl;
      return v.start <= t && t < v.end + (v.prop + ttl) * S;
    });
  }

  private cachedData(t: number): Version[] {
    return this.h.pieces.filter((v) => v.start <= t && t < v.end + (v.prop + v.dataTtl) * S);
  }

  /** Keys of `alg` whose signature a data RRset of version u may carry, and whether it may carry none. */
  private dataSignatures(u: Version, alg: number): { keys: string[]; maybeNone: boolean } {
    const keys: string[] = [];
    let someSigner = false;
    for (const [id, f] of u.flags) {
      if (this.h.algorithmOf.get(id) !== alg) continue;
      if (f.zsk) someSigner = true;
      const flaggedRecently = (this.h.zsk.get(id) ?? []).some(([f0, f1, r]) => f0 < u.end && f1 + r > u.start);
      if (flaggedRecently) keys.push(id);
    }
    return { keys, maybeNone: !someSigner };
  }

  private boundaries(): number[] {
    const set = new Set<number>();
    for (const v of [...this.h.versions, ...this.h.pieces]) {
      set.add(v.start);
      if (v.end !== Infinity) {
        set.add(v.end + (v.prop + v.keysTtl) * S);
        set.add(v.end + (v.prop + v.negTtl) * S);
        set.add(v.end + (v.prop + v.dataTtl) * S);
      }
    }
    const maxDsTtl = Math.max(...this.h.dsTtl.map((s) => s.ttl));
    for (const h of this.h.ds.values()) {
      for (const [a, b] of [...h.possible, ...h.certain]) {
        for (const e of [a, b]) {
          if (e === Infinity) continue;
          set.add(e);
          for (const seg of this.h.dsTtl) set.add(e + seg.ttl * S);
        }
      }
    }
    for (const seg of this.h.dsTtl) set.add(seg.from + maxDsTtl * S);
    const out: number[] = [];
    for (const b of set) out.push(b, b - 1);
    return [...new Set(out)].sort((a, b) => a - b);
  }

  check(until: number): ModelReport {
    const findings: Finding[] = [];
    let instants = 0;
    let insecureInstants = 0;
    const first = this.h.versions[1]?.start ?? 0;
    for (const t of this.boundaries()) {
      if (t < first || t > until) continue;
      instants++;
      const win = this.dsWindow(t);
      const present = [...this.h.ds.values()].filter((h) => this.mayBePresent(h, win));
      if (present.length === 0) continue;
      if (present.length > 1 && present.every((h) => this.mayBeAbsent(h, win))) insecureInstants++;
      const dnskeys = this.cachedDnskey(t);
      const data = this.cachedData(t);
      for (const alg of new Set(present.map((h) => h.algorithm))) {
        const mine = present.filter((h) => h.algorithm === alg);
        const certain = mine.filter((h) => !this.mayBeAbsent(h, win));
        for (const v of dnskeys) {
          const good = (h: DsHistory) => v.flags.get(h.id)?.publish === true && v.flags.get(h.id)?.ksk === true;
          const ok = certain.length > 0 ? certain.some(good) : mine.every(good);
          if (!ok) {
            findings.push({ at: t, kind: 'bogus-dnskey', algorithm: alg, detail: `DS ${mine.map((h) => h.id)} vs DNSKEY version from ${v.start}` });
          }
        }
        for (const u of data) {
          const sigs = this.dataSignatures(u, alg);
          if (sigs.maybeNone) {
            findings.push({ at: t, kind: 'unsigned-data', algorithm: alg, detail: `data version from ${u.start} may lack algorithm ${alg}` });
            continue;
          }
          for (const id of sigs.keys) {
            for (const v of dnskeys) {
              if (v.flags.get(id)?.publish !== true) {
                findings.push({ at: t, kind: 'bogus-data', algorithm: alg, detail: `data version from ${u.start} signed by ${id}, DNSKEY version from ${v.start} lacks it` });
              }
            }
          }
        }
      }
      for (const v of dnskeys) {
        const algs = new Set([...v.flags].filter(([, f]) => f.publish).map(([id]) => this.h.algorithmOf.get(id)!));
        for (const alg of algs) {
          for (const u of data) {
            if (this.dataSignatures(u, alg).maybeNone) {
              findings.push({ at: t, kind: 'algorithm-incomplete', algorithm: alg, detail: `DNSKEY version from ${v.start} has algorithm ${alg}; data version from ${u.start} may not be signed with it` });
            }
          }
        }
      }
      if (findings.length > 20) break;
    }
    return { instants, findings, insecureInstants };
  }
}
