// A real authoritative DNS server for tests, on 127.0.0.1 (or another loopback address) with one ephemeral
// port for UDP and TCP, plus helpers that build zones whose DNSKEY RRsets are really signed with the
// project's keys.
// Contract: `startResponder()` serves whatever zones are set (longest-suffix match, REFUSED outside them),
// each with a behaviour that can misbehave in the ways the probe must survive. Setting a zone is a map
// insert, so benchmarks can load thousands. Answers follow RFC 1035/6891 closely enough for dig: AA set,
// question echoed, RRSIGs added when DO is set, TC=1 when the answer exceeds the client's EDNS buffer.

import dgram from 'node:dgram';
import net from 'node:net';
import type { KeyObject } from 'node:crypto';
import dnsPacket from 'dns-packet';
import type { Algorithm } from '../../src/policy/policy.js';
import { algorithmInfo } from '../../src/dnssec/algorithms.js';
import { encodeDnskeyRdata, dnskeyFor } from '../../src/dnssec/dnskey.js';
import { keyTag } from '../../src/dnssec/key-tag.js';
import { fqdn, nameLabels } from '../../src/dnssec/name.js';
import { rrsigSignedData } from '../../src/dnssec/rrsig.js';
import { sign } from '../../src/dnssec/signature.js';
import { generateKeyPair } from '../../src/keys/generate.js';
import type { ServerAddress } from '../../src/probe/servers.js';

export type Behaviour =
  | 'normal'
  /** Never answer (UDP ignored, TCP connection left hanging): the client times out. */
  | 'drop'
  /** TC=1 with no records over UDP, the full answer over TCP. */
  | 'truncate-udp'
  /** TC=1 over UDP and TCP alike: the answer can never be had. */
  | 'truncate-always'
  /** Right id and question, then a record whose RDATA runs past the end of the message. */
  | 'malformed'
  | 'wrong-id'
  | 'wrong-question'
  /** A forged datagram (wrong id) first, then the real answer: the client must wait for the real one. */
  | 'forged-first'
  /** A UDP answer padded beyond the client's EDNS buffer without TC=1. */
  | 'oversized'
  | 'refused'
  /** SERVFAIL, as a server with a broken zone answers. */
  | 'servfail'
  /** A correct answer without the AA bit (a lame server). */
  | 'not-authoritative';

export interface ZoneContent {
  name: string;
  records: dnsPacket.Answer[];
  behaviour?: Behaviour;
}

export interface DnsResponder {
  /** The loopback address and the port shared by UDP and TCP. */
  readonly server: ServerAddress;
  /** Adds or replaces a zone. */
  setZone(zone: ZoneContent): void;
  removeZone(name: string): void;
  setBehaviour(zone: string, behaviour: Behaviour): void;
  /** Queries received so far, by transport. */
  readonly queries: { udp: number; tcp: number };
  close(): Promise<void>;
}

interface LoadedZone {
  behaviour: Behaviour;
  byName: Map<string, dnsPacket.Answer[]>;
  soa: dnsPacket.Answer | undefined;
}

export interface ResponderOptions {
  /** Any 127.x.y.z address (default 127.0.0.1); several servers on one port need distinct addresses. */
  address?: string;
  /** Default: an ephemeral port free for both UDP and TCP. */
  port?: number;
}

export async function startResponder(opts: ResponderOptions = {}): Promise<DnsResponder> {
  const zones = new Map<string, LoadedZone>();
  const queries = { udp: 0, tcp: 0 };
  const address = opts.address ?? '127.0.0.1';
  const { udp, tcp, port } = await bindPair(address, opts.port);
  const sockets = new Set<net.Socket>();

  const zoneFor = (qname: string): LoadedZone | undefined => {
    const labels = nameLabels(qname);
    for (let i = 0; i <= labels.length; i++) {
      const z = zones.get(fqdn(labels.slice(i).join('.')));
      if (z) return z;
    }
    return undefined;
  };

  udp.on('message', (msg, rinfo) => {
    queries.udp++;
    const out = respond(msg, 'udp', zoneFor);
    for (const datagram of out) udp.send(datagram, rinfo.port, rinfo.address);
  });
  tcp.on('connection', (sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => sock.destroy());
    let buf = Buffer.alloc(0);
    sock.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const msg = buf.subarray(2, 2 + buf.readUInt16BE(0));
        buf = buf.subarray(2 + msg.length);
        queries.tcp++;
        for (const reply of respond(msg, 'tcp', zoneFor)) {
          const len = Buffer.alloc(2);
          len.writeUInt16BE(reply.length, 0);
          sock.write(Buffer.concat([len, reply]));
        }
      }
    });
  });

  return {
    server: { address, port },
    queries,
    setZone(zone) {
      const byName = new Map<string, dnsPacket.Answer[]>();
      for (const rr of zone.records) {
        const owner = fqdn(rr.name);
        byName.set(owner, [...(byName.get(owner) ?? []), rr]);
      }
      const soa = byName.get(fqdn(zone.name))?.find((rr) => rr.type === 'SOA');
      zones.set(fqdn(zone.name), { behaviour: zone.behaviour ?? 'normal', byName, soa });
    },
    removeZone(name) {
      zones.delete(fqdn(name));
    },
    setBehaviour(name, behaviour) {
      const z = zones.get(fqdn(name));
      if (!z) throw new Error(`no zone ${name}`);
      z.behaviour = behaviour;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await Promise.all([new Promise<void>((r) => udp.close(() => r())), new Promise<void>((r) => tcp.close(() => r()))]);
    },
  };
}

