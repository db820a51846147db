// A test driver that plays the enforcer and the operator around the pure core, step by step: it
// calls enforce at `now`, applies the actions (creating keys with made-up identities), records every
// transition, DS request and signconf flag set with its time, and only moves the clock to the core's
// nextRunAt (or to an operator answer the test gives). Scenario tests then assert exact times.

import { expect } from 'vitest';
import type { KeyRole, Policy } from '../../../src/policy/policy.js';
import { apply, type NewKeyIdentity } from '../../../src/rollover/apply.js';
import { markGone, markSeen } from '../../../src/rollover/ds-parent.js';
import { enforce } from '../../../src/rollover/enforce.js';
import { keyStateName, type KeyStateName } from '../../../src/keys/key-state.js';
import { sequentialIdentity, type PlanResult, type PlanStep, type TimelineEntry } from '../../../src/rollover/plan.js';
import { flagsOf, type SignconfFlags } from '../../../src/rollover/signconf-flags.js';
import type { Action, EnforceResult, RecordState, RecordType, RolloverKey, ZoneState } from '../../../src/rollover/types.js';
import { emptyZoneState } from '../../../src/rollover/zone-state.js';
import { ResolverModel } from './resolver-model.js';

export interface Move {
  at: number;
  keyId: string;
  record: RecordType;
  from: RecordState;
  to: RecordState;
}

export interface DsEvent {
  at: number;
  keyId: string;
  type: 'ds-submit' | 'ds-retract' | 'ds-seen' | 'ds-gone';
}

export class Driver {
  state: ZoneState;
  now: number;
  moves: Move[] = [];
  ds: DsEvent[] = [];
  actions: { at: number; action: Action }[] = [];
  /** Signconf flags after each step that changed them. */
  signconfs: { at: number; flags: Map<string, SignconfFlags> }[] = [];
  /** OpenDNSSEC state names per key, each time one changes. */
  names = new Map<string, { at: number; name: KeyStateName }[]>();
  last!: EnforceResult;
  /** State after every step, for the resolver model. */
  steps: PlanStep[] = [];
  private identity: NewKeyIdentity;

  constructor(
    public policy: Policy,
    start: number,
    options: { state?: ZoneState; identity?: NewKeyIdentity } = {},
  ) {
    this.state = options.state ?? emptyZoneState(policy);
    this.identity = options.identity ?? sequentialIdentity();
    this.now = start;
  }

  /** What happened, in the shape the resolver model reads. */
  history(): Pick<PlanResult, 'steps' | 'timeline'> {
    const timeline: TimelineEntry[] = this.ds.map((e) =>
      e.type === 'ds-seen' || e.type === 'ds-gone'
        ? { at: e.at, kind: e.type, keyId: e.keyId, keyTag: 0 }
        : { at: e.at, kind: 'action', action: { type: e.type, keyId: e.keyId, keyTag: 0, at: e.at } },
    );
    return { steps: this.steps, timeline };
  }

  /** Run the core at `now` until it settles (re-running after creating keys). */
  step(): EnforceResult {
    for (let i = 0; i < 5; i++) {
      const r = enforce(this.state, this.policy, this.now);
      this.last = r;
      for (const a of r.actions) {
        this.actions.push({ at: this.now, action: a });
        if (a.type === 'transition') this.moves.push({ at: a.at, keyId: a.keyId, record: a.record, from: a.from, to: a.to });
        if (a.type === 'ds-submit' || a.type === 'ds-retract') this.ds.push({ at: a.at, keyId: a.keyId, type: a.type });
      }
      this.state = r.rerun ? apply(r.state, r.actions.filter((a) => a.type === 'create-key'), this.identity) : r.state;
      this.record();
      this.steps.push({ at: this.now, state: this.state, policy: this.policy });
      if (!r.rerun) return r;
    }
    throw new Error('core kept asking for keys');
  }

  private record(): void {
    const flags = new Map<string, SignconfFlags>();
    for (const k of this.state.keys) {
      const f = flagsOf(k.states);
      if (f.publish || f.ksk || f.zsk) flags.set(k.id, f);
      const list = this.names.get(k.id) ?? [];
      const name = keyStateName(k.role, k.goal, k.states);
      if (list[list.length - 1]?.name !== name) list.push({ at: this.now, name });
      this.names.set(k.id, list);
    }
    const prev = this.signconfs[this.signconfs.length - 1]?.flags;
    const same = prev && prev.size === flags.size && [...flags].every(([id, f]) => {
      const g = prev.get(id);
      return g && g.publish === f.publish && g.ksk === f.ksk && g.zsk === f.zsk;
    });
    if (!same) this.signconfs.push({ at: this.now, flags });
  }

