// How long a dead, frozen or cut-off lock holder may keep the run lock, derived from the lease
// settings so the lock and the lease age out together: a holder that stops heartbeating loses
// its lock's session within one ttl, about when its lease expires too. The live holder touches
// the session every renew interval (at most ttl/2), so it never comes near these limits.
//
// Defaults (ttl 30 s, renew 10 s), in Patroni's spirit (ttl 30, loop_wait 10):
//   idle_session_timeout 30 s, idle_in_transaction_session_timeout 30 s, statement_timeout 10 s,
//   TCP keepalives after 10 s idle, every 3 s, 3 probes (a dead peer is noticed within ~19 s),
//   tcp_user_timeout 15 s; client side: keepalive after 10 s, query timeout 11 s, connect 10 s.

import type { LockClientOptions, LockSessionSettings } from '../store/run-lock.js';

export interface LeaseTiming {
  ttlSeconds: number;
  renewSeconds: number;
}

export function lockSessionSettings(t: LeaseTiming): LockSessionSettings {
  const ttlMs = t.ttlSeconds * 1000;
  return {
    idle_session_timeout: ttlMs,
    idle_in_transaction_session_timeout: ttlMs,
    statement_timeout: Math.max(1000, Math.floor(ttlMs / 3)),
    tcp_keepalives_idle: Math.max(1, Math.floor(t.ttlSeconds / 3)),
    tcp_keepalives_interval: Math.max(1, Math.floor(t.ttlSeconds / 10)),
    tcp_keepalives_count: 3,
    tcp_user_timeout: Math.max(1000, Math.floor(ttlMs / 2)),
  };
}

export function lockClientOptions(t: LeaseTiming, applicationName: string): LockClientOptions {
  const s = lockSessionSettings(t);
  return {
    applicationName,
    connectTimeoutMs: Math.min(10_000, Math.max(1000, Math.floor((t.ttlSeconds * 1000) / 3))),
    // A little over the server's own limit, so the server's error (clearer) normally wins.
    queryTimeoutMs: s.statement_timeout + 1000,
    keepAliveInitialDelayMs: s.tcp_keepalives_idle * 1000,
  };
}

/** How often the holder proves it still holds the lock and renews the lease. */
export function heartbeatMs(t: LeaseTiming): number {
  return t.renewSeconds * 1000;
}
