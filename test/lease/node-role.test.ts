// Every role `status` can report, from the database's view of the lease, lock and this node.

import { describe, expect, it } from 'vitest';
import { decideRole, type RoleInputs } from '../../src/lease/node-role.js';
import type { LeaseRow } from '../../src/store/lease.js';
import type { NodeState } from '../../src/store/node-state.js';

const now = new Date('2026-01-01T00:00:00Z');
const lease = (p: Partial<LeaseRow>): LeaseRow => ({
  epoch: 7, activeNode: 'node-a', holderNode: null, acquiredAt: now, renewedAt: now, expiresAt: now, held: false, dbNow: now, ...p,
});
const state = (p: Partial<NodeState>): NodeState => ({
  node: 'node-b', role: 'standby', epoch: 7, changedAt: now, pendingRole: null, hookError: null, hookFailedAt: null, ...p,
});
const base = (p: Partial<RoleInputs>): RoleInputs => ({
  node: 'node-b', lease: lease({}), lockHolder: null, state: null, configMatches: true, configError: null, ...p,
});

describe('decideRole', () => {
  it.each<[string, Partial<RoleInputs>, string, string | null]>([
    ['active node, idle', { node: 'node-a' }, 'ACTIVE', null],
    ['active node, running', { node: 'node-a', lease: lease({ holderNode: 'node-a', held: true }) }, 'ACTIVE', null],
    ['other node active, same configuration', {}, 'STANDBY', null],
    ['other node active, no fingerprint recorded yet', { configMatches: null }, 'STANDBY', null],
    ['other node active and running', { lease: lease({ holderNode: 'node-a', held: true }) }, 'STANDBY', null],
    ['configuration differs', { configMatches: false }, 'WAIT', 'config-differs'],
    ['configuration unreadable', { configError: 'kasp.xml: cannot read: ENOENT' }, 'WAIT', 'config-differs'],
    ['fresh database', { lease: lease({ activeNode: null, epoch: 0 }) }, 'WAIT', 'no-active-node'],
    ['no active node but a live lease elsewhere', { lease: lease({ activeNode: null, holderNode: 'node-c', held: true }) }, 'WAIT', 'lease-held-elsewhere'],
    [
      'this node active but the lock held by another node',
      { node: 'node-a', lockHolder: { backendPid: 1, node: 'node-c', processId: 2, applicationName: null, since: now, clientAddr: null } },
      'WAIT',
      'lease-held-elsewhere',
    ],
    ['onActive hook failed', { node: 'node-a', state: state({ node: 'node-a', pendingRole: 'active', hookError: 'exited with code 1' }) }, 'WAIT', 'transition-failed'],
    ['onStandby hook failed', { state: state({ role: 'active', pendingRole: 'standby', hookError: 'timed out' }) }, 'WAIT', 'transition-failed'],
    ['active node under a publish hold', { node: 'node-a', hold: 'node-a took over from node-b at epoch 8' }, 'WAIT', 'publish-held'],
  ])('%s', (_name, inputs, role, reason) => {
    const d = decideRole(base(inputs));
    expect(d.role).toBe(role);
    expect(d.reason).toBe(reason);
    expect(d.explanation.length).toBeGreaterThan(10);
  });

  it('explains a failed hook with its error', () => {
    expect(decideRole(base({ state: state({ role: 'active', pendingRole: 'standby', hookError: 'timed out after 30 s' }) })).explanation).toBe(
      "node-a is the active node, but this node's onStandby hook failed: timed out after 30 s",
    );
  });
});
