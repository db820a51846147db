// The optional `probe` section of the configuration: which authoritative servers the failover drill
// asks for each zone's live DNSKEY set. Contract: pure; `checkProbeSection` returns the first problem
// (dotted path + message, like the schema checker) or the parsed section. Server strings go through
// the probe's own `parseServerAddress`, so the drill accepts exactly what the probe can dial.
// Lists are checked here because the generic schema checker (src/config/schema.ts) has no list kind.

import type { ServerAddress } from '../probe/servers.js';
import type { SchemaProblem } from '../config/schema.js';
import { boundedIntegers, isMapping, kind, serverList } from '../config/section-values.js';

export interface ProbeConfig {
  /** Servers asked for every zone without its own list. */
  servers: ServerAddress[];
  /** Per-zone server lists, by zone name as written (compared case-insensitively, without the final dot). */
  zones: Record<string, { servers: ServerAddress[] }>;
  timeoutMs: number | null;
  retries: number | null;
  concurrency: number | null;
}

const TOP_KEYS = ['servers', 'zones', 'timeoutMs', 'retries', 'concurrency'];
/** Bounds keep a typo (ms vs s, an extra zero) from making a drill hang or hammer a server. */
const INTEGERS: Record<string, { min: number; max: number }> = {
  timeoutMs: { min: 50, max: 60_000 },
  retries: { min: 0, max: 10 },
  concurrency: { min: 1, max: 1024 },
};

type Result = { ok: true; probe: ProbeConfig } | { ok: false; problem: SchemaProblem };

export function checkProbeSection(raw: unknown): Result {
  const fail = (path: string, message: string): Result => ({ ok: false, problem: { path, message } });
  if (!isMapping(raw)) return fail('probe', `must be a mapping, not ${kind(raw)}`);
  for (const key of Object.keys(raw)) {
    if (!TOP_KEYS.includes(key)) return fail(`probe.${key}`, `unknown key (known keys here: ${TOP_KEYS.join(', ')})`);
  }
  const servers = serverList(raw.servers, 'probe.servers', true);
  if (!servers.ok) return servers;
  const zones: ProbeConfig['zones'] = {};
  if (raw.zones !== undefined && raw.zones !== null) {
    if (!isMapping(raw.zones)) return fail('probe.zones', `must be a mapping, not ${kind(raw.zones)}`);
    for (const [zone, entry] of Object.entries(raw.zones)) {
      const at = `probe.zones.${zone}`;
      if (!isMapping(entry)) return fail(at, `must be a mapping, not ${kind(entry)}`);
      for (const key of Object.keys(entry)) if (key !== 'servers') return fail(`${at}.${key}`, 'unknown key (known keys here: servers)');
      const list = serverList(entry.servers, `${at}.servers`, false);
      if (!list.ok) return list;
      zones[zone] = { servers: list.value };
    }
  }
  const integers = boundedIntegers(raw, 'probe', INTEGERS);
  if (!integers.ok) return integers;
  const ints = integers.value;
  // A section that names no server at all would make every zone MISMATCH; say so where it is written.
  if (servers.value.length === 0 && Object.keys(zones).length === 0) {
    return fail('probe.servers', 'is required (or give probe.zones.<zone>.servers)');
  }
  return {
    ok: true,
    probe: { servers: servers.value, zones, timeoutMs: ints.timeoutMs ?? null, retries: ints.retries ?? null, concurrency: ints.concurrency ?? null },
  };
}
