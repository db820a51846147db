// One parent server's answer to "DS <zone>?", asked directly (RD=0) so the answer comes from the
// server's own copy of the parent zone, never from a cache that may hold an older DS set for up to
// its TTL. Contract: `askParentServer` never rejects; `judgeDsAnswer` is pure. An answer counts only
// when it is authoritative (AA) and provably from a zone above the child: a negative answer must
// carry an enclosing zone's SOA (an SOA of the child itself means the server serves the child, not
// its parent, which is the classic wrong-server mistake), and a signed DS set must be signed by an
// enclosing zone. With the parent zone known (discovered), that zone and no other must answer.

import type dnsPacket from 'dns-packet';
import type { Ds } from '../dnssec/ds.js';
import { fqdn, nameLabels } from '../dnssec/name.js';
import type { DnsAnswer, QueryFn, QueryOptions } from '../probe/dns-client.js';
import { dsFromAnswer } from '../probe/parent-ds.js';
import type { ProbeErrorKind } from '../probe/probe-error.js';
import { safeFqdn } from '../probe/names.js';
import { formatServer, type ServerAddress } from '../probe/servers.js';

export type AnswerProblemKind = ProbeErrorKind | 'wrong-zone';

export interface ServerAnswer {
  server: string;
  ok: boolean;
  /** DS records served at the zone's name (empty for NODATA / NXDOMAIN). */
  ds: Ds[];
  /** Smallest TTL of the served DS records, or null when none is served. */
  ttl: number | null;
  rcode: string | null;
  via: 'udp' | 'tcp' | null;
  /** The zone the answer came from (SOA owner or DS signer), when the answer shows it. */
  answeredFrom: string | null;
  problem: { kind: AnswerProblemKind; message: string } | null;
}

export async function askParentServer(
  zone: string, server: ServerAddress, parentZone: string | null, queryFn: QueryFn, opts: QueryOptions,
): Promise<ServerAnswer> {
  const r = await queryFn(server, fqdn(zone), 'DS', { ...opts, recursionDesired: false, dnssecOk: true });
  if (!r.ok) return failed(formatServer(server), r.error.kind, r.error.message);
  return judgeDsAnswer(zone, formatServer(server), parentZone, r.answer);
}

export function judgeDsAnswer(zone: string, server: string, parentZone: string | null, answer: DnsAnswer): ServerAnswer {
  const apex = fqdn(zone);
  const at = `DS ${apex} from ${server}`;
  const base = { rcode: answer.rcode, via: answer.via };
  if (!answer.authoritative) {
    return { ...failed(server, 'not-authoritative', `${at}: answer without the AA bit: the server is lame for the parent zone (or a referral)`), ...base };
  }
  const message = answer.message as dnsPacket.Packet;
  const ds = dsFromAnswer(apex, message);
  if (answer.rcode === 'NXDOMAIN' && ds.length > 0) return { ...failed(server, 'malformed', `${at}: NXDOMAIN with DS records`), ...base };

  let from: string | null;
  if (ds.length > 0) {
    const signers = [...new Set((message.answers ?? []).flatMap((rr) =>
      rr.type === 'RRSIG' && rr.data.typeCovered === 'DS' && safeFqdn(rr.name) === apex ? [safeFqdn(rr.data.signersName) ?? '?'] : [],
    ))];
    const bad = signers.find((s) => !enclosing(s, apex, parentZone));
    if (bad) return { ...failed(server, 'wrong-zone', `${at}: the DS set is signed by ${bad}, ${expectation(apex, parentZone)}`), ...base };
    from = signers[0] ?? null;
  } else {
    const soa = (message.authorities ?? []).find((rr) => rr.type === 'SOA');
    if (!soa) return { ...failed(server, 'malformed', `${at}: ${answer.rcode} without an SOA record: cannot tell which zone answered`), ...base };
    from = safeFqdn(soa.name) ?? '?';
    if (from === apex) {
      return { ...failed(server, 'wrong-zone', `${at}: answered from ${apex} itself (its SOA): the server serves the child zone, not its parent`), ...base };
    }
    if (!enclosing(from, apex, parentZone)) return { ...failed(server, 'wrong-zone', `${at}: answered from ${from}, ${expectation(apex, parentZone)}`), ...base };
  }
  const ttls = (message.answers ?? []).flatMap((rr) => (rr.type === 'DS' && safeFqdn(rr.name) === apex ? [rr.ttl ?? 0] : []));
  return { server, ok: true, ds, ttl: ttls.length > 0 ? Math.min(...ttls) : null, ...base, answeredFrom: from, problem: null };
}

function failed(server: string, kind: AnswerProblemKind, message: string): ServerAnswer {
  return { server, ok: false, ds: [], ttl: null, rcode: null, via: null, answeredFrom: null, problem: { kind, message } };
}

function expectation(apex: string, parentZone: string | null): string {
  return parentZone ? `not by the parent zone ${parentZone}` : `not by a zone above ${apex}`;
}

/** True when `name` is the known parent zone, or (parent unknown) a proper ancestor of `apex`. */
function enclosing(name: string, apex: string, parentZone: string | null): boolean {
  if (parentZone !== null) return name === parentZone;
  let a: string[];
  let n: string[];
  try {
    a = nameLabels(apex);
    n = nameLabels(name);
  } catch {
    return false;
  }
  return n.length < a.length && a.slice(a.length - n.length).join('.') === n.join('.');
}