/** TCP and UDP on the same ephemeral port; another process may take the UDP port first, so retry. */
async function bindPair(address: string, fixedPort?: number): Promise<{ udp: dgram.Socket; tcp: net.Server; port: number }> {
  for (let attempt = 0; ; attempt++) {
    const tcp = net.createServer();
    await new Promise<void>((resolve, reject) => tcp.once('error', reject).listen(fixedPort ?? 0, address, resolve));
    const port = (tcp.address() as net.AddressInfo).port;
    const udp = dgram.createSocket('udp4');
    try {
      await new Promise<void>((resolve, reject) => udp.once('error', reject).bind(port, address, resolve));
      return { udp, tcp, port };
    } catch (e) {
      udp.close();
      await new Promise<void>((r) => tcp.close(() => r()));
      if (fixedPort !== undefined || attempt >= 20) throw e;
    }
  }
}

const FLAG_AA = dnsPacket.AUTHORITATIVE_ANSWER;
const FLAG_TC = dnsPacket.TRUNCATED_RESPONSE;
const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5 } as const;

function respond(msg: Buffer, transport: 'udp' | 'tcp', zoneFor: (name: string) => LoadedZone | undefined): Buffer[] {
  let query: dnsPacket.DecodedPacket;
  try {
    query = dnsPacket.decode(msg);
  } catch {
    return [];
  }
  const q = query.questions?.[0];
  if (query.type !== 'query' || !q) return [];
  const opt = query.additionals?.find((rr): rr is dnsPacket.OptAnswer => rr.type === 'OPT');
  const dnssecOk = opt ? (opt.flags & dnsPacket.DNSSEC_OK) !== 0 : false;
  const ednsOut: dnsPacket.Answer[] = opt
    ? [{ type: 'OPT', name: '.', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: dnssecOk ? dnsPacket.DNSSEC_OK : 0, flag_do: dnssecOk, options: [] }]
    : [];
  let zone: LoadedZone | undefined;
  try {
    zone = zoneFor(q.name);
  } catch {
    return [dnsPacket.encode({ type: 'response', id: query.id ?? 0, questions: [q], flags: RCODE.FORMERR })];
  }
  const behaviour = zone?.behaviour ?? 'normal';
  const base = { type: 'response' as const, id: query.id ?? 0, questions: [q], additionals: ednsOut };
  const rd = (query.flags ?? 0) & dnsPacket.RECURSION_DESIRED;
  if (!zone || behaviour === 'refused') return [dnsPacket.encode({ ...base, flags: rd | RCODE.REFUSED })];
  if (behaviour === 'servfail') return [dnsPacket.encode({ ...base, flags: rd | RCODE.SERVFAIL })];
  if (behaviour === 'drop') return [];

  const owner = fqdn(q.name);
  const atName = zone.byName.get(owner);
  const answers = (atName ?? []).filter(
    (rr) => rr.type === q.type || (dnssecOk && rr.type === 'RRSIG' && rr.data.typeCovered === q.type),
  );
  const rcode = atName ? RCODE.NOERROR : RCODE.NXDOMAIN;
  const authorities = answers.length === 0 && zone.soa ? [zone.soa] : [];
  const aa = behaviour === 'not-authoritative' ? 0 : FLAG_AA;
  const full: dnsPacket.Packet = { ...base, flags: rd | aa | rcode, answers, authorities };
  const truncated = dnsPacket.encode({ ...base, flags: rd | aa | FLAG_TC | rcode });
  let wire = dnsPacket.encode(full);

  switch (behaviour) {
    case 'truncate-always':
      return [truncated];
    case 'truncate-udp':
      return [transport === 'udp' ? truncated : wire];
    case 'malformed': {
      // Without the OPT record the last record is an answer, so its RDATA is what runs past the end.
      const bare = dnsPacket.encode({ ...full, additionals: [] });
      return [bare.subarray(0, bare.length - 7)];
    }
    case 'wrong-id':
      return [dnsPacket.encode({ ...full, id: ((query.id ?? 0) + 1) & 0xffff })];
    case 'wrong-question':
      return [dnsPacket.encode({ ...full, questions: [{ ...q, name: `wrong.${owner}` }] })];
    case 'forged-first':
      // Only UDP can be forged off-path; a TCP stream is the server's alone.
      return transport === 'udp' ? [dnsPacket.encode({ ...full, id: ((query.id ?? 0) + 1) & 0xffff, answers: [] }), wire] : [wire];
    case 'oversized':
      if (transport === 'udp') {
        const pad: dnsPacket.Answer = { type: 'TXT', name: owner, ttl: 0, data: Array.from({ length: 8 }, () => 'x'.repeat(200)) };
        wire = dnsPacket.encode({ ...full, additionals: [...ednsOut, pad] });
      }
      return [wire];
    default: {
      const limit = opt ? Math.max(512, opt.udpPayloadSize) : 512;
      return [transport === 'udp' && wire.length > limit ? truncated : wire];
    }
  }
}

