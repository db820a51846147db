// I1 (keys) and I3 (state changes), pure over a FaultSnapshot.
//
// I1: no key generated twice, no key allocated twice or to a second zone (unless the policy
//     shares keys), no zone given more initial keys of a role than its policy lists, and every
//     key a signconf file names is one the database generated and allocated to that zone and
//     that sits in some node's keystore.
// I3: replaying the audit log's transitions per key and record: each starts where the previous
//     one ended (from HIDDEN at first), follows an edge of the key state model (src/rollover/
//     state-machine.ts), never goes back in time, waits at least the TTL + propagation delay
//     before OMNIPRESENT/HIDDEN, and ends in the state the database holds. The DS-at-parent
//     workflow (src/rollover/ds-parent.ts) is replayed the same way.

import type { FaultSnapshot, PolicyFacts, RecordName, Violation } from './snapshot.js';

const LOCATOR = /<Locator>([0-9a-f]{32})<\/Locator>/g;
const ZONE = /<Zone name="([^"]+)"/;

export function checkKeys(s: FaultSnapshot): { violations: Violation[]; figures: { keysGenerated: number; locatorsInFiles: number } } {
  const v: Violation[] = [];
  const bad = (detail: string) => v.push({ invariant: 'I1', detail });
  const generated = new Map<string, number>();
  for (const e of s.audit.filter((a) => a.event === 'keys generated')) {
    for (const loc of (e.detail.locators as string[] | undefined) ?? []) {
      if (generated.has(loc)) bad(`key ${loc} generated twice (audit ${generated.get(loc)} and ${e.id})`);
      generated.set(loc, e.id);
    }
  }
  for (const k of s.hsmKeys) if (!generated.has(k.locator)) bad(`key ${k.locator} is in the database without a 'keys generated' record`);
  const hsm = new Map(s.hsmKeys.map((k) => [k.locator, k]));
  const policyOf = new Map(s.policies.map((p) => [p.name, p]));

  const allocatedTo = new Map<string, Set<string>>();
  const initial = new Map<string, number>();
  for (const e of s.audit.filter((a) => a.event === 'key allocated')) {
    const zone = e.zone ?? '?';
    const loc = e.keyLocator ?? '?';
    const zones = allocatedTo.get(loc) ?? new Set<string>();
    if (zones.has(zone)) bad(`key ${loc} allocated to ${zone} twice`);
    zones.add(zone);
    allocatedTo.set(loc, zones);
    if (e.detail.reason === 'initial') {
      const k = `${zone}/${String(e.detail.role)}`;
      initial.set(k, (initial.get(k) ?? 0) + 1);
    }
  }
  for (const [loc, zones] of allocatedTo) {
    const policy = policyOf.get(hsm.get(loc)?.policy ?? '');
    if (zones.size > 1 && !policy?.shareKeys) bad(`key ${loc} allocated to ${zones.size} zones (${[...zones].join(', ')}) without <ShareKeys/>`);
  }
  for (const [k, n] of initial) {
    const [zone, role] = k.split('/') as [string, string];
    const allowed = policyOf.get(s.zonePolicies[zone] ?? '')?.roles[role] ?? 0;
    if (n > allowed) bad(`zone ${zone} was given ${n} initial ${role} keys; its policy lists ${allowed}`);
  }
  for (const zk of s.zoneKeys) {
    if (hsm.get(zk.locator)?.status !== 'allocated') bad(`zone ${zk.zone} uses key ${zk.locator}, whose pool status is ${hsm.get(zk.locator)?.status ?? 'missing'}`);
  }

  const inKeystore = new Set(Object.values(s.keystores).flat());
  let locatorsInFiles = 0;
  for (const f of s.files) {
    const zone = ZONE.exec(f.text)?.[1] ?? f.name.replace(/\.xml$/, '');
    for (const m of f.text.matchAll(LOCATOR)) {
      locatorsInFiles++;
      const loc = m[1]!;
      const where = `${f.node}:${f.name}`;
      if (!hsm.has(loc)) bad(`${where} names key ${loc}, which the database does not know`);
      else if (!allocatedTo.get(loc)?.has(zone)) bad(`${where} names key ${loc}, which was never allocated to ${zone}`);
      if (!inKeystore.has(loc)) bad(`${where} names key ${loc}, which no node's keystore holds`);
    }
  }
  return { violations: v, figures: { keysGenerated: generated.size, locatorsInFiles } };
}

/** The edges of the key state model; the DS record may also turn between RUMOURED and UNRETENTIVE. */
const EDGES: Record<string, string[]> = {
  hidden: ['rumoured'],
  rumoured: ['omnipresent'],
  omnipresent: ['unretentive'],
  unretentive: ['hidden'],
};
const DS_EXTRA: Record<string, string[]> = { rumoured: ['unretentive'], unretentive: ['rumoured'] };

