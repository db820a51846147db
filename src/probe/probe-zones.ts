// The probe over many zones: ask every server of every zone for its DNSKEY set (and SOA serial), then
// compare with what the database expects. Contract: network and clock are injected (`query`, `now`);
// at most `concurrency` server probes are in flight across all zones; each zone's result is reported as
// soon as its servers have answered; the promise resolves with one comparison per target, in order,
// and never rejects because of what a server did.

import { fqdn } from '../dnssec/name.js';
import { compareZone, type CompareOptions, type ExpectedZone, type ServerProbe, type ServerResult, type ZoneComparison } from './compare.js';
import { query as realQuery, type QueryFn, type QueryOptions } from './dns-client.js';
import { limiter, type Limiter } from './limit.js';
import { liveDnskeySet } from './live-dnskey.js';
import { probeError } from './probe-error.js';
import { formatServer, serversForZone, type ServerAddress, type ServerSource } from './servers.js';
import { sameName } from './names.js';

export interface ZoneTarget {
  expected: ExpectedZone;
  /** Servers to ask; when absent, `source` is resolved (explicit lists, else NS discovery). */
  servers?: ServerAddress[];
  source?: ServerSource;
}

export interface ProbeOptions {
  query?: QueryFn;
  now?: () => Date;
  /** Server probes in flight at once, across all zones. Default 64. */
  concurrency?: number;
  queryOptions?: QueryOptions;
  /** Also ask for the SOA, to show each server's serial. Default true. */
  soa?: boolean;
  compare?: CompareOptions;
  onZone?: (result: ZoneComparison, done: number, total: number) => void;
}

export async function probeZones(targets: readonly ZoneTarget[], opts: ProbeOptions = {}): Promise<ZoneComparison[]> {
  const limit = limiter(opts.concurrency ?? 64);
  const now = opts.now ?? (() => new Date());
  let done = 0;
  return Promise.all(
    targets.map(async (t) => {
      const result = await probeZone(t, limit, opts, now);
      opts.onZone?.(result, ++done, targets.length);
      return result;
    }),
  );
}

async function probeZone(t: ZoneTarget, limit: Limiter, opts: ProbeOptions, now: () => Date): Promise<ZoneComparison> {
  const queryFn = opts.query ?? realQuery;
  let servers = t.servers;
  if (!servers) {
    const list = await limit(() => serversForZone(t.expected.zone, t.source ?? {}, queryFn, opts.queryOptions));
    if (!list.ok) {
      const base = compareZone(t.expected, [], now(), opts.compare);
      return { ...base, reasons: [`cannot find the servers of ${fqdn(t.expected.zone)}: ${list.error.message}`] };
    }
    servers = list.servers;
  }
  const perServer: ServerProbe[] = await Promise.all(
    servers.map(async (server) => ({ server, result: await limit(() => probeServer(t.expected.zone, server, queryFn, opts)) })),
  );
  return compareZone(t.expected, perServer, now(), opts.compare);
}

/** One server's DNSKEY set (with RRSIGs) for a zone, or why there is none. */
export async function probeServer(zone: string, server: ServerAddress, queryFn: QueryFn, opts: Pick<ProbeOptions, 'queryOptions' | 'soa'> = {}): Promise<ServerResult> {
  const apex = fqdn(zone);
  const qo: QueryOptions = { ...opts.queryOptions, dnssecOk: true };
  const [dnskey, soa] = await Promise.all([
    queryFn(server, apex, 'DNSKEY', qo),
    opts.soa === false ? Promise.resolve(null) : queryFn(server, apex, 'SOA', qo),
  ]);
  if (!dnskey.ok) return dnskey;
  const at = `DNSKEY ${apex} from ${formatServer(server)}`;
  if (dnskey.answer.rcode !== 'NOERROR') return { ok: false, error: probeError('rcode', `${at}: ${dnskey.answer.rcode}`) };
  if (!dnskey.answer.authoritative) return { ok: false, error: probeError('not-authoritative', `${at}: answer without the AA bit`) };
  const set = liveDnskeySet(apex, dnskey.answer.message);
  const warnings: string[] = [];
  let soaSerial: number | null | undefined;
  if (soa) {
    soaSerial = null;
    if (!soa.ok) warnings.push(`no SOA: ${soa.error.message}`);
    else {
      const rr = (soa.answer.message.answers ?? []).find((a) => a.type === 'SOA' && sameName(a.name, apex));
      if (rr?.type === 'SOA' && rr.data.serial !== undefined) soaSerial = rr.data.serial;
      else warnings.push(`no SOA record in the answer (${soa.answer.rcode})`);
    }
  }
  return { ok: true, set, via: dnskey.answer.via, ...(soaSerial !== undefined ? { soaSerial } : {}), warnings };
}
