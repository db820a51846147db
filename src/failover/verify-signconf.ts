// Drill step 4: is each zone's signconf exactly what the database recorded, as the drill rendered it
// and, where this node wrote it, as the file in the real signconf directory? Contract: reads the record and the real file only.
// A zone differs when the rendered hash is not the recorded one or the next run will do something the
// drill cannot render (new pool keys, a new salt), with the reasons the next run will change it, when the record's path is not where this node would write, or when the real
// file is missing, unstamped or not the recorded document.

import { readFile } from 'node:fs/promises';
import { readStamp } from '../signconf/metadata.js';
import type { SignconfRecord } from '../store/signconf-records.js';
import type { Problem } from './drill-types.js';
import type { RenderedZone } from './render-zones.js';

export async function verifyZone(r: RenderedZone, record: SignconfRecord | null, node: string): Promise<Problem[]> {
  const problem = (reason: string): Problem => ({ zone: r.zone, reason });
  if (!record) return [problem('no signconf recorded for the zone: the active node has not written one yet')];
  const out: Problem[] = [];
  if (r.hash !== record.contentHash || r.unrepeatable.length > 0) {
    const known = [...r.due, ...r.unrepeatable];
    const why = known.length > 0 ? known : ['rendered signconf differs from the recorded one with nothing due (state changed since the last write?)'];
    out.push(...why.map(problem));
  }
  // A file another node wrote lives in that node's directory (or on shared storage): this node's
  // own copy is rewritten by its failover, so only files this node wrote are compared here.
  if (record.writtenBy !== node) return out;
  if (record.path !== r.realPath) out.push(problem(`recorded path ${record.path} is not this node's ${r.realPath}`));
  out.push(...(await fileProblems(r, record)).map(problem));
  return out;
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
