// The optional `probe` section of the configuration: which authoritative servers the failover drill
// asks for each zone's live DNSKEY set. Contract: pure; `checkProbeSection` returns the first problem
// (dotted path + message, like the schema checker) or the parsed section. Server strings go through
// the probe's own `parseServerAddress`, so the drill accepts exactly what the probe can dial.
// Lists are checked here because the generic schema checker (src/config/schema.ts) has no list kind.

import { parseServerAddress, type ServerAddress } from '../probe/servers.js';
import type { SchemaProblem } from '../config/schema.js';

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
      zones[zone] = { servers: list.servers };
    }
  }
  const ints: Record<string, number | null> = {};
  for (const [key, { min, max }] of Object.entries(INTEGERS)) {
    const v = raw[key];
    if (v === undefined || v === null) {
      ints[key] = null;
      continue;
    }
    if (typeof v !== 'number' || !Number.isInteger(v)) return fail(`probe.${key}`, `must be an integer, not ${kind(v)}`);
    if (v < min) return fail(`probe.${key}`, `must be at least ${min}`);
    if (v > max) return fail(`probe.${key}`, `must be at most ${max}`);
    ints[key] = v;
  }
  // A section that names no server at all would make every zone MISMATCH; say so where it is written.
  if (servers.servers.length === 0 && Object.keys(zones).length === 0) {
    return fail('probe.servers', 'is required (or give probe.zones.<zone>.servers)');
  }
  return {
    ok: true,
    probe: { servers: servers.servers, zones, timeoutMs: ints.timeoutMs ?? null, retries: ints.retries ?? null, concurrency: ints.concurrency ?? null },
  };
}

function serverList(v: unknown, path: string, optional: boolean): { ok: true; servers: ServerAddress[] } | { ok: false; problem: SchemaProblem } {
  if (v === undefined || v === null) {
    return optional ? { ok: true, servers: [] } : { ok: false, problem: { path, message: 'is required' } };
  }
  if (!Array.isArray(v)) return { ok: false, problem: { path, message: `must be a list of server addresses, not ${kind(v)}` } };
  if (v.length === 0) return { ok: false, problem: { path, message: 'must name at least one server' } };
  const out: ServerAddress[] = [];
  for (const [i, item] of v.entries()) {
    if (typeof item !== 'string') return { ok: false, problem: { path: `${path}.${i}`, message: `must be a string, not ${kind(item)}` } };
    try {
      out.push(parseServerAddress(item));
    } catch (e) {
      return { ok: false, problem: { path: `${path}.${i}`, message: `${(e as Error).message} (an IP address, optionally with :port)` } };
    }
  }
  return { ok: true, servers: out };
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function kind(v: unknown): string {
  if (v === null || v === undefined) return 'empty';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'number') return Number.isInteger(v) ? 'an integer' : 'a number';
  return `a ${typeof v}`;
}
