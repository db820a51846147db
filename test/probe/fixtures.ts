// Shared pieces for the probe tests: the expected set the database would hand the probe for a list of
// test keys, and quick query options (short timeouts keep the failure cases fast).
import type { ExpectedKey, ExpectedZone } from '../../src/probe/compare.js';
import type { QueryOptions } from '../../src/probe/dns-client.js';
import dnsPacket from 'dns-packet';
import type { TestKey, ZoneContent } from '../helpers/dns-responder.js';

export const FAST: QueryOptions = { timeoutMs: 250, retries: 1 };

export function expected(zone: string, keys: TestKey[], extra: Partial<ExpectedKey> = {}): ExpectedZone {
  return { zone, keys: keys.map((k) => ({ flags: k.flags, algorithm: k.algorithm, publicKey: k.publicKey, ...extra })) };
}

/** The DNSKEY answer a server would give for a zone, decoded as the probe sees it (no sockets). */
export function dnskeyAnswer(zone: ZoneContent): dnsPacket.DecodedPacket {
  const answers = zone.records.filter((r) => r.type === 'DNSKEY' || (r.type === 'RRSIG' && r.data.typeCovered === 'DNSKEY'));
  return dnsPacket.decode(dnsPacket.encode({ type: 'response', id: 1, flags: dnsPacket.AUTHORITATIVE_ANSWER, answers }));
}