/** DS-at-parent: what each request or answer may move from, and to. */
const DS_PARENT: Record<string, { from: string[]; to: string }> = {
  'request ds-submit': { from: ['unsubmitted', 'retract', 'retracted'], to: 'submit' },
  'request ds-retract': { from: ['submit', 'submitted', 'seen'], to: 'retract' },
  'answer ds-submit': { from: ['submit'], to: 'submitted' },
  'answer ds-seen': { from: ['submit', 'submitted'], to: 'seen' },
  'answer ds-gone': { from: ['retract'], to: 'retracted' },
  'answer ds-retract': { from: ['retract'], to: 'retract' },
};

function minWaitMs(p: PolicyFacts | undefined, record: RecordName): number {
  if (!p || record === 'ds') return 0;
  return (record === 'rrsig' ? p.minWait.rrsig : p.minWait.dnskey) * 1000;
}

export function checkTransitions(s: FaultSnapshot): { violations: Violation[]; figures: { transitions: number; dsChanges: number } } {
  const v: Violation[] = [];
  const bad = (detail: string) => v.push({ invariant: 'I3', detail });
  const policyOf = new Map(s.policies.map((p) => [p.name, p]));
  const last = new Map<string, { state: string; at: number }>();
  let transitions = 0;
  for (const e of s.audit.filter((a) => a.event === 'transition')) {
    transitions++;
    const d = e.detail as { keyId: string; record: RecordName; from: string; to: string; at: number };
    const key = `${e.zone}/${d.keyId}/${d.record}`;
    const where = `zone ${e.zone} key ${String(e.detail.keyTag ?? d.keyId)} ${d.record} (audit ${e.id})`;
    const prev = last.get(key) ?? { state: 'hidden', at: -Infinity };
    if (d.from !== prev.state) bad(`${where}: moved from ${d.from}, but its last recorded state is ${prev.state}`);
    const allowed = [...(EDGES[d.from] ?? []), ...(d.record === 'ds' ? DS_EXTRA[d.from] ?? [] : [])];
    if (!allowed.includes(d.to)) bad(`${where}: ${d.from} -> ${d.to} is not a move of the key state model`);
    if (d.at < prev.at) bad(`${where}: moved at ${new Date(d.at).toISOString()}, before its previous move at ${new Date(prev.at).toISOString()}`);
    const wait = minWaitMs(policyOf.get(s.zonePolicies[e.zone ?? ''] ?? ''), d.record);
    if ((d.to === 'omnipresent' || d.to === 'hidden') && Number.isFinite(prev.at) && d.at - prev.at < wait) {
      bad(`${where}: ${d.from} -> ${d.to} after ${(d.at - prev.at) / 1000} s; caches need at least ${wait / 1000} s`);
    }
    last.set(key, { state: d.to, at: d.at });
  }
  for (const zk of s.zoneKeys) {
    for (const record of ['ds', 'dnskey', 'rrsigdnskey', 'rrsig'] as RecordName[]) {
      const replayed = last.get(`${zk.zone}/${zk.id}/${record}`)?.state;
      const actual = zk.states[record];
      if (replayed === undefined ? !['hidden', 'na'].includes(actual) : replayed !== actual) {
        bad(`zone ${zk.zone} key ${zk.keyTag} ${record} is ${actual} in the database, but the audit log's transitions lead to ${replayed ?? 'hidden'}`);
      }
    }
  }

  const ds = new Map<string, string>();
  let dsChanges = 0;
  for (const e of s.audit) {
    const d = e.detail as { type?: string; keyTag?: number; from?: string; to?: string };
    let kind: string | null = null;
    if (['ds-submit', 'ds-retract', 'ds-seen', 'ds-gone'].includes(e.event)) kind = d.from !== undefined ? `answer ${e.event}` : `request ${e.event}`;
    if (!kind || d.keyTag === undefined) continue;
    dsChanges++;
    const key = `${e.zone}/${d.keyTag}`;
    const current = ds.get(key) ?? 'unsubmitted';
    const rule = DS_PARENT[kind]!;
    if (!rule.from.includes(current) || (d.from !== undefined && d.from !== current)) {
      bad(`zone ${e.zone} key ${d.keyTag}: ${kind} (audit ${e.id}) found the DS at the parent '${current}'${d.from !== undefined ? ` but says '${d.from}'` : ''}`);
    }
    ds.set(key, d.to ?? rule.to);
  }
  for (const zk of s.zoneKeys) {
    const replayed = ds.get(`${zk.zone}/${zk.keyTag}`) ?? 'unsubmitted';
    if (replayed !== zk.dsAtParent) bad(`zone ${zk.zone} key ${zk.keyTag}: DS at the parent is '${zk.dsAtParent}' in the database, the audit log leads to '${replayed}'`);
  }
  return { violations: v, figures: { transitions, dsChanges } };
}
