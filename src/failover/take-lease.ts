// Failover step 2: become the acting enforcer. Three cases, by the lease row:
//   - this node is already the active node (a failover run again after a NO-GO, or completing a
//     `switchover` handed to it), or no node is active yet: enter as any run would;
//   - another node is active and alive (a run in progress, or it held the lease within the safe
//     period, see partner-liveness.ts): refused, unless the operator asserts it is down
//     (--partner-down), which takes over at once and fences it;
//   - another node is active and silent for longer than the safe period: take over.
// Contract: on success the caller holds a running ActiveSession and must end it; the onActive
// transition is left to the caller (it runs only on GO). On refusal nothing was written.

import type { Config } from '../config/config.js';
import type { ActiveSession } from '../lease/active-session.js';
import { partnerLiveness } from '../lease/partner-liveness.js';
import { enterActive } from '../lease/single-active.js';
import { enterByTakeover } from '../lease/take-over-session.js';
import type { Db } from '../store/db.js';
import { assertClockInStep } from '../lease/clock-skew.js';
import { readLease } from '../store/lease.js';
import { EXIT, type ExitCode } from '../util/exit-codes.js';
import type { Logger } from '../util/logger.js';

export interface TakeLeaseOptions {
  partnerDown: boolean;
  reason: string;
  actor: string;
  /** The clock files are dated by (real time), read just before the takeover. */
  wallNow: () => number;
}

export type LeaseOutcome =
  | {
      ok: true;
      session: ActiveSession;
      how: 'takeover' | 'already-active' | 'first';
      from: string | null;
      previousEpoch: number;
      forced: boolean;
      /** Wall-clock time (ms) just before the lease was taken: files written after it are fresh. */
      sinceMs: number;
      summary: string;
    }
  | { ok: false; exitCode: ExitCode; reason: string };

export async function takeLease(deps: { db: Db; config: Config; log: Logger }, opts: TakeLeaseOptions): Promise<LeaseOutcome> {
  const { db, config, log } = deps;
  await assertClockInStep(db, config);
  const lease = await readLease(db);
  const sinceMs = opts.wallNow();
  const failed = (e: unknown): LeaseOutcome => ({
    ok: false,
    exitCode: ((e as { exitCode?: ExitCode }).exitCode ?? EXIT.ERROR) as ExitCode,
    reason: (e as Error).message,
  });
  if (lease.activeNode === null || lease.activeNode === config.node) {
    try {
      const entered = await enterActive({ db, config, log, deferTransition: true });
      if (entered.role === 'standby') {
        return { ok: false, exitCode: EXIT.NOT_ACTIVE, reason: `${entered.lease.activeNode} became the active node meanwhile (epoch ${entered.lease.epoch})` };
      }
      const how = lease.activeNode === null ? 'first' : 'already-active';
      const summary = how === 'first' ? `no node was active: ${config.node} is now, epoch ${entered.session.fence.epoch}` : `${config.node} is already the active node; epoch ${entered.session.fence.epoch}`;
      return { ok: true, session: entered.session, how, from: lease.activeNode, previousEpoch: lease.epoch, forced: false, sinceMs, summary };
    } catch (e) {
      return failed(e);
    }
  }
  const partner = partnerLiveness(lease, config.failover.safePeriodSeconds);
  if (partner.alive && !opts.partnerDown) {
    return {
      ok: false,
      exitCode: EXIT.NOT_ACTIVE,
      reason: `refused: ${partner.why}. If you know ${lease.activeNode} is down (powered off, fenced, or cut off from its signer), run again with --partner-down`,
    };
  }
  try {
    const reason = opts.partnerDown ? `${opts.reason} (operator asserted ${lease.activeNode} is down)` : `${opts.reason} (${partner.why})`;
    const { session, previous } = await enterByTakeover(
      { db, config, log },
      {
        force: opts.partnerDown,
        reason,
        actor: opts.actor,
        lockWaitSeconds: config.lease.ttlSeconds + config.lease.renewSeconds + 5,
        onWait: (m) => log.warn(m),
      },
    );
    return {
      ok: true, session, how: 'takeover', from: previous.activeNode, previousEpoch: previous.epoch, forced: opts.partnerDown, sinceMs,
      summary: `took over from ${previous.activeNode} (epoch ${previous.epoch} -> ${session.fence.epoch}${opts.partnerDown ? ', --partner-down' : `; ${partner.why}`})`,
    };
  } catch (e) {
    return failed(e);
  }
}
