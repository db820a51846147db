// Deciding what one received message means for the query we sent. Contract: pure. A message that does
// not carry our id and question is "ignore": over UDP anyone can send us datagrams, so a wrong one must
// neither be accepted nor end the wait (the real answer may still come). A message that does carry them
// is ours, and is then either usable or a typed error for this server.

import dnsPacket from 'dns-packet';
import { probeError, type ProbeError } from './probe-error.js';
import { CLASS_IN, checkStructure, readHeader, readQuestion } from './wire-check.js';

const FLAG_QR = 0x8000;
const FLAG_TC = 0x0200;
const OPCODE_MASK = 0x7800;
const RCODE_NAMES: Record<number, string> = {
  0: 'NOERROR', 1: 'FORMERR', 2: 'SERVFAIL', 3: 'NXDOMAIN', 4: 'NOTIMP', 5: 'REFUSED', 9: 'NOTAUTH', 10: 'NOTZONE', 16: 'BADVERS',
};

export interface Expected {
  id: number;
  /** canonicalNameWire(question name), computed once per query. */
  nameWire: Uint8Array;
  type: number;
}

export type Judgement =
  | { kind: 'ignore'; reason: 'mismatch' | 'malformed' }
  | { kind: 'error'; error: ProbeError }
  | { kind: 'answer'; message: dnsPacket.DecodedPacket; rcode: string; truncated: boolean; authoritative: boolean };

export function judgeResponse(bytes: Uint8Array, expected: Expected): Judgement {
  const header = readHeader(bytes);
  if (!header) return { kind: 'ignore', reason: 'malformed' };
  if (header.id !== expected.id || (header.flags & FLAG_QR) === 0 || (header.flags & OPCODE_MASK) !== 0) {
    return { kind: 'ignore', reason: 'mismatch' };
  }
  if (header.qdcount !== 1) return { kind: 'ignore', reason: 'mismatch' };
  const q = readQuestion(bytes);
  if (!q) return { kind: 'ignore', reason: 'malformed' };
  if (q.type !== expected.type || q.class !== CLASS_IN || !Buffer.from(q.nameWire).equals(Buffer.from(expected.nameWire))) {
    return { kind: 'ignore', reason: 'mismatch' };
  }
  // From here on the message answers our question: faults are this server's.
  const problem = checkStructure(bytes);
  if (problem) return { kind: 'error', error: probeError('malformed', `malformed answer: ${problem}`) };
  let message: dnsPacket.DecodedPacket;
  try {
    message = dnsPacket.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length));
  } catch (e) {
    return { kind: 'error', error: probeError('malformed', `malformed answer: ${(e as Error).message}`) };
  }
  const rcodeNumber = (header.flags & 0x000f) | (extendedRcode(message) << 4);
  const rcode = RCODE_NAMES[rcodeNumber] ?? `RCODE${rcodeNumber}`;
  return {
    kind: 'answer',
    message,
    rcode,
    truncated: (header.flags & FLAG_TC) !== 0,
    authoritative: (header.flags & 0x0400) !== 0,
  };
}

function extendedRcode(message: dnsPacket.DecodedPacket): number {
  for (const rr of message.additionals ?? []) {
    if (rr.type === 'OPT') return (rr as dnsPacket.OptAnswer).extendedRcode ?? 0;
  }
  return 0;
}