// ---- signed zones ----

export interface TestKey {
  algorithm: Algorithm;
  flags: number;
  privateKey: KeyObject;
  /** DNSKEY public key field. */
  publicKey: Uint8Array;
  keyTag: number;
}

export async function makeTestKey(algorithm: Algorithm, flags: 256 | 257, bits = algorithmInfo(algorithm).defaultBits): Promise<TestKey> {
  const pair = await generateKeyPair(algorithm, bits);
  return {
    algorithm, flags, privateKey: pair.privateKey, publicKey: pair.publicKey,
    keyTag: keyTag(encodeDnskeyRdata(dnskeyFor(flags, algorithm, pair.publicKey))),
  };
}

export interface SignedZoneOptions {
  /** DNSKEYs served. */
  publish: TestKey[];
  /** Keys whose RRSIG over the DNSKEY set is served (normally the KSK or CSK). */
  signers: TestKey[];
  /** RRSIG validity window; default one hour ago until 14 days on. */
  inception?: Date;
  expiration?: Date;
  ttl?: number;
  soaSerial?: number;
  /** Flip a bit in every signature. */
  corruptSignatures?: boolean;
  /** More records (e.g. DS of children, NS targets' addresses). */
  extra?: dnsPacket.Answer[];
  behaviour?: Behaviour;
}

export function signedZone(name: string, o: SignedZoneOptions): ZoneContent {
  const zone = fqdn(name);
  const ttl = o.ttl ?? 3600;
  const now = Date.now();
  const inception = Math.floor((o.inception?.getTime() ?? now - 3600_000) / 1000) >>> 0;
  const expiration = Math.floor((o.expiration?.getTime() ?? now + 14 * 86400_000) / 1000) >>> 0;
  const dnskeys: dnsPacket.Answer[] = o.publish.map((k) => ({
    type: 'DNSKEY', name: zone, ttl, data: { flags: k.flags, algorithm: k.algorithm, key: Buffer.from(k.publicKey) },
  }));
  const rrset = o.publish.map((k) => ({ owner: zone, type: 48, rdata: encodeDnskeyRdata(dnskeyFor(k.flags, k.algorithm, k.publicKey)) }));
  const rrsigs: dnsPacket.Answer[] = o.signers.map((k) => {
    const fields = {
      typeCovered: 48, algorithm: k.algorithm, labels: nameLabels(zone).length, originalTtl: ttl,
      expiration, inception, keyTag: k.keyTag, signerName: zone,
    };
    const signature = Buffer.from(sign(k.algorithm, k.privateKey, rrsigSignedData(fields, rrset)));
    if (o.corruptSignatures) signature[signature.length - 1]! ^= 1;
    return {
      type: 'RRSIG', name: zone, ttl,
      data: {
        typeCovered: 'DNSKEY', algorithm: k.algorithm, labels: fields.labels, originalTTL: ttl,
        expiration, inception, keyTag: k.keyTag, signersName: zone, signature,
      },
    };
  });
  const soa: dnsPacket.Answer = {
    type: 'SOA', name: zone, ttl,
    data: { mname: `ns1.${zone}`, rname: `hostmaster.${zone}`, serial: o.soaSerial ?? 1, refresh: 3600, retry: 600, expire: 604800, minimum: 300 },
  };
  const ns: dnsPacket.Answer = { type: 'NS', name: zone, ttl, data: `ns1.${zone}` };
  return { name: zone, records: [soa, ns, ...dnskeys, ...rrsigs, ...(o.extra ?? [])], ...(o.behaviour ? { behaviour: o.behaviour } : {}) };
}
