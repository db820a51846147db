// This node's role as `status` reports it, decided from what the database says (lease row, run
// lock holder, this node's own role record) and whether this node's configuration matches the
// one the active node recorded. In SafeKit's terms: ACTIVE (PRIM), STANDBY (SECOND), WAIT
// (would not act, and says why). A pure function, so every case is testable without a cluster.

import type { LeaseRow } from '../store/lease.js';
import type { NodeState } from '../store/node-state.js';
import type { RunLockHolder } from '../store/run-lock.js';

export type Role = 'ACTIVE' | 'STANDBY' | 'WAIT';

export type WaitReason =
  | 'database-unreachable'
  | 'config-differs'
  | 'lease-held-elsewhere'
  | 'no-active-node'
  | 'transition-failed'
  | 'publish-held';

export interface RoleDecision {
  role: Role;
  reason: WaitReason | null;
  /** One sentence for people. */
  explanation: string;
}

export interface RoleInputs {
  node: string;
  lease: LeaseRow;
  lockHolder: RunLockHolder | null;
  state: NodeState | null;
  /** Whether this node's configuration fingerprint equals the active node's; null when unknown. */
  configMatches: boolean | null;
  /** Why this node's own configuration could not be fingerprinted, if it could not. */
  configError: string | null;
  /** The publish hold on this node (see publish-hold.ts), as one sentence; null when none applies. */
  hold?: string | null;
}

const wait = (reason: WaitReason, explanation: string): RoleDecision => ({ role: 'WAIT', reason, explanation });

export function decideRole(i: RoleInputs): RoleDecision {
  const { node, lease } = i;
  const otherHolder = lease.held && lease.holderNode && lease.holderNode !== node ? lease.holderNode : null;
  const otherLock = i.lockHolder && i.lockHolder.node !== node ? i.lockHolder : null;
  const heldElsewhere = () =>
    otherHolder
      ? wait('lease-held-elsewhere', `the lease is held by ${otherHolder} (epoch ${lease.epoch}) until ${lease.expiresAt?.toISOString()}`)
      : wait(
          'lease-held-elsewhere',
          `the run lock is held by ${otherLock!.node ?? `backend ${otherLock!.backendPid}`} since ${otherLock!.since?.toISOString() ?? '?'}`,
        );

  if (lease.activeNode === node) {
    if (otherHolder || otherLock) return heldElsewhere();
    if (i.hold) return wait('publish-held', `${i.hold}; runs are refused until \`enforcer failover\` here says GO`);
    if (i.state?.pendingRole === 'active') {
      return wait('transition-failed', `this node is the recorded active node, but its onActive hook failed: ${i.state.hookError}`);
    }
    const running = lease.held && lease.holderNode === node;
    return { role: 'ACTIVE', reason: null, explanation: running ? 'this node is the active node; a run is in progress' : 'this node is the active node' };
  }
  if (lease.activeNode === null) {
    if (otherHolder || otherLock) return heldElsewhere();
    return wait('no-active-node', 'no node has acted yet; the next run on either node becomes the active node');
  }
  if (i.configError) return wait('config-differs', `this node's configuration cannot be compared: ${i.configError}`);
  if (i.configMatches === false) {
    return wait('config-differs', `this node's configuration differs from the one ${lease.activeNode} recorded at its last run`);
  }
  if (i.state?.pendingRole === 'standby') {
    return wait('transition-failed', `${lease.activeNode} is the active node, but this node's onStandby hook failed: ${i.state.hookError}`);
  }
  return { role: 'STANDBY', reason: null, explanation: `${lease.activeNode} is the active node; this node takes over only by \`enforcer failover\`` };
}
