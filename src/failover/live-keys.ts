// Drill step 5: do the zones' authoritative servers serve the DNSKEY sets the database expects?
// Contract: asks only the servers configured in `probe` (per zone, else global; no NS discovery, so a
// drill never depends on a resolver); the expected set comes from the zone keys' record states
// (`expectedZone`); every MISMATCH reason (missing or unexpected key tags, signatures) is one problem.

import type { ProbeConfig } from './probe-config.js';
import type { QueryFn } from '../probe/dns-client.js';
import { expectedZone } from '../probe/expected-set.js';
import { probeZones } from '../probe/probe-zones.js';
import { formatServer, type ServerAddress } from '../probe/servers.js';
import type { ZoneComparison } from '../probe/compare.js';
import type { ZoneKeyRow } from '../store/keys.js';
import type { Problem } from './drill-types.js';

export interface LiveZone {
  zone: string;
  verdict: 'MATCH' | 'MISMATCH';
  servers: Array<{ server: string; verdict: 'MATCH' | 'MISMATCH'; missing: number[]; unexpected: number[]; signature: string | null; warnings: string[] }>;
  reasons: string[];
}

export interface LiveOptions {
  now: () => Date;
  /** Injected in unit tests; the real UDP/TCP client otherwise. */
  query?: QueryFn;
}

export async function liveKeyCheck(zones: readonly string[], keys: readonly ZoneKeyRow[], probe: ProbeConfig, opts: LiveOptions): Promise<{ zones: LiveZone[]; problems: Problem[] }> {
  const targets = zones.map((zone) => ({
    expected: expectedZone(zone, keys.filter((k) => k.zone === zone)),
    servers: serversFor(zone, probe),
  }));
  const results = await probeZones(targets, {
    now: opts.now,
    ...(opts.query ? { query: opts.query } : {}),
    ...(probe.concurrency !== null ? { concurrency: probe.concurrency } : {}),
    queryOptions: {
      ...(probe.timeoutMs !== null ? { timeoutMs: probe.timeoutMs } : {}),
      ...(probe.retries !== null ? { retries: probe.retries } : {}),
    },
  });
  const live = results.map((r, i) => summarize(zones[i]!, r));
  return { zones: live, problems: live.flatMap((z) => z.reasons.map((reason) => ({ zone: z.zone, reason }))) };
}

/** The zone's own list, else the global one; names compare without case or the final dot. */
export function serversFor(zone: string, probe: ProbeConfig): ServerAddress[] {
  const key = norm(zone);
  const own = Object.entries(probe.zones).find(([name]) => norm(name) === key)?.[1].servers;
  return own ?? probe.servers;
}

const norm = (name: string) => name.toLowerCase().replace(/\.$/, '');

function summarize(zone: string, r: ZoneComparison): LiveZone {
  return {
    zone,
    verdict: r.verdict,
    servers: r.servers.map((s) => ({
      server: formatServer(s.server), verdict: s.verdict, missing: s.missing, unexpected: s.unexpected, signature: s.signature, warnings: s.warnings,
    })),
    reasons: r.reasons,
  };
}
