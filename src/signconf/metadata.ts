// The enforcer's stamp inside a signconf file: an XML comment on the second line naming the
// epoch it was written under, the writer node, the time and the SHA-256 of the document without
// that line. OpenDNSSEC's schema ignores comments, so the signer is unaffected; monitoring and
// failover read the stamp back to prove the file is the one the database recorded.

import { createHash } from 'node:crypto';

export interface SignconfStamp {
  epoch: number;
  node: string;
  writtenAt: Date;
  /** SHA-256 (hex) of the document without the stamp line. */
  hash: string;
}

const STAMP = /^<!-- dnssec-enforcer epoch=(\d+) node=([A-Za-z0-9._-]+) written=(\S+) sha256=([0-9a-f]{64}) -->$/;

export function contentHash(document: string): string {
  return createHash('sha256').update(document, 'utf8').digest('hex');
}

/** Insert the stamp after the XML declaration. */
export function stampSignconf(document: string, s: Omit<SignconfStamp, 'hash'>): { text: string; hash: string } {
  const hash = contentHash(document);
  const nl = document.indexOf('\n');
  const line = `<!-- dnssec-enforcer epoch=${s.epoch} node=${s.node} written=${s.writtenAt.toISOString()} sha256=${hash} -->`;
  return { text: document.slice(0, nl + 1) + line + '\n' + document.slice(nl + 1), hash };
}

export interface ReadStamp {
  stamp: SignconfStamp | null;
  /** Hash of the file's document part, recomputed. */
  actualHash: string;
}

/** Read a stamped file back: the stamp (if any) and the hash the document really has. */
export function readStamp(text: string): ReadStamp {
  const lines = text.split('\n');
  const m = lines.length > 1 ? STAMP.exec(lines[1]!) : null;
  if (!m) return { stamp: null, actualHash: contentHash(text) };
  const document = [lines[0], ...lines.slice(2)].join('\n');
  return {
    stamp: { epoch: Number(m[1]), node: m[2]!, writtenAt: new Date(m[3]!), hash: m[4]! },
    actualHash: contentHash(document),
  };
}
