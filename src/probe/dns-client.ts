// One DNS question to one server, over real sockets. Contract: `query` never throws and never accepts an
// answer whose id and question differ from what it sent. UDP first, with EDNS0 (buffer 1232, DO bit) and a
// fresh random id and source port per attempt; TC=1 moves the question to TCP (RFC 7766, 2-octet length
// prefix). Each attempt is bounded in time and size; failures come back as a ProbeError.

import dgram from 'node:dgram';
import net from 'node:net';
import { randomInt } from 'node:crypto';
import dnsPacket from 'dns-packet';
import { canonicalNameWire } from '../dnssec/name.js';
import { probeError, type ProbeError } from './probe-error.js';
import { judgeResponse, type Expected } from './response-judge.js';
import { TYPE_A, TYPE_AAAA, TYPE_DNSKEY, TYPE_DS, TYPE_NS, TYPE_SOA } from './wire-check.js';
import { formatServer, type ServerAddress } from './servers.js';

export const EDNS_BUFFER = 1232;
export const MAX_MESSAGE = 65535;

export type QueryType = 'DNSKEY' | 'DS' | 'SOA' | 'NS' | 'A' | 'AAAA';
const TYPE_NUMBER: Record<QueryType, number> = {
  DNSKEY: TYPE_DNSKEY, DS: TYPE_DS, SOA: TYPE_SOA, NS: TYPE_NS, A: TYPE_A, AAAA: TYPE_AAAA,
};

export interface QueryOptions {
  /** Per attempt, UDP and TCP alike. Default 2000. */
  timeoutMs?: number;
  /** Attempts after the first, per transport. Default 2. */
  retries?: number;
  /** Ask for RRSIGs (EDNS DO bit). Default true. */
  dnssecOk?: boolean;
  /** RD bit; only for questions to a recursive resolver. Default false. */
  recursionDesired?: boolean;
  /** Largest TCP answer accepted, in octets. Default 65535. */
  maxResponseBytes?: number;
}

export interface DnsAnswer {
  message: dnsPacket.DecodedPacket;
  /** NOERROR or NXDOMAIN; every other code is returned as a ProbeError. */
  rcode: string;
  authoritative: boolean;
  via: 'udp' | 'tcp';
}

export type QueryResult = { ok: true; answer: DnsAnswer } | { ok: false; error: ProbeError };

export type QueryFn = (server: ServerAddress, name: string, type: QueryType, opts?: QueryOptions) => Promise<QueryResult>;

type Attempt =
  | { kind: 'answer'; answer: Omit<DnsAnswer, 'via'>; truncated: boolean }
  | { kind: 'error'; error: ProbeError; retry: boolean };

interface Question {
  server: ServerAddress;
  name: string;
  typeName: QueryType;
  type: number;
  nameWire: Uint8Array;
  timeoutMs: number;
  opts: QueryOptions;
}

export const query: QueryFn = async (server, name, type, opts = {}) => {
  let nameWire: Uint8Array;
  try {
    nameWire = canonicalNameWire(name);
  } catch (e) {
    return { ok: false, error: probeError('malformed', `cannot ask for ${JSON.stringify(name)}: ${(e as Error).message}`) };
  }
  const q: Question = { server, name, typeName: type, type: TYPE_NUMBER[type], nameWire, timeoutMs: opts.timeoutMs ?? 2000, opts };
  const attempts = 1 + Math.max(0, opts.retries ?? 2);
  const at = `${type} ${name} from ${formatServer(server)}`;

  let last: ProbeError | null = null;
  let truncated = false;
  for (let i = 0; i < attempts && !truncated; i++) {
    const r = await udpAttempt(q);
    if (r.kind === 'answer') {
      if (!r.truncated) return finish(r.answer, 'udp', at);
      truncated = true;
    } else if (!r.retry) {
      return { ok: false, error: prefixed(r.error, at) };
    } else {
      last = r.error;
    }
  }
  if (!truncated) return { ok: false, error: prefixed(last!, `${at} after ${attempts} UDP attempt(s)`) };

  for (let i = 0; i < attempts; i++) {
    const r = await tcpAttempt(q);
    if (r.kind === 'answer') {
      if (r.truncated) return { ok: false, error: probeError('truncated', `${at}: answer truncated over UDP and TCP`) };
      return finish(r.answer, 'tcp', at);
    }
    if (!r.retry) return { ok: false, error: prefixed(r.error, `${at} over TCP`) };
    last = r.error;
  }
  return { ok: false, error: prefixed(last!, `${at} after ${attempts} TCP attempt(s)`) };
};

function finish(a: Omit<DnsAnswer, 'via'>, via: 'udp' | 'tcp', at: string): QueryResult {
  if (a.rcode !== 'NOERROR' && a.rcode !== 'NXDOMAIN') return { ok: false, error: probeError('rcode', `${at}: ${a.rcode}`) };
  return { ok: true, answer: { ...a, via } };
}

function prefixed(e: ProbeError, at: string): ProbeError {
  return probeError(e.kind, `${at}: ${e.message}`);
}

