// Drill step 4: is each zone's signconf exactly what the database recorded, as the drill rendered it
// and, where this node wrote it, as the file in the real signconf directory? Contract: reads the record
// and the real file only.
// The record must be the document the zone's stored state renders to (as the active node wrote it).
// When the next run will change the document (a transition due, new pool keys, a new salt) that
// comparison is made against the state as stored, and the coming change is a note, not a problem: the
// active node's next run makes it, and so would a failover's run, which enforces every zone. A problem
// is a record that is not what the stored state renders to (with nothing due, the rendered document
// itself), a record path that is not where this node would write, or a real file that is missing,
// unstamped or not the recorded document.

import { readFile } from 'node:fs/promises';
import { readStamp } from '../signconf/metadata.js';
import type { SignconfRecord } from '../store/signconf-records.js';
import type { Problem } from './drill-types.js';
import type { RenderedZone } from './render-zones.js';

export interface ZoneVerification {
  problems: Problem[];
  /** Changes the next run will make to the zone's signconf: information only. */
  notes: Problem[];
}

export async function verifyZone(r: RenderedZone, record: SignconfRecord | null, node: string): Promise<ZoneVerification> {
  const problem = (reason: string): Problem => ({ zone: r.zone, reason });
  if (!record) return { problems: [problem('no signconf recorded for the zone: the active node has not written one yet')], notes: [] };
  const problems: Problem[] = [];
  const notes: Problem[] = [];
  const coming = [...r.due, ...r.unrepeatable];
  const changes = r.hash !== record.contentHash || r.unrepeatable.length > 0;
  if (changes && coming.length === 0) {
    problems.push(problem('rendered signconf differs from the recorded one with nothing due (state changed since the last write?)'));
  } else if (changes) {
    notes.push(...coming.map(problem));
    if (r.storedHash !== record.contentHash) {
      problems.push(problem("the recorded signconf is not what the zone's stored state renders to (state changed since the last write, or this node renders differently?)"));
    }
  }
  // A file another node wrote lives in that node's directory (or on shared storage): this node's
  // own copy is rewritten by its failover, so only files this node wrote are compared here.
  if (record.writtenBy !== node) return { problems, notes };
  if (record.path !== r.realPath) problems.push(problem(`recorded path ${record.path} is not this node's ${r.realPath}`));
  problems.push(...(await fileProblems(r, record)).map(problem));
  return { problems, notes };
}

async function fileProblems(r: RenderedZone, record: SignconfRecord): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(r.realPath, 'utf8');
  } catch (e) {
    return [`file missing: ${r.realPath} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`];
  }
  const { stamp, actualHash } = readStamp(text);
  if (!stamp) return [`file changed: ${r.realPath} carries no enforcer stamp`];
  const out: string[] = [];
  if (stamp.hash !== record.contentHash) out.push(`file changed: ${r.realPath} is stamped ${stamp.hash.slice(0, 12)}, the database recorded ${record.contentHash.slice(0, 12)}`);
  if (actualHash !== stamp.hash) out.push(`file changed: ${r.realPath} was edited after it was written (content does not match its stamp)`);
  return out;
}
