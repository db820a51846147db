// Structural check of a DNS message (RFC 1035 §4.1) before anything trusts its contents.
// Contract: pure functions of the bytes. `checkStructure` walks every section and returns a problem
// description or null; dns-packet's decoder alone is not enough, because it silently shortens a record
// whose RDLENGTH runs past the end and ignores trailing bytes, and we must call such answers malformed.

export const TYPE_A = 1;
export const TYPE_NS = 2;
export const TYPE_SOA = 6;
export const TYPE_AAAA = 28;
export const TYPE_OPT = 41;
export const TYPE_DS = 43;
export const TYPE_RRSIG = 46;
export const TYPE_DNSKEY = 48;
export const CLASS_IN = 1;

const HEADER = 12;
const MAX_LABELS = 128;

export interface Header {
  id: number;
  flags: number;
  qdcount: number;
  ancount: number;
  nscount: number;
  arcount: number;
}

export function readHeader(buf: Uint8Array): Header | null {
  if (buf.length < HEADER) return null;
  const u16 = (o: number) => (buf[o]! << 8) | buf[o + 1]!;
  return { id: u16(0), flags: u16(2), qdcount: u16(4), ancount: u16(6), nscount: u16(8), arcount: u16(10) };
}

export interface RawQuestion {
  /** Uncompressed wire form of the name, letters lower-cased (RFC 4343: names compare case-insensitively). */
  nameWire: Uint8Array;
  type: number;
  class: number;
  end: number;
}

/** The first question, read without following compression pointers (a question has nothing to point back to). */
export function readQuestion(buf: Uint8Array): RawQuestion | null {
  const parts: number[] = [];
  let o = HEADER;
  for (let labels = 0; ; labels++) {
    if (o >= buf.length || labels > MAX_LABELS) return null;
    const len = buf[o]!;
    if (len === 0) {
      parts.push(0);
      o += 1;
      break;
    }
    if ((len & 0xc0) !== 0 || o + 1 + len > buf.length) return null;
    parts.push(len);
    for (let i = o + 1; i <= o + len; i++) parts.push(asciiLower(buf[i]!));
    o += 1 + len;
  }
  if (parts.length > 255 || o + 4 > buf.length) return null;
  return { nameWire: Uint8Array.from(parts), type: (buf[o]! << 8) | buf[o + 1]!, class: (buf[o + 2]! << 8) | buf[o + 3]!, end: o + 4 };
}

/** Null when every section is well formed and nothing follows the last record; otherwise what is wrong. */
export function checkStructure(buf: Uint8Array): string | null {
  const h = readHeader(buf);
  if (!h) return 'shorter than a DNS header';
  let o = HEADER;
  for (let i = 0; i < h.qdcount; i++) {
    const end = skipName(buf, o);
    if (end < 0 || end + 4 > buf.length) return `question ${i + 1} runs past the end`;
    o = end + 4;
  }
  const sections: [string, number][] = [['answer', h.ancount], ['authority', h.nscount], ['additional', h.arcount]];
  let opts = 0;
  for (const [section, count] of sections) {
    for (let i = 0; i < count; i++) {
      const nameEnd = skipName(buf, o);
      if (nameEnd < 0 || nameEnd + 10 > buf.length) return `${section} record ${i + 1} runs past the end`;
      const type = (buf[nameEnd]! << 8) | buf[nameEnd + 1]!;
      const rdlength = (buf[nameEnd + 8]! << 8) | buf[nameEnd + 9]!;
      const rdEnd = nameEnd + 10 + rdlength;
      if (rdEnd > buf.length) return `${section} record ${i + 1} RDATA runs past the end`;
      const bad = rdataProblem(type, rdlength);
      if (bad) return `${section} record ${i + 1}: ${bad}`;
      if (type === TYPE_OPT && (section !== 'additional' || ++opts > 1)) return 'misplaced or repeated OPT record';
      o = rdEnd;
    }
  }
  if (o !== buf.length) return `${buf.length - o} octets after the last record`;
  return null;
}

/** Minimum or exact RDATA sizes of the types the probe reads, so the decoder never sees a short record. */
function rdataProblem(type: number, len: number): string | null {
  switch (type) {
    case TYPE_A:
      return len === 4 ? null : `A RDATA of ${len} octets`;
    case TYPE_AAAA:
      return len === 16 ? null : `AAAA RDATA of ${len} octets`;
    case TYPE_DNSKEY:
      return len >= 5 ? null : `DNSKEY RDATA of ${len} octets`;
    case TYPE_DS:
      return len >= 5 ? null : `DS RDATA of ${len} octets`;
    case TYPE_RRSIG:
      return len >= 20 ? null : `RRSIG RDATA of ${len} octets`;
    case TYPE_SOA:
    case TYPE_NS:
      return len >= 1 ? null : 'empty RDATA';
    default:
      return null;
  }
}

/** Offset after a (possibly compressed) name, or -1. Pointer targets are checked by the decoder. */
function skipName(buf: Uint8Array, start: number): number {
  let o = start;
  for (let labels = 0; labels <= MAX_LABELS; labels++) {
    if (o >= buf.length) return -1;
    const len = buf[o]!;
    if (len === 0) return o + 1;
    if ((len & 0xc0) === 0xc0) return o + 2 <= buf.length ? o + 2 : -1;
    if ((len & 0xc0) !== 0) return -1;
    o += 1 + len;
  }
  return -1;
}

function asciiLower(b: number): number {
  return b >= 0x41 && b <= 0x5a ? b + 32 : b;
}
