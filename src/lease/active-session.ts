// One process's stint as the acting enforcer: it holds the lease (and, on PostgreSQL, the run
// lock) and keeps both alive from a timer: every renew interval it proves the lock's backend
// still holds the lock and renews the lease. The first sign of trouble (a failed heartbeat or
// renewal, the lock connection erroring or closing) aborts the session for good: the fence's
// signal is aborted so fenced() refuses to start or commit anything, the lease is handed back
// (when the store can still reach the database) and the lock connection is closed. Nothing is
// ever reconnected: a run that lost its footing stops and the next cron run starts afresh.

import type { Db } from '../store/db.js';
import { LeaseLostError, releaseLease, renewLease, type Fence, type LeaseRow } from '../store/lease.js';
import { RunLockLostError, type HeldRunLock, type LockConnection } from '../store/run-lock.js';
import { EnforcerError, EXIT } from '../util/exit-codes.js';
import type { Logger } from '../util/logger.js';
import { heartbeatMs, type LeaseTiming } from './lock-timing.js';

export interface SessionLock {
  held: HeldRunLock;
  conn: LockConnection;
}

export class ActiveSession {
  readonly fence: Fence;
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | null = null;
  private beating = false;
  private ended = false;
  /** performance.now() until which the lease is surely ours; see Fence.deadline. */
  private validUntil: number;

  constructor(
    private readonly db: Db,
    fence: Fence,
    readonly lease: LeaseRow,
    private readonly lock: SessionLock | null,
    private readonly timing: LeaseTiming,
    private readonly log: Logger,
  ) {
    this.fence = { node: fence.node, epoch: fence.epoch, signal: this.controller.signal, deadline: () => this.validUntil };
    // The lease was taken a moment ago; the margin covers that moment and the server's clock steps.
    this.validUntil = performance.now() + this.validityMs();
  }

  /** How long a renewal keeps the lease surely ours: ttl less a margin (renewals come every ttl/2 at most). */
  private validityMs(): number {
    const ttlMs = this.timing.ttlSeconds * 1000;
    return ttlMs - Math.min(1000, ttlMs / 10);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Throws the reason this session stopped, if it did. */
  check(): void {
    this.controller.signal.throwIfAborted();
  }

  start(): void {
    this.lock?.conn.onLost((err) => this.lose(new RunLockLostError(`the lock's database connection failed: ${err.message}`)));
    this.timer = setInterval(() => void this.beat(), heartbeatMs(this.timing));
    this.timer.unref();
  }

  private async beat(): Promise<void> {
    // A slow beat (a long transaction ahead of the renewal) must not pile up more beats.
    if (this.beating || this.ended || this.controller.signal.aborted) return;
    this.beating = true;
    // Counted from before the renewal was sent: the server's expiry is later still.
    const sent = performance.now();
    try {
      await this.lock?.held.heartbeat();
      await renewLease(this.db, this.fence, this.timing.ttlSeconds);
      this.validUntil = sent + this.validityMs();
    } catch (e) {
      this.lose(e instanceof EnforcerError ? e : new RunLockLostError((e as Error).message));
    } finally {
      this.beating = false;
    }
  }

  /**
   * Why this stint really ended, given the error that stopped the work: when the guard gave up,
   * its reason (lease or lock lost, exit 75); when a connection broke (69) but the lease may be
   * gone too (a process frozen past its ttl finds both), one renewal decides. Zone steps run on
   * several connections, so which error surfaces first is a race; the answer must not be.
   */
  async cause(e: unknown): Promise<unknown> {
    if (this.controller.signal.aborted) return this.controller.signal.reason;
    if ((e as { exitCode?: number }).exitCode !== EXIT.DB_UNAVAILABLE || this.ended) return e;
    try {
      await renewLease(this.db, this.fence, this.timing.ttlSeconds);
    } catch (r) {
      if (r instanceof LeaseLostError) return r;
    }
    return e;
  }

  /** Stop acting at once; idempotent. */
  lose(reason: EnforcerError): void {
    // After end() the lease is given back on purpose; a beat still in flight then fails harmlessly.
    if (this.controller.signal.aborted || this.ended) return;
    this.controller.abort(reason);
    this.log.error({ epoch: this.fence.epoch, reason: reason.message }, 'no longer sure to be the only acting enforcer: stopping');
    void this.finish();
  }

  /** End the session normally (or after lose()): give back the lease, then the lock. */
  async end(): Promise<void> {
    await this.finish();
  }

  private finishing: Promise<void> | null = null;
  private finish(): Promise<void> {
    this.finishing ??= (async () => {
      this.ended = true;
      if (this.timer) clearInterval(this.timer);
      // Without the signal: handing the lease back is always allowed (it only matches our epoch).
      await releaseLease(this.db, { node: this.fence.node, epoch: this.fence.epoch }).catch(() => undefined);
      await this.lock?.held.release().catch(() => undefined);
    })();
    return this.finishing;
  }

  get isEnded(): boolean {
    return this.ended;
  }
}
