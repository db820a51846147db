// `enforcer plan`: what the coming months hold for a zone. Loads the zone's state, runs the pure
// core's plan() forward on that copy with an operator who answers every DS request after a fixed
// delay, and turns the timeline into events in OpenDNSSEC's words: record transitions with the
// key's state name when it changes (publish / ready / active / retire / dead), DS requests and
// answers, and the signconf's key flags whenever they change.
// Contract: planZone only reads (loadZoneState); the database and files are never written.
// renderZonePlan is pure.

import { keyStateName, type KeyStateName } from '../keys/key-state.js';
import type { Policy } from '../policy/policy.js';
import {
  applyAction,
  iso,
  markGone,
  markSeen,
  plan,
  type CreateKeyAction,
  type RolloverKey,
  type SignconfSnapshot,
  type TimelineEntry,
  type ZoneState,
  assumePublished,
} from '../rollover/index.js';
import type { Queryable } from '../store/db.js';
import { describeAction, describeAnswer, existingKeyRef, flagWords, isoSeconds, PLAN_TAG_BASE, type KeyRef } from './plan-words.js';
import { loadZoneState } from './zone-state.js';

export interface PlanSignconfKey {
  key: KeyRef;
  publish: boolean;
  ksk: boolean;
  zsk: boolean;
}

export interface PlanViewEvent {
  /** ISO 8601 UTC. */
  at: string;
  /** null for zone-wide events (TTL changes, signconf). */
  key: KeyRef | null;
  /** The core's action type, 'ds-seen' / 'ds-gone' (operator), or 'signconf'. */
  type: string;
  text: string;
  /** The key's OpenDNSSEC state before and after, when this event changed it. */
  state?: { from: KeyStateName; to: KeyStateName };
  /** transition: which record moved. */
  record?: string;
  from?: string;
  to?: string;
  /** signconf: every key the signer is told about, and why it was rewritten. */
  signconf?: PlanSignconfKey[];
  reasons?: string[];
}

export interface ZonePlan {
  zone: string;
  policy: string;
  from: string;
  until: string;
  /** Seconds the modelled operator takes to answer a DS request. */
  dsDelaySeconds: number;
  /** 'until' = reached --until; 'idle' = nothing more happens without outside input; 'max-steps' = cut short. */
  stopped: 'until' | 'idle' | 'max-steps';
  events: PlanViewEvent[];
  /** Every key of the zone when the plan ends. */
  end: Array<{ key: KeyRef; state: KeyStateName; goal: string }>;
}

const PENDING: ReadonlyArray<RolloverKey['dsAtParent']> = ['submit', 'submitted', 'retract'];

/**
 * The operator of the plan answers `delay` after the request, but never in the past: a request
 * that is already overdue is answered at `from`. Without this, plan() would record a ds-seen at the
 * old request time + delay and count the DS timers from a moment the DS was not yet seen.
 */
function answersFromNow(state: ZoneState, from: number, delayMs: number): ZoneState {
  const keys = state.keys.map((k) => {
    const since = k.dsAtParentChangedAt ?? k.introducedAt;
    return PENDING.includes(k.dsAtParent) && since + delayMs < from ? { ...k, dsAtParentChangedAt: from - delayMs } : k;
  });
  return { ...state, keys };
}

const stateOf = (k: RolloverKey | undefined): KeyStateName | null => (k ? keyStateName(k.role, k.goal, k.states) : null);

export async function planZone(q: Queryable, zone: string, policy: Policy, from: number, until: number, dsDelaySeconds: number): Promise<ZonePlan> {
  // Changes waiting for their signconf's publication: assumed published as the plan starts.
  const { state: stored } = await loadZoneState(q, zone, policy);
  const start = answersFromNow(assumePublished(stored, from), from, dsDelaySeconds * 1000);
  const refs = new Map<string, KeyRef>(start.keys.map((k) => [k.id, existingKeyRef(k)]));
  const byTag = new Map<number, KeyRef>(start.keys.map((k) => [k.keyTag, refs.get(k.id)!]));

  // Keys the plan creates: "new ZSK #1", … per role, recorded in creation order for the replay.
  const created: Array<{ id: string; keyTag: number }> = [];
  const perRole = new Map<string, number>();
  const identity = (a: CreateKeyAction) => {
    const n = (perRole.get(a.role) ?? 0) + 1;
    perRole.set(a.role, n);
    const made = { id: `new-${a.role}-${n}`, keyTag: PLAN_TAG_BASE + created.length + 1 };
    created.push(made);
    const ref: KeyRef = { id: made.id, role: a.role, keyTag: null, label: `new ${a.role} #${n}` };
    refs.set(made.id, ref);
    byTag.set(made.keyTag, ref);
    return made;
  };

  const op = { dsSeenDelay: dsDelaySeconds, dsGoneDelay: dsDelaySeconds };
  const result = plan(start, policy, from, until, op, { identity });
  const events = describeTimeline(start, result.timeline, result.signconfs, refs, byTag, created);
  return {
    zone,
    policy: policy.name,
    from: iso(from),
    until: iso(until),
    dsDelaySeconds,
    stopped: result.stopped,
    events,
    end: result.state.keys.map((k) => ({ key: refs.get(k.id)!, state: stateOf(k)!, goal: k.goal })),
  };
}

/**
 * Replays the timeline on the starting state (the same pure steps plan() took) so that every event
 * can say which OpenDNSSEC state it moved its key into; signconf events follow the changes they
 * come from, at the same time.
 */
