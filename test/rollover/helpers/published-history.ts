// What a zone published over time, from a timeline of core states and DS events: zone versions
// (signconf flags and the TTLs in force), their cuts where old signatures may last have been replaced,
// each key's ZSK intervals, each DS's possible/certain presence at the parent, and the DS TTL over time.
// See resolver-model.ts for how resolvers may cache it.

import type { Policy } from '../../../src/policy/policy.js';
import type { PlanResult } from '../../../src/rollover/plan.js';
import type { ZoneState } from '../../../src/rollover/types.js';

export const S = 1000;

export interface Flags {
  publish: boolean;
  ksk: boolean;
  zsk: boolean;
}

export interface Version {
  start: number;
  end: number;
  flags: Map<string, Flags>;
  keysTtl: number;
  negTtl: number;
  dataTtl: number;
  prop: number;
  replace: number;
}

export interface DsHistory {
  id: string;
  algorithm: number;
  possible: [number, number][]; // [submit request, ds-gone)
  certain: [number, number][]; // [ds-seen, retract request)
}

// The zone's largest TTL: MaxZoneTTL when the policy states it, else (assumed) one day or the SOA's TTL.
const dataTtlOf = (p: Policy) =>
  Math.max(p.signatures.maxZoneTtl ?? Math.max(86_400, p.zone.soaTtl), Math.min(p.zone.soaTtl, p.zone.soaMinimum), p.denial.type === 'NSEC3' ? p.denial.ttl : 0);
const replaceOf = (p: Policy) => {
  const s = p.signatures;
  return Math.max(0, Math.max(s.validityDefault, s.validityDenial) + s.jitter + s.resign - s.refresh);
};

const visible = (s: string) => s === 'rumoured' || s === 'omnipresent';

function flagsOf(state: ZoneState): Map<string, Flags> {
  const m = new Map<string, Flags>();
  for (const k of state.keys) {
    const f = { publish: visible(k.states.dnskey), ksk: visible(k.states.rrsigdnskey), zsk: visible(k.states.rrsig) };
    if (f.publish || f.ksk || f.zsk) m.set(k.id, f);
  }
  return m;
}

function sameVersion(a: Version, flags: Map<string, Flags>, p: Policy): boolean {
  if (a.keysTtl !== p.keys.ttl || a.dataTtl !== dataTtlOf(p) || a.prop !== p.zone.propagationDelay || a.replace !== replaceOf(p)) return false;
  if (a.negTtl !== Math.min(p.zone.soaTtl, p.zone.soaMinimum) || a.flags.size !== flags.size) return false;
  for (const [id, f] of a.flags) {
    const g = flags.get(id);
    if (!g || g.publish !== f.publish || g.ksk !== f.ksk || g.zsk !== f.zsk) return false;
  }
  return true;
}

export class PublishedHistory {
  readonly versions: Version[] = [];
  /** Versions cut where an old signature may last have been replaced (ZSK off + R): data snapshots. */
  readonly pieces: Version[] = [];
  /** Per key: the intervals during which it had ZSK, with the replacement time R then (ms). */
  readonly zsk = new Map<string, [number, number, number][]>();
  readonly ds = new Map<string, DsHistory>();
  readonly algorithmOf = new Map<string, number>();
  readonly dsTtl: { from: number; ttl: number }[] = [];

  constructor(result: Pick<PlanResult, 'steps' | 'timeline'>) {
    // Before the first step the zone was served unsigned: caches may hold "no DNSKEY" and unsigned data.
    const first = result.steps[0];
    if (first) {
      const p = first.policy;
      this.versions.push({
        start: -Infinity, end: first.at, flags: new Map(),
        keysTtl: p.keys.ttl, negTtl: Math.min(p.zone.soaTtl, p.zone.soaMinimum), dataTtl: dataTtlOf(p),
        prop: p.zone.propagationDelay, replace: replaceOf(p),
      });
    }
    for (const step of result.steps) {
      for (const k of step.state.keys) this.algorithmOf.set(k.id, k.algorithm);
      const flags = flagsOf(step.state);
      const last = this.versions[this.versions.length - 1];
      if (!last || !sameVersion(last, flags, step.policy)) {
        if (last) last.end = step.at;
        const p = step.policy;
        this.versions.push({
          start: step.at, end: Infinity, flags,
          keysTtl: p.keys.ttl, negTtl: Math.min(p.zone.soaTtl, p.zone.soaMinimum), dataTtl: dataTtlOf(p),
          prop: p.zone.propagationDelay, replace: replaceOf(p),
        });
      }
      const lastTtl = this.dsTtl[this.dsTtl.length - 1];
      if (!lastTtl || lastTtl.ttl !== step.policy.parent.dsTtl) this.dsTtl.push({ from: step.at, ttl: step.policy.parent.dsTtl });
    }
    const open = (list: [number, number][], at: number) => {
      const last = list[list.length - 1];
      if (!last || last[1] !== Infinity) list.push([at, Infinity]);
    };
    const close = (list: [number, number][], at: number) => {
      const last = list[list.length - 1];
      if (last && last[1] === Infinity) last[1] = at;
    };
    const history = (id: string) => {
      let h = this.ds.get(id);
      if (!h) {
        h = { id, algorithm: this.algorithmOf.get(id) ?? -1, possible: [], certain: [] };
        this.ds.set(id, h);
      }
      return h;
    };
    for (const e of result.timeline) {
      if (e.kind === 'action' && e.action.type === 'ds-submit') open(history(e.action.keyId).possible, e.at);
      if (e.kind === 'action' && e.action.type === 'ds-retract') close(history(e.action.keyId).certain, e.at);
      if (e.kind === 'ds-seen') open(history(e.keyId).certain, e.at);
      if (e.kind === 'ds-gone') close(history(e.keyId).possible, e.at);
    }
    for (const h of this.ds.values()) h.algorithm = this.algorithmOf.get(h.id) ?? -1;

    for (const v of this.versions) {
      for (const [id, f] of v.flags) {
        if (!f.zsk) continue;
        const list = this.zsk.get(id) ?? [];
        const last = list[list.length - 1];
        if (last && last[1] === v.start) last[1] = v.end;
        else list.push([v.start, v.end, v.replace * S]);
        this.zsk.set(id, list);
      }
    }
    const cuts = [...this.zsk.values()].flat().map(([, f1, r]) => f1 + r).filter((c) => c !== Infinity);
    for (const v of this.versions) {
      const inside = [...new Set(cuts.filter((c) => c > v.start && c < v.end))].sort((a, b) => a - b);
      const edges = [v.start, ...inside, v.end];
      for (let i = 0; i + 1 < edges.length; i++) this.pieces.push({ ...v, start: edges[i]!, end: edges[i + 1]! });
    }
  }
}