  /** Move the clock to the core's next run time and run. */
  next(): EnforceResult {
    const at = this.last?.nextRunAt;
    if (at === null || at === undefined) throw new Error('core has nothing scheduled');
    expect(at).toBeGreaterThan(this.now);
    this.now = at;
    return this.step();
  }

  /** Run at nextRunAt until `t` (answering nothing); stops before the first run after `t`. */
  runUntil(t: number): void {
    while (this.last.nextRunAt !== null && this.last.nextRunAt <= t) this.next();
    this.now = Math.max(this.now, t);
  }

  /** Run at nextRunAt until the predicate holds (bounded). */
  runWhile(pred: () => boolean, maxSteps = 200): void {
    for (let i = 0; i < maxSteps && pred(); i++) this.next();
    if (pred()) throw new Error('condition still holds after many steps');
  }

  at(t: number): EnforceResult {
    expect(t).toBeGreaterThanOrEqual(this.now);
    this.now = t;
    return this.step();
  }

  seen(keyId: string, at = this.now): EnforceResult {
    this.now = at;
    this.state = markSeen(this.state, keyId, at);
    this.steps.push({ at, state: this.state, policy: this.policy });
    this.ds.push({ at, keyId, type: 'ds-seen' });
    return this.step();
  }

  gone(keyId: string, at = this.now): EnforceResult {
    this.now = at;
    this.state = markGone(this.state, keyId, at);
    this.steps.push({ at, state: this.state, policy: this.policy });
    this.ds.push({ at, keyId, type: 'ds-gone' });
    return this.step();
  }

  request(role: KeyRole, at = this.now): EnforceResult {
    this.now = at;
    this.state = { ...this.state, rollRequested: { ...this.state.rollRequested, [role]: true } };
    return this.step();
  }

  /** Take the zone out of DNSSEC (zone deletion). */
  retire(at = this.now): EnforceResult {
    this.now = at;
    this.state = { ...this.state, retire: true };
    return this.step();
  }

  setPolicy(p: Policy, at = this.now): EnforceResult {
    this.now = at;
    this.policy = p;
    return this.step();
  }

  key(id: string): RolloverKey {
    const k = this.state.keys.find((x) => x.id === id);
    if (!k) throw new Error(`no key ${id}`);
    return k;
  }

  keys(role?: KeyRole): RolloverKey[] {
    return this.state.keys.filter((k) => role === undefined || k.role === role);
  }

  /** When a record of a key first moved to `to` (at or after `after`). */
  when(keyId: string, record: RecordType, to: RecordState, after = -Infinity): number {
    const m = this.moves.find((x) => x.keyId === keyId && x.record === record && x.to === to && x.at >= after);
    if (!m) throw new Error(`${keyId} ${record} never became ${to}`);
    return m.at;
  }

  dsEvents(keyId: string): DsEvent[] {
    return this.ds.filter((e) => e.keyId === keyId);
  }

  /** The signconf flags in force at time t (after the step at t). */
  flagsAt(t: number): Map<string, SignconfFlags> {
    let cur = new Map<string, SignconfFlags>();
    for (const s of this.signconfs) if (s.at <= t) cur = s.flags;
    return cur;
  }

  nameSequence(keyId: string): KeyStateName[] {
    return (this.names.get(keyId) ?? []).map((n) => n.name);
  }

  waitsFor(keyId: string) {
    return this.last.waits.filter((w) => w.keyId === keyId);
  }
}

/** The independent resolver model finds no moment at which the zone may be bogus. */
export function expectNeverBogus(d: Driver): number {
  const report = new ResolverModel(d.history()).check(d.now);
  expect(report.findings.slice(0, 3)).toEqual([]);
  return report.instants;
}

const STATE: Record<string, RecordState> = { H: 'hidden', R: 'rumoured', O: 'omnipresent', U: 'unretentive', '-': 'na' };

/** Compact state check: "DS DNSKEY RRSIG-DNSKEY RRSIG" as letters, e.g. "O O O -" for an active KSK. */
export function expectStates(k: RolloverKey, compact: string): void {
  const [ds, dnskey, rrsigdnskey, rrsig] = compact.split(' ').map((c) => STATE[c]!);
  expect({ id: k.id, ...k.states }).toEqual({ id: k.id, ds, dnskey, rrsigdnskey, rrsig });
}

export function expectFlags(flags: Map<string, SignconfFlags>, id: string, compact: string | null): void {
  const f = flags.get(id);
  if (compact === null) {
    expect(f, `${id} should not be in the signconf`).toBeUndefined();
    return;
  }
  const want = { publish: compact.includes('P'), ksk: compact.includes('K'), zsk: compact.includes('Z') };
  expect({ id, ...f }).toEqual({ id, ...want });
}
