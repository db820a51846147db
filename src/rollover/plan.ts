// "What will happen, and when": run the core forward on a copy of a zone's state, as the enforcer
// would, with an operator who answers the DS requests on time (or after a delay), and return the
// timeline of transitions, DS requests and answers, and signconf changes.
// Contract: pure; `plan(zone, policy, from, until, operator, options)` never touches the caller's
// state. Keys the core asks for get deterministic made-up identities (options.identity to override).
// Optional scheduled events (policy change, roll request, retirement) make what-if plans possible;
// the property tests drive whole timelines through it.

import type { KeyRole, Policy } from '../policy/policy.js';
import { apply, type CreateKeyAction, type NewKeyIdentity } from './apply.js';
import { markGone, markSeen } from './ds-parent.js';
import { enforce } from './enforce.js';
import { signconfFlags, sameFlags, type SignconfFlags } from './signconf-flags.js';
import type { Action, RolloverKey, ZoneState } from './types.js';

export interface OperatorModel {
  /** Seconds from a DS submit request to the operator's ds-seen; null = never answers. Default 0. */
  dsSeenDelay?: number | null;
  /** Seconds from a DS retract request to the operator's ds-gone; null = never answers. Default 0. */
  dsGoneDelay?: number | null;
}

export interface PlanEvent {
  at: number;
  /** The zone's policy from `at` on. */
  policy?: Policy;
  /** The operator asks for a roll of this role (`key rollover`). */
  rollRequest?: KeyRole;
  /** Take the zone out of DNSSEC (zone deletion / going insecure). */
  retire?: boolean;
}

export interface PlanOptions {
  events?: PlanEvent[];
  identity?: NewKeyIdentity;
  /** Keep the state (and policy) after every enforce run, for analysis. */
  keepStates?: boolean;
  /** Bound on enforce runs, against runaway plans. Default 100 000. */
  maxSteps?: number;
}

export type TimelineEntry =
  | { at: number; kind: 'action'; action: Action }
  | { at: number; kind: 'ds-seen' | 'ds-gone'; keyId: string; keyTag: number }
  | { at: number; kind: 'event'; event: PlanEvent };

export interface SignconfKeyFlags extends SignconfFlags {
  keyId: string;
  keyTag: number;
  role: KeyRole;
  algorithm: number;
}

export interface SignconfSnapshot {
  at: number;
  keys: SignconfKeyFlags[];
}

export interface PlanStep {
  at: number;
  state: ZoneState;
  policy: Policy;
}

export interface PlanResult {
  timeline: TimelineEntry[];
  signconfs: SignconfSnapshot[];
  state: ZoneState;
  policy: Policy;
  steps: PlanStep[];
  /** 'until' = reached the end; 'idle' = nothing scheduled and no input pending; 'max-steps'. */
  stopped: 'until' | 'idle' | 'max-steps';
  enforceRuns: number;
}

/** Made-up identities: "ksk-1", "zsk-2", … with key tags counting from 10001. */
export function sequentialIdentity(): NewKeyIdentity {
  let n = 0;
  return (a: CreateKeyAction) => {
    n++;
    return { id: `${a.role.toLowerCase()}-${n}`, keyTag: 10_000 + n };
  };
}

interface OperatorAnswer {
  at: number;
  kind: 'ds-seen' | 'ds-gone';
  key: RolloverKey;
}

function operatorAnswers(zone: ZoneState, op: OperatorModel): OperatorAnswer[] {
  const seen = op.dsSeenDelay === undefined ? 0 : op.dsSeenDelay;
  const gone = op.dsGoneDelay === undefined ? 0 : op.dsGoneDelay;
  const out: OperatorAnswer[] = [];
  for (const key of zone.keys) {
    const since = key.dsAtParentChangedAt ?? key.introducedAt;
    if ((key.dsAtParent === 'submit' || key.dsAtParent === 'submitted') && seen !== null) {
      out.push({ at: since + seen * 1000, kind: 'ds-seen', key });
    } else if (key.dsAtParent === 'retract' && gone !== null) {
      out.push({ at: since + gone * 1000, kind: 'ds-gone', key });
    }
  }
  return out;
}

function snapshot(zone: ZoneState, at: number): SignconfSnapshot {
  const flags = signconfFlags(zone.keys);
  const keys = zone.keys
    .filter((k) => flags.has(k.id))
    .map((k) => ({ keyId: k.id, keyTag: k.keyTag, role: k.role, algorithm: k.algorithm, ...flags.get(k.id)! }));
  return { at, keys };
}

export function plan(
  zone: ZoneState,
  policy: Policy,
  from: number,
  until: number,
  operator: OperatorModel = {},
  options: PlanOptions = {},
): PlanResult {
  const identity = options.identity ?? sequentialIdentity();
  const events = [...(options.events ?? [])].sort((a, b) => a.at - b.at);
  const maxSteps = options.maxSteps ?? 100_000;
  const timeline: TimelineEntry[] = [];
  const signconfs: SignconfSnapshot[] = [];
  const steps: PlanStep[] = [];
  let state = zone;
  let pol = policy;
  let lastFlags = signconfFlags(state.keys);
  let runs = 0;
  let next = 0;
  let t = from;

  for (;;) {
    while (next < events.length && events[next]!.at <= t) {
      const e = events[next++]!;
      timeline.push({ at: t, kind: 'event', event: e });
      if (e.policy) pol = e.policy;
      if (e.rollRequest) state = { ...state, rollRequested: { ...state.rollRequested, [e.rollRequest]: true } };
      if (e.retire !== undefined) state = { ...state, retire: e.retire };
    }

    let nextRunAt: number | null = null;
    for (;;) {
      if (++runs > maxSteps) return { timeline, signconfs, state, policy: pol, steps, stopped: 'max-steps', enforceRuns: runs - 1 };
      const r = enforce(state, pol, t);
      for (const a of r.actions) timeline.push({ at: t, kind: 'action', action: a });
      state = r.rerun ? apply(r.state, r.actions.filter((a) => a.type === 'create-key'), identity) : r.state;
      // Every run may write a signconf, so every run's state may reach the signer.
      if (options.keepStates) steps.push({ at: t, state, policy: pol });
      nextRunAt = r.nextRunAt;
      if (r.rerun) continue;
      const due = operatorAnswers(state, operator).filter((a) => a.at <= t);
      if (due.length === 0) break;
      for (const a of due) {
        state = a.kind === 'ds-seen' ? markSeen(state, a.key.id, a.at) : markGone(state, a.key.id, a.at);
        timeline.push({ at: a.at, kind: a.kind, keyId: a.key.id, keyTag: a.key.keyTag });
      }
    }

    const flags = signconfFlags(state.keys);
    if (!sameFlags(flags, lastFlags)) signconfs.push(snapshot(state, t));
    lastFlags = flags;

    const candidates = [nextRunAt, ...operatorAnswers(state, operator).map((a) => a.at), events[next]?.at ?? null].filter(
      (x): x is number => x !== null && x > t,
    );
    if (candidates.length === 0) return { timeline, signconfs, state, policy: pol, steps, stopped: 'idle', enforceRuns: runs };
    const at = Math.min(...candidates);
    if (at > until) return { timeline, signconfs, state, policy: pol, steps, stopped: 'until', enforceRuns: runs };
    t = at;
  }
}
