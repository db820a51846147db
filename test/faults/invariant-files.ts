// I2 (signconf files), pure over a FaultSnapshot: every file in every node's signconf directory
// carries an intact stamp whose hash is the document's; the database recorded exactly that
// document under exactly that epoch by exactly that node (an audit 'signconf written' entry);
// the file was put in place (its ctime: a rename sets it) before another epoch began, i.e. no
// node renamed a file after it had lost the lease; and each zone's current record names a file
// that is in place with the recorded hash and epoch.

import { readStamp } from '../../src/signconf/metadata.js';
import type { FaultSnapshot, Violation } from './snapshot.js';

/** File-system and database timestamps come from one host's clock; allow for their granularity. */
export const CLOCK_SLACK_MS = 50;

const ZONE = /<Zone name="([^"]+)"/;

export function checkFiles(s: FaultSnapshot): { violations: Violation[]; figures: { files: number; tempFiles: number } } {
  const v: Violation[] = [];
  const bad = (detail: string) => v.push({ invariant: 'I2', detail });
  const written = new Set(
    s.audit
      .filter((a) => a.event === 'signconf written')
      .map((a) => `${a.zone}|${String(a.detail.hash)}|${a.epoch}|${a.node}`),
  );
  const history = [...s.leaseHistory].sort((a, b) => a.id - b.id);
  const epochEnd = (epoch: number) => history.find((h) => h.epoch > epoch)?.at ?? null;
  const byPath = new Map(s.files.map((f) => [f.path, f]));

  for (const f of s.files) {
    const where = `${f.node}:${f.name}`;
    const { stamp, actualHash } = readStamp(f.text);
    if (!stamp) {
      bad(`${where} has no enforcer stamp`);
      continue;
    }
    if (stamp.hash !== actualHash) bad(`${where}: stamp says sha256 ${stamp.hash.slice(0, 12)}…, the document hashes to ${actualHash.slice(0, 12)}… (torn or changed)`);
    const zone = ZONE.exec(f.text)?.[1] ?? '?';
    if (!written.has(`${zone}|${stamp.hash}|${stamp.epoch}|${stamp.node}`)) {
      bad(`${where}: no 'signconf written' record for ${zone} with this hash under epoch ${stamp.epoch} by ${stamp.node}`);
    }
    if (stamp.node !== f.node) bad(`${where} is stamped by ${stamp.node}, but sits in ${f.node}'s directory`);
    const end = epochEnd(stamp.epoch);
    if (end && f.ctimeMs > end.getTime() + CLOCK_SLACK_MS) {
      bad(`${where} (epoch ${stamp.epoch}) was put in place at ${new Date(f.ctimeMs).toISOString()}, after epoch ${stamp.epoch} ended at ${end.toISOString()}: a write after the lease was lost`);
    }
  }
  for (const r of s.signconfRecords) {
    const f = byPath.get(r.path);
    if (!f) {
      bad(`zone ${r.zone}: the recorded file ${r.path} is missing`);
      continue;
    }
    const { stamp } = readStamp(f.text);
    if (stamp?.epoch !== r.writtenEpoch || stamp.hash !== r.contentHash || stamp.node !== r.writtenBy) {
      bad(`zone ${r.zone}: ${r.path} holds epoch ${stamp?.epoch} by ${stamp?.node}, the database recorded epoch ${r.writtenEpoch} by ${r.writtenBy}`);
    }
  }
  return { violations: v, figures: { files: s.files.length, tempFiles: s.tempFiles.length } };
}