function describeTimeline(
  start: ZoneState,
  timeline: readonly TimelineEntry[],
  signconfs: readonly SignconfSnapshot[],
  refs: ReadonlyMap<string, KeyRef>,
  byTag: ReadonlyMap<number, KeyRef>,
  created: ReadonlyArray<{ id: string; keyTag: number }>,
): PlanViewEvent[] {
  let state = start;
  let made = 0;
  const replayIdentity = () => created[made++]!;
  const events: Array<PlanViewEvent & { ms: number }> = [];
  const rewrites = new Map<number, string[]>();

  for (const e of timeline) {
    if (e.kind === 'event') continue; // plan --until schedules no what-if events
    if (e.kind !== 'action') {
      const before = stateOf(state.keys.find((k) => k.id === e.keyId));
      state = e.kind === 'ds-seen' ? markSeen(state, e.keyId, e.at) : markGone(state, e.keyId, e.at);
      events.push({ ms: e.at, ...keyEvent(e.kind, describeAnswer(e.kind), refs.get(e.keyId), before, stateOf(state.keys.find((k) => k.id === e.keyId)), e.at) });
      continue;
    }
    const a = e.action;
    if (a.type === 'write-signconf') {
      rewrites.set(e.at, [...new Set([...(rewrites.get(e.at) ?? []), ...a.reasons])]);
      continue;
    }
    const keyId = 'keyId' in a ? a.keyId : a.type === 'create-key' ? created[made]?.id : undefined;
    const before = stateOf(state.keys.find((k) => k.id === keyId));
    state = applyAction(state, a, replayIdentity);
    const after = a.type === 'purge-key' ? null : stateOf(state.keys.find((k) => k.id === keyId));
    const ref = keyId === undefined ? undefined : refs.get(keyId);
    const ev = keyEvent(a.type, describeAction(a, ref, byTag)!, ref, before, after, e.at);
    if (a.type === 'transition') Object.assign(ev, { record: a.record, from: a.from, to: a.to });
    events.push({ ms: e.at, ...ev });
  }

  // The signconf the signer would get after each instant that changed it.
  const snapshots = new Map(signconfs.map((s) => [s.at, s]));
  for (const at of [...new Set([...snapshots.keys(), ...rewrites.keys()])].sort((x, y) => x - y)) {
    const snap = snapshots.get(at);
    const reasons = rewrites.get(at) ?? ['key flags changed'];
    if (!snap) {
      events.push({ ms: at, at: iso(at), key: null, type: 'signconf', text: `signconf: rewritten (${reasons.join(', ')})`, reasons });
      continue;
    }
    const keys = snap.keys.map((k) => ({ key: refs.get(k.keyId)!, publish: k.publish, ksk: k.ksk, zsk: k.zsk }));
    const text = `signconf: ${keys.length === 0 ? 'no keys' : keys.map((k) => `${k.key.label} ${flagWords(k)}`).join(', ')}`;
    events.push({ ms: at, at: iso(at), key: null, type: 'signconf', text, signconf: keys, reasons });
  }
  // Stable: at one instant the changes come first, then the signconf that carries them.
  return events.sort((x, y) => x.ms - y.ms).map(({ ms: _ms, ...e }) => e);
}

function keyEvent(type: string, text: string, ref: KeyRef | undefined, before: KeyStateName | null, after: KeyStateName | null, at: number): PlanViewEvent {
  const ev: PlanViewEvent = { at: iso(at), key: ref ?? null, type, text };
  // A key the event creates has no state before it; its first state shows on its first move.
  if (before !== null && after !== null && before !== after) ev.state = { from: before, to: after };
  return ev;
}

/** The plan as lines for people: a header, one line per event, and where it ends. */
export function renderZonePlan(p: ZonePlan): string[] {
  const operator = p.dsDelaySeconds === 0 ? 'at once' : `after ${p.dsDelaySeconds} s`;
  const lines = [`${p.zone} (policy ${p.policy}): from ${isoSeconds(Date.parse(p.from))} until ${isoSeconds(Date.parse(p.until))}; the operator answers DS requests ${operator}`];
  const width = Math.max(4, ...p.events.map((e) => e.key?.label.length ?? 4));
  for (const e of p.events) {
    const state = e.state ? ` (${e.state.from} → ${e.state.to})` : '';
    lines.push(`  ${isoSeconds(Date.parse(e.at))}  ${(e.key?.label ?? 'zone').padEnd(width)}  ${e.text}${state}`);
  }
  if (p.events.length === 0) lines.push('  nothing happens');
  // Dead keys only wait for <Purge>; with short lifetimes there are many, so they are counted.
  const dead = p.end.filter((k) => k.state === 'dead').length;
  const live = p.end.filter((k) => k.state !== 'dead').map((k) => `${k.key.label} ${k.state}`);
  const end = [...live, ...(dead > 0 ? [`${dead} dead awaiting purge`] : [])].join(', ') || 'no keys';
  const last = p.events[p.events.length - 1]?.at ?? p.from;
  if (p.stopped === 'until') lines.push(`  at ${isoSeconds(Date.parse(p.until))}: ${end}`);
  else if (p.stopped === 'idle') lines.push(`  after ${isoSeconds(Date.parse(last))} nothing more happens without outside input: ${end}`);
  else lines.push(`  plan cut short after too many steps at ${isoSeconds(Date.parse(last))}: ${end}`);
  return lines;
}
