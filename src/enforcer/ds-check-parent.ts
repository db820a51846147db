// Which servers `key ds-check` asks for a zone's DS set: the parent zone's authoritative servers.
// Contract: a configured list (dsCheck.zones.<zone>.servers, else dsCheck.servers) is used as given;
// otherwise the configured resolver finds the parent zone (the nearest enclosing name with an SOA),
// its NS set and every address of every nameserver. Discovery is all or nothing: a nameserver whose
// addresses cannot be had, or a list cut short, makes the lookup fail, because confirming a DS on a
// subset of the parent's servers would be a guess. Never throws; failures come back with a reason.

import net from 'node:net';
import type { DsCheckConfig } from '../config/ds-check-config.js';
import { nameLabels } from '../dnssec/name.js';
import type { QueryFn, QueryOptions } from '../probe/dns-client.js';
import { safeFqdn } from '../probe/names.js';
import { DNS_PORT, formatServer, MAX_ADDRESSES, MAX_NS_NAMES, nsNames, type ServerAddress } from '../probe/servers.js';

export type ServerSource = 'zone' | 'global' | 'discovered';

export interface ParentServers {
  source: ServerSource;
  /** The parent zone (fully qualified) when discovered; null for configured lists. */
  parentZone: string | null;
  servers: ServerAddress[];
}

export type ParentLookup = { ok: true; parent: ParentServers } | { ok: false; reason: string };

const NOT_CONFIGURED =
  'no parent servers configured: give dsCheck.zones.<zone>.servers, dsCheck.servers or dsCheck.resolver in the configuration';

export async function parentServersFor(
  zone: string, config: DsCheckConfig | undefined, queryFn: QueryFn, opts: QueryOptions, discoveredPort = DNS_PORT,
): Promise<ParentLookup> {
  const own = config?.zones[zone]?.servers;
  if (own && own.length > 0) return { ok: true, parent: { source: 'zone', parentZone: null, servers: dedupe(own) } };
  if (config && config.servers.length > 0) return { ok: true, parent: { source: 'global', parentZone: null, servers: dedupe(config.servers) } };
  if (!config?.resolver) return { ok: false, reason: NOT_CONFIGURED };
  return discover(zone, config.resolver, queryFn, { ...opts, recursionDesired: true, dnssecOk: false }, discoveredPort);
}

async function discover(zone: string, resolver: ServerAddress, queryFn: QueryFn, ask: QueryOptions, port: number): Promise<ParentLookup> {
  const via = `through the resolver ${formatServer(resolver)}`;
  const parent = await findParentZone(zone, resolver, queryFn, ask);
  if (!parent.ok) return { ok: false, reason: `cannot find the parent zone of ${zone} ${via}: ${parent.reason}` };
  const apex = parent.zone;

  const ns = await queryFn(resolver, apex, 'NS', ask);
  if (!ns.ok) return { ok: false, reason: `NS ${apex} ${via}: ${ns.error.message}` };
  const names = nsNames(ns.answer.message, apex);
  if (names.length === 0) return { ok: false, reason: `no NS records for ${apex} ${via}` };
  if (names.length > MAX_NS_NAMES) return { ok: false, reason: `${apex} has ${names.length} nameservers; at most ${MAX_NS_NAMES} are asked, so not all could be` };

  const lookups = names.flatMap((name) => (['A', 'AAAA'] as const).map((type) => ({ name, type })));
  const results = await Promise.all(lookups.map((l) => queryFn(resolver, l.name, l.type, ask)));
  const byName = new Map<string, ServerAddress[]>(names.map((n) => [n, []]));
  const failures: string[] = [];
  results.forEach((r, i) => {
    const { name, type } = lookups[i]!;
    if (!r.ok) return void failures.push(`${type} ${name}: ${r.error.message}`);
    for (const rr of r.answer.message.answers ?? []) {
      if (rr.type === type && safeFqdn(rr.name) === name && net.isIP(rr.data)) byName.get(name)!.push({ address: rr.data, port });
    }
  });
  if (failures.length > 0) return { ok: false, reason: `cannot find every address of ${apex}'s nameservers ${via}: ${failures.join('; ')}` };
  const bare = names.filter((n) => byName.get(n)!.length === 0);
  if (bare.length > 0) return { ok: false, reason: `no address for ${bare.join(', ')} (nameserver of ${apex}) ${via}` };
  const servers = dedupe([...byName.values()].flat());
  if (servers.length > MAX_ADDRESSES) return { ok: false, reason: `${apex}'s nameservers have ${servers.length} addresses; at most ${MAX_ADDRESSES} are asked` };
  return { ok: true, parent: { source: 'discovered', parentZone: apex, servers } };
}

/** The nearest proper ancestor of `zone` that has an SOA record, i.e. the zone the delegation lives in. */
export async function findParentZone(
  zone: string, resolver: ServerAddress, queryFn: QueryFn, ask: QueryOptions,
): Promise<{ ok: true; zone: string } | { ok: false; reason: string }> {
  let labels: string[];
  try {
    labels = nameLabels(zone);
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }
  for (let i = 1; i <= labels.length; i++) {
    const candidate = i === labels.length ? '.' : labels.slice(i).join('.') + '.';
    const r = await queryFn(resolver, candidate, 'SOA', ask);
    if (!r.ok) return { ok: false, reason: `SOA ${candidate}: ${r.error.message}` };
    if (r.answer.rcode !== 'NOERROR') continue;
    if ((r.answer.message.answers ?? []).some((rr) => rr.type === 'SOA' && safeFqdn(rr.name) === candidate)) return { ok: true, zone: candidate };
  }
  return { ok: false, reason: 'no enclosing zone answered with an SOA record' };
}

function dedupe(list: readonly ServerAddress[]): ServerAddress[] {
  const seen = new Set<string>();
  return list.filter((s) => {
    const k = formatServer(s);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
