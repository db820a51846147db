// The optional `dsCheck` section of the configuration: where `key ds-check` finds the parent's
// authoritative servers for a zone. Contract: pure; `checkDsCheckSection` returns the first problem
// (dotted path + message, like the schema checker) or the parsed section. Server strings go through
// the probe's own `parseServerAddress`, so the check accepts exactly what the DNS client can dial.
// Precedence per zone: `zones.<zone>.servers`, else `servers`, else discovery through `resolver`.

import type { ServerAddress } from '../probe/servers.js';
import { normaliseZoneName } from '../zones/zone-name.js';
import type { SchemaProblem } from './schema.js';
import { boundedIntegers, isMapping, kind, serverAddress, serverList } from './section-values.js';

export interface DsCheckConfig {
  /** Parent servers asked for every zone without its own list. */
  servers: ServerAddress[];
  /** Per-zone parent server lists, keyed by the normalised zone name (lower case, no final dot). */
  zones: Record<string, { servers: ServerAddress[] }>;
  /** Recursive resolver that finds the parent zone and its nameservers when no list applies. */
  resolver: ServerAddress | null;
  timeoutMs: number | null;
  retries: number | null;
  concurrency: number | null;
}

const TOP_KEYS = ['servers', 'zones', 'resolver', 'timeoutMs', 'retries', 'concurrency'];
/** Bounds keep a typo (ms vs s, an extra zero) from making a check hang or hammer the parent. */
const INTEGERS: Record<string, { min: number; max: number }> = {
  timeoutMs: { min: 50, max: 60_000 },
  retries: { min: 0, max: 10 },
  concurrency: { min: 1, max: 256 },
};

type Result = { ok: true; dsCheck: DsCheckConfig } | { ok: false; problem: SchemaProblem };
type Fail = { ok: false; problem: SchemaProblem };

export function checkDsCheckSection(raw: unknown): Result {
  const fail = (path: string, message: string): Fail => ({ ok: false, problem: { path, message } });
  if (!isMapping(raw)) return fail('dsCheck', `must be a mapping, not ${kind(raw)}`);
  for (const key of Object.keys(raw)) {
    if (!TOP_KEYS.includes(key)) return fail(`dsCheck.${key}`, `unknown key (known keys here: ${TOP_KEYS.join(', ')})`);
  }
  const servers = serverList(raw.servers, 'dsCheck.servers', true);
  if (!servers.ok) return servers;
  const zones: DsCheckConfig['zones'] = {};
  if (raw.zones !== undefined && raw.zones !== null) {
    if (!isMapping(raw.zones)) return fail('dsCheck.zones', `must be a mapping, not ${kind(raw.zones)}`);
    for (const [zone, entry] of Object.entries(raw.zones)) {
      const at = `dsCheck.zones.${zone}`;
      let name: string;
      try {
        name = normaliseZoneName(zone);
      } catch (e) {
        return fail(at, (e as Error).message);
      }
      if (name in zones) return fail(at, `names the zone ${name} a second time`);
      if (!isMapping(entry)) return fail(at, `must be a mapping, not ${kind(entry)}`);
      for (const key of Object.keys(entry)) if (key !== 'servers') return fail(`${at}.${key}`, 'unknown key (known keys here: servers)');
      const list = serverList(entry.servers, `${at}.servers`, false);
      if (!list.ok) return list;
      zones[name] = { servers: list.value };
    }
  }
  let resolver: ServerAddress | null = null;
  if (raw.resolver !== undefined && raw.resolver !== null) {
    const r = serverAddress(raw.resolver, 'dsCheck.resolver');
    if (!r.ok) return r;
    resolver = r.value;
  }
  const integers = boundedIntegers(raw, 'dsCheck', INTEGERS);
  if (!integers.ok) return integers;
  const ints = integers.value;
  // A section that names no way at all to reach a parent would leave every key unconfirmed.
  if (servers.value.length === 0 && Object.keys(zones).length === 0 && !resolver) {
    return fail('dsCheck.servers', 'is required (or give dsCheck.zones.<zone>.servers or dsCheck.resolver)');
  }
  return {
    ok: true,
    dsCheck: {
      servers: servers.value, zones, resolver,
      timeoutMs: ints.timeoutMs ?? null, retries: ints.retries ?? null, concurrency: ints.concurrency ?? null,
    },
  };
}
