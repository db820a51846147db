// Failover step 6 on GO: lift the publish hold, complete this node's transition to active (its
// onActive hook, e.g. starting the signer, when this node was not already the active node) and run
// the configured publish command (e.g. telling the signer to re-read every signconf), each with its
// timeout and every output line logged. The result says what really happened: whether there was a
// hold to lift, what ran, and what was configured but not run, and why.
// On NO-GO: keep (or, after a takeover, confirm) the hold with the reasons, so cron runs on this
// node stay refused and `status` shows why. Contract: every database write is fenced under the
// session's epoch and audited; a failing hook or command is reported, never thrown.

import type { Config } from '../config/config.js';
import type { ActiveSession } from '../lease/active-session.js';
import { runHook } from '../lease/hook-runner.js';
import { clearHold, holdApplies, readHold, setHold } from '../lease/publish-hold.js';
import { becomeActive } from '../lease/role-transition.js';
import { audit } from '../store/audit.js';
import type { Db } from '../store/db.js';
import { fenced } from '../store/lease.js';
import type { Logger } from '../util/logger.js';
import type { Clock } from '../util/clock.js';
import { publishPending } from '../enforcer/publication.js';

export interface PublishResult {
  /** Whether a publish hold on this node was lifted (false: there was none, e.g. a failover on the active node). */
  holdLifted: boolean;
  /** Each thing run, in order, with "ok" or why it failed. */
  ran: Array<{ what: 'onActive hook' | 'publish command' | 'signer notified'; command: string; ok: boolean; summary: string }>;
  /** Configured but not run, and why (the onActive hook of a node that already was the active node). */
  notRun: Array<{ what: 'onActive hook'; command: string; why: string }>;
  ok: boolean;
}

export interface PublishDeps {
  db: Db;
  config: Config;
  log: Logger;
  session: ActiveSession;
  actor: string;
  clock: Clock;
}

export async function publishOnGo(d: PublishDeps): Promise<PublishResult> {
  const { db, config, session } = d;
  const fence = session.fence;
  const holdLifted = await fenced(db, fence, async (tx) => {
    const lifted = holdApplies(await readHold(tx), config.node, config.node);
    await clearHold(tx);
    await audit(tx, fence, { actor: d.actor, event: 'failover GO', detail: { epoch: fence.epoch, holdLifted: lifted } });
    return lifted;
  });
  const ran: PublishResult['ran'] = [];
  const notRun: PublishResult['notRun'] = [];
  try {
    const became = await becomeActive({ db, config, log: d.log }, fence.epoch, session.signal);
    const hook = config.hooks.onActive;
    if (hook && became === 'became-active') ran.push({ what: 'onActive hook', command: hook, ok: true, summary: 'ok' });
    if (hook && became === 'already-active') {
      notRun.push({ what: 'onActive hook', command: hook, why: `${config.node} was already the active node; the hook runs only when a node becomes active` });
    }
  } catch (e) {
    ran.push({ what: 'onActive hook', command: config.hooks.onActive ?? '', ok: false, summary: (e as Error).message });
    return { holdLifted, ran, notRun, ok: false };
  }
  const command = config.failover.publishCommand;
  if (command) {
    const r = await runHook({
      name: 'publish',
      command,
      timeoutSeconds: config.failover.publishTimeoutSeconds,
      env: { ENFORCER_NODE: config.node, ENFORCER_EPOCH: String(fence.epoch), ENFORCER_ROLE: 'active', ENFORCER_ACTIVE_NODE: config.node },
      log: d.log,
      signal: session.signal,
    });
    ran.push({ what: 'publish command', command, ok: r.ok, summary: r.summary });
    await fenced(db, fence, (tx) =>
      audit(tx, fence, { actor: d.actor, event: r.ok ? 'publish command succeeded' : 'publish command failed', detail: { command, result: r.summary } }),
    ).catch((e: unknown) => d.log.error({ err: (e as Error).message }, 'could not record the publish command'));
  }
  // The signconf files written in step 3 wait, unconfirmed, for this: the signer is told and each
  // zone's publication confirmed (src/enforcer/publication.ts), as a run does after its zone steps.
  const pub = await publishPending({ db, fence, config, clock: d.clock, log: d.log, actor: d.actor });
  if (pub.notified !== 'nothing to publish') {
    const command =
      pub.notified === 'all' ? config.signer.notifyAllCommand! : pub.notified === 'per-zone' ? config.signer.notifyCommand! : '(no signer.notifyCommand configured)';
    const summary = pub.failed.length === 0
      ? `${pub.published.length} zones published${pub.notified === 'not configured' ? ' (their files are in place; the signer was not told)' : ''}`
      : `${pub.failed.length} zones not published, first: ${pub.failed[0]!.zone}: ${pub.failed[0]!.message}`;
    ran.push({ what: 'signer notified', command, ok: pub.failed.length === 0, summary });
  }
  return { holdLifted, ran, notRun, ok: ran.every((r) => r.ok) };
}

/** Record a NO-GO: the hold (if this node is under one) keeps the reasons; always audited. */
export async function holdOnNoGo(d: Omit<PublishDeps, 'log' | 'clock'>, problems: string[]): Promise<boolean> {
  const { db, config, session } = d;
  const fence = session.fence;
  return fenced(db, fence, async (tx) => {
    const hold = await readHold(tx);
    const held = holdApplies(hold, config.node, config.node);
    if (held) await setHold(tx, { ...hold, verdict: 'NO-GO', problems: problems.slice(0, 20) });
    await audit(tx, fence, { actor: d.actor, event: 'failover NO-GO', detail: { epoch: fence.epoch, held, problems: problems.slice(0, 50) } });
    return held;
  });
}
