// The publish hold. A node that became the active node by a takeover (`failover`) or a handover
// (`switchover`) has not yet shown that it would publish the right keys: until `failover` on it
// says GO, it must not act as the active node from cron (no `run`, no onActive hook starting its
// signer). The hold is a meta row written in the same fenced transaction as the takeover or the
// handover and removed, fenced, by the GO; a NO-GO leaves it in place with its reasons, so the
// operator sees them in `status` and in the refusal of every `run`.
// A hold speaks only for the node it names and only while that node is the active node; any
// later takeover replaces it.

import type { Queryable } from '../store/db.js';
import { deleteMeta, getMeta, setMeta } from '../store/meta.js';
import { EnforcerError, EXIT } from '../util/exit-codes.js';

export const HOLD_META_KEY = 'publish_hold';

export interface PublishHold {
  node: string;
  /** The epoch of the takeover or handover that set the hold. */
  epoch: number;
  since: string;
  cause: 'takeover' | 'handover';
  /** The node that was active before. */
  from: string | null;
  /** 'pending' until a failover on `node` has run its checks; then the NO-GO that kept it. */
  verdict: 'pending' | 'NO-GO';
  problems: string[];
}

export async function readHold(q: Queryable): Promise<PublishHold | null> {
  const raw = await getMeta(q, HOLD_META_KEY);
  return raw === null ? null : (JSON.parse(raw) as PublishHold);
}

/** Whether the hold keeps `node` from acting while `activeNode` is the recorded active node. */
export function holdApplies(hold: PublishHold | null, node: string, activeNode: string | null): hold is PublishHold {
  return hold !== null && hold.node === node && activeNode === node;
}

/** In a fenced transaction. */
export async function setHold(tx: Queryable, hold: PublishHold): Promise<void> {
  await setMeta(tx, HOLD_META_KEY, JSON.stringify(hold));
}

/** In a fenced transaction. */
export async function clearHold(tx: Queryable): Promise<void> {
  await deleteMeta(tx, HOLD_META_KEY);
}

export function describeHold(h: PublishHold): string {
  const how = h.cause === 'takeover' ? `took over${h.from ? ` from ${h.from}` : ''}` : `was handed the active role${h.from ? ` by ${h.from}` : ''}`;
  const state =
    h.verdict === 'pending'
      ? 'its failover checks have not said GO yet'
      : `its last failover said NO-GO (${h.problems.length} problem${h.problems.length === 1 ? '' : 's'}${h.problems[0] ? `, first: ${h.problems[0]}` : ''})`;
  return `${h.node} ${how} at epoch ${h.epoch} (${h.since}), but ${state}`;
}

export class PublishHeldError extends EnforcerError {
  constructor(readonly hold: PublishHold) {
    super(`${describeHold(hold)}; nothing is done until \`enforcer failover\` on ${hold.node} says GO`, EXIT.ERROR);
  }
}
