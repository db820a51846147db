// Failover step 4: after the takeover's run, every zone has a signconf file that this run wrote.
// For each zone: the database recorded a signconf under the new epoch; the file at the recorded
// path exists, was modified at or after the takeover, carries the enforcer stamp of the new epoch,
// and its content is the recorded document (the stamp's hash and the real hash both equal the
// record's). Contract: reads the records and the files; writes nothing.
//
// The modification time is compared on the local clock (the file system's), with one second of
// slack for coarse timestamps; the stamp's epoch is the stronger proof, since no file of an
// earlier epoch can carry it.

import { readFile, stat } from 'node:fs/promises';
import { readStamp } from '../signconf/metadata.js';
import type { SignconfRecord } from '../store/signconf-records.js';
import type { Problem } from './drill-types.js';

const MTIME_SLACK_MS = 1000;

export async function verifyWritten(zones: readonly string[], records: readonly SignconfRecord[], epoch: number, sinceMs: number): Promise<Problem[]> {
  const byZone = new Map(records.map((r) => [r.zone, r]));
  const out: Problem[] = [];
  for (const zone of zones) {
    const record = byZone.get(zone);
    const problems = record ? await fileProblems(record, epoch, sinceMs) : ['no signconf recorded for the zone'];
    out.push(...problems.map((reason) => ({ zone, reason })));
  }
  return out;
}

async function fileProblems(record: SignconfRecord, epoch: number, sinceMs: number): Promise<string[]> {
  const out: string[] = [];
  if (record.writtenEpoch !== epoch) out.push(`the database recorded the signconf under epoch ${record.writtenEpoch}, not the new epoch ${epoch}`);
  let text: string;
  let mtimeMs: number;
  try {
    [text, mtimeMs] = await Promise.all([readFile(record.path, 'utf8'), stat(record.path).then((s) => s.mtimeMs)]);
  } catch (e) {
    return [...out, `file missing: ${record.path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`];
  }
  if (mtimeMs < sinceMs - MTIME_SLACK_MS) {
    out.push(`file not rewritten: ${record.path} was last modified ${new Date(mtimeMs).toISOString()}, before the takeover at ${new Date(sinceMs).toISOString()}`);
  }
  const { stamp, actualHash } = readStamp(text);
  if (!stamp) return [...out, `file ${record.path} carries no enforcer stamp`];
  if (stamp.epoch !== epoch) out.push(`file ${record.path} is stamped with epoch ${stamp.epoch}, not the new epoch ${epoch}`);
  if (stamp.hash !== record.contentHash) out.push(`file ${record.path} is stamped ${stamp.hash.slice(0, 12)}, the database recorded ${record.contentHash.slice(0, 12)}`);
  if (actualHash !== stamp.hash) out.push(`file ${record.path} was edited after it was written (content does not match its stamp)`);
  return out;
}
