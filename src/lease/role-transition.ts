// Role changes of this node and their hooks. A node "becomes active" when it holds the lease as
// the active node but did not last record itself active (first run ever, or the run after a
// takeover); it "becomes standby" when another node is active and it last recorded itself
// active. Each runs the configured hook (hooks.onActive / hooks.onStandby); a failing hook
// fails the transition: nothing is recorded but the failure, the command exits non-zero, the
// next run tries again, and `status` shows WAIT with the hook's error.

import type { Config } from '../config/config.js';
import type { Db } from '../store/db.js';
import type { LeaseRow } from '../store/lease.js';
import { readNodeState, recordHookFailure, recordRole, type NodeRole } from '../store/node-state.js';
import { EnforcerError, EXIT } from '../util/exit-codes.js';
import type { Logger } from '../util/logger.js';
import { runHook } from './hook-runner.js';

export class HookFailedError extends EnforcerError {
  constructor(node: string, role: NodeRole, summary: string) {
    super(`${node} did not become ${role}: the ${role === 'active' ? 'onActive' : 'onStandby'} hook ${summary}; the next run retries`, EXIT.ERROR);
  }
}

export interface TransitionDeps {
  db: Db;
  config: Pick<Config, 'node' | 'hooks'>;
  log: Logger;
}

/**
 * Called holding the lease under `epoch`; throws HookFailedError when the hook fails. Says whether
 * this node became active now (the onActive hook, if configured, ran) or already was (nothing ran).
 */
export async function becomeActive(d: TransitionDeps, epoch: number, signal?: AbortSignal): Promise<'became-active' | 'already-active'> {
  const state = await readNodeState(d.db, d.config.node);
  if (state?.role === 'active' && state.pendingRole === null) return 'already-active';
  d.log.info({ node: d.config.node, epoch, previousRole: state?.role ?? null }, `${d.config.node} becomes the active node`);
  await transition(d, 'active', epoch, d.config.node, signal);
  return 'became-active';
}

/** Called when another node is active (no lease held); throws HookFailedError when the hook fails. */
export async function becomeStandby(d: TransitionDeps, lease: LeaseRow): Promise<void> {
  const state = await readNodeState(d.db, d.config.node);
  if (state === null) {
    // First time this node is seen: it never acted, so there is nothing to stop.
    await recordRole(d.db, d.config.node, 'standby', lease.epoch);
    return;
  }
  if (state.role === 'standby' && state.pendingRole === null) return;
  if (state.role === 'standby' && state.pendingRole === 'active') {
    // It tried to become active and failed; it is standby now, nothing was started.
    await recordRole(d.db, d.config.node, 'standby', lease.epoch);
    return;
  }
  d.log.warn({ node: d.config.node, activeNode: lease.activeNode, epoch: lease.epoch }, `${d.config.node} becomes standby: ${lease.activeNode} is the active node`);
  await transition(d, 'standby', lease.epoch, lease.activeNode ?? '', undefined);
}

/**
 * Leave the active role on purpose (a switchover), holding the lease: the onStandby hook runs
 * now, before the role is handed over, so this node's signer stops before the other's starts.
 */
export async function stepDown(d: TransitionDeps, epoch: number, to: string, signal?: AbortSignal): Promise<void> {
  d.log.warn({ node: d.config.node, to, epoch }, `${d.config.node} steps down for ${to}`);
  await transition(d, 'standby', epoch, to, signal);
}

async function transition(d: TransitionDeps, role: NodeRole, epoch: number, activeNode: string, signal: AbortSignal | undefined): Promise<void> {
  const command = role === 'active' ? d.config.hooks.onActive : d.config.hooks.onStandby;
  if (command) {
    const r = await runHook({
      name: role === 'active' ? 'onActive' : 'onStandby',
      command,
      timeoutSeconds: d.config.hooks.timeoutSeconds,
      env: { ENFORCER_NODE: d.config.node, ENFORCER_EPOCH: String(epoch), ENFORCER_ROLE: role, ENFORCER_ACTIVE_NODE: activeNode },
      log: d.log,
      ...(signal ? { signal } : {}),
    });
    if (!r.ok) {
      await recordHookFailure(d.db, d.config.node, role, epoch, r.summary).catch((e: unknown) =>
        d.log.error({ err: (e as Error).message }, 'could not record the failed hook'),
      );
      throw new HookFailedError(d.config.node, role, r.summary);
    }
  }
  await recordRole(d.db, d.config.node, role, epoch);
}
