// Which servers to ask about a zone. Contract: an explicit list (per zone, else global) is used as given,
// so tests and private setups can point at any address and port; otherwise the zone's NS set is looked up
// through a configured recursive resolver and every address of every name server is returned (bounded).
// Discovery only fails when no address at all is found; partial failures come back as notes.

import net from 'node:net';
import type dnsPacket from 'dns-packet';
import type { QueryFn, QueryOptions } from './dns-client.js';
import { probeError, type ProbeError } from './probe-error.js';
import { safeFqdn } from './names.js';

export interface ServerAddress {
  address: string;
  port: number;
}

export const DNS_PORT = 53;
/** More than any sane NS set (the root has 13); bounds the work a hostile delegation can cause. */
export const MAX_NS_NAMES = 16;
export const MAX_ADDRESSES = 32;

export function formatServer(s: ServerAddress): string {
  return net.isIPv6(s.address) ? `[${s.address}]:${s.port}` : `${s.address}:${s.port}`;
}

/** "192.0.2.1", "192.0.2.1:5353", "2001:db8::1", "[2001:db8::1]:5353"; throws on anything else. */
export function parseServerAddress(text: string, defaultPort = DNS_PORT): ServerAddress {
  const s = text.trim();
  let address = s;
  let port = defaultPort;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(s);
  if (bracketed) {
    address = bracketed[1]!;
    if (bracketed[2] !== undefined) port = Number(bracketed[2]);
  } else if (net.isIPv4(s.split(':')[0] ?? '') && s.includes(':')) {
    const [a, p] = s.split(':');
    address = a!;
    port = Number(p);
  }
  if (!net.isIP(address)) throw new Error(`not an IP address: ${JSON.stringify(text)}`);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`bad port in ${JSON.stringify(text)}`);
  return { address, port };
}

/** Where a zone's server list comes from, in order of preference. */
export interface ServerSource {
  /** Servers configured for this zone. */
  zoneServers?: ServerAddress[];
  /** Servers configured for every zone without its own list. */
  globalServers?: ServerAddress[];
  /** Recursive resolver for NS discovery when neither list is given. */
  resolver?: ServerAddress;
  /** Port of discovered servers (default 53). */
  discoveredPort?: number;
}

export type ServerList =
  | { ok: true; servers: ServerAddress[]; discovered: boolean; notes: string[] }
  | { ok: false; error: ProbeError };

export async function serversForZone(zone: string, source: ServerSource, queryFn: QueryFn, opts: QueryOptions = {}): Promise<ServerList> {
  const explicit = nonEmpty(source.zoneServers) ?? nonEmpty(source.globalServers);
  if (explicit) return { ok: true, servers: dedupe(explicit), discovered: false, notes: [] };
  if (!source.resolver) return { ok: false, error: probeError('network', `no servers configured for ${safeFqdn(zone) ?? zone} and no resolver to discover them`) };
  return discover(zone, source.resolver, source.discoveredPort ?? DNS_PORT, queryFn, opts);
}

async function discover(zone: string, resolver: ServerAddress, port: number, queryFn: QueryFn, opts: QueryOptions): Promise<ServerList> {
  const apex = safeFqdn(zone);
  if (!apex) return { ok: false, error: probeError('malformed', `not a zone name: ${JSON.stringify(zone)}`) };
  const ask: QueryOptions = { ...opts, recursionDesired: true, dnssecOk: false };
  const ns = await queryFn(resolver, apex, 'NS', ask);
  if (!ns.ok) return ns;
  if (ns.answer.rcode !== 'NOERROR') return { ok: false, error: probeError('rcode', `NS ${apex} from ${formatServer(resolver)}: ${ns.answer.rcode}`) };
  const names = nsNames(ns.answer.message, apex);
  if (names.length === 0) return { ok: false, error: probeError('rcode', `no NS records for ${apex} at ${formatServer(resolver)}`) };
  const notes: string[] = [];
  if (names.length > MAX_NS_NAMES) notes.push(`only the first ${MAX_NS_NAMES} of ${names.length} name servers are asked`);

  const lookups = names.slice(0, MAX_NS_NAMES).flatMap((name) => (['A', 'AAAA'] as const).map((type) => ({ name, type })));
  const results = await Promise.all(lookups.map((l) => queryFn(resolver, l.name, l.type, ask)));
  const addresses: ServerAddress[] = [];
  results.forEach((r, i) => {
    const { name, type } = lookups[i]!;
    if (!r.ok) return void notes.push(`${type} ${name}: ${r.error.message}`);
    for (const rr of r.answer.message.answers ?? []) {
      if ((rr.type === 'A' || rr.type === 'AAAA') && rr.type === type && safeFqdn(rr.name) === name && net.isIP(rr.data)) {
        addresses.push({ address: rr.data, port });
      }
    }
  });
  const servers = dedupe(addresses);
  if (servers.length > MAX_ADDRESSES) notes.push(`only the first ${MAX_ADDRESSES} of ${servers.length} addresses are asked`);
  if (servers.length === 0) return { ok: false, error: probeError('network', `no address found for any name server of ${apex} (${notes.join('; ')})`) };
  return { ok: true, servers: servers.slice(0, MAX_ADDRESSES), discovered: true, notes };
}

/** The distinct name server names of `apex` in an answer, sorted (fully qualified). */
export function nsNames(message: dnsPacket.Packet, apex: string): string[] {
  const names = (message.answers ?? [])
    .flatMap((rr) => (rr.type === 'NS' && safeFqdn(rr.name) === apex ? [safeFqdn(rr.data)] : []))
    .filter((n): n is string => n !== null);
  return [...new Set(names)].sort();
}

function nonEmpty(list: ServerAddress[] | undefined): ServerAddress[] | null {
  return list && list.length > 0 ? list : null;
}

function dedupe(list: ServerAddress[]): ServerAddress[] {
  const seen = new Set<string>();
  return list.filter((s) => {
    const k = formatServer(s);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