function encodeQuery(q: Question, id: number): Buffer {
  const opt = {
    type: 'OPT', name: '.', udpPayloadSize: EDNS_BUFFER, extendedRcode: 0, ednsVersion: 0,
    flags: q.opts.dnssecOk === false ? 0 : dnsPacket.DNSSEC_OK, flag_do: q.opts.dnssecOk !== false, options: [],
  } as dnsPacket.OptAnswer;
  return dnsPacket.encode({
    type: 'query',
    id,
    flags: q.opts.recursionDesired ? dnsPacket.RECURSION_DESIRED : 0,
    questions: [{ type: q.typeName, name: q.name, class: 'IN' }],
    additionals: [opt],
  });
}

function newExpected(q: Question): Expected {
  // crypto randomness: a predictable id is half of what an off-path forger needs (RFC 5452).
  return { id: randomInt(0, 0x10000), nameWire: q.nameWire, type: q.type };
}

function udpAttempt(q: Question): Promise<Attempt> {
  const expected = newExpected(q);
  const packet = encodeQuery(q, expected.id);
  return new Promise((resolve) => {
    const sock = dgram.createSocket(net.isIPv6(q.server.address) ? 'udp6' : 'udp4');
    const ignored = { mismatch: 0, malformed: 0 };
    let done = false;
    const settle = (a: Attempt) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      try {
        sock.close();
      } catch {
        // already closed after an error
      }
      resolve(a);
    };
    const timer = setTimeout(() => settle(silence(ignored, q.timeoutMs)), q.timeoutMs);
    sock.on('error', (e) => settle({ kind: 'error', error: probeError('network', e.message), retry: true }));
    sock.on('message', (msg, rinfo) => {
      // connect() already filters by peer in the kernel; the port check costs nothing.
      if (rinfo.port !== q.server.port) return void ignored.mismatch++;
      const j = judgeResponse(msg, expected);
      if (j.kind === 'ignore') return void ignored[j.reason]++;
      if (j.kind === 'error') return settle({ kind: 'error', error: j.error, retry: false });
      if (msg.length > EDNS_BUFFER) {
        return settle({ kind: 'error', error: probeError('oversized', `${msg.length}-octet UDP answer exceeds the advertised ${EDNS_BUFFER}`), retry: false });
      }
      const { message, rcode, authoritative } = j;
      settle({ kind: 'answer', answer: { message, rcode, authoritative }, truncated: j.truncated });
    });
    sock.connect(q.server.port, q.server.address, () => {
      sock.send(packet, (e) => {
        if (e) settle({ kind: 'error', error: probeError('network', e.message), retry: true });
      });
    });
  });
}

function silence(ignored: { mismatch: number; malformed: number }, timeoutMs: number): Attempt {
  const n = ignored.mismatch + ignored.malformed;
  if (n === 0) return { kind: 'error', error: probeError('timeout', `no answer within ${timeoutMs} ms`), retry: true };
  const kind = ignored.mismatch > 0 ? 'mismatch' : 'malformed';
  return {
    kind: 'error',
    error: probeError(kind, `${n} datagram(s) ignored (${ignored.mismatch} with a wrong id or question, ${ignored.malformed} unreadable), no answer within ${timeoutMs} ms`),
    retry: true,
  };
}

function tcpAttempt(q: Question): Promise<Attempt> {
  const expected = newExpected(q);
  const body = encodeQuery(q, expected.id);
  const framed = Buffer.alloc(2 + body.length);
  framed.writeUInt16BE(body.length, 0);
  body.copy(framed, 2);
  const cap = Math.min(q.opts.maxResponseBytes ?? MAX_MESSAGE, MAX_MESSAGE);
  return new Promise((resolve) => {
    const sock = net.connect({ host: q.server.address, port: q.server.port });
    let buf = Buffer.alloc(0);
    let done = false;
    const settle = (a: Attempt) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      resolve(a);
    };
    const timer = setTimeout(
      () => settle({ kind: 'error', error: probeError('timeout', `no answer within ${q.timeoutMs} ms`), retry: true }),
      q.timeoutMs,
    );
    sock.on('connect', () => sock.write(framed));
    sock.on('error', (e) => settle({ kind: 'error', error: probeError('network', e.message), retry: true }));
    sock.on('close', () => settle({ kind: 'error', error: probeError('network', `connection closed after ${buf.length} octet(s)`), retry: true }));
    sock.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length < 2) return;
      const length = buf.readUInt16BE(0);
      if (length > cap) {
        return settle({ kind: 'error', error: probeError('oversized', `${length}-octet TCP answer exceeds the ${cap}-octet limit`), retry: false });
      }
      if (buf.length < 2 + length) return;
      const j = judgeResponse(buf.subarray(2, 2 + length), expected);
      // A TCP connection is ours alone, so a wrong id or question here is the server's fault, not a forger's.
      if (j.kind === 'ignore') {
        return settle({ kind: 'error', error: probeError(j.reason, `TCP answer with a ${j.reason === 'mismatch' ? 'wrong id or question' : 'unreadable header'}`), retry: false });
      }
      if (j.kind === 'error') return settle({ kind: 'error', error: j.error, retry: false });
      const { message, rcode, authoritative } = j;
      settle({ kind: 'answer', answer: { message, rcode, authoritative }, truncated: j.truncated });
    });
  });
}
