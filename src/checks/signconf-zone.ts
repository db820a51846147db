// One zone's signconf, judged against the database: the file at the recorded path, its stamp
// (readStamp) against the signconf record, the document against its stamp, and the record against
// what the database's current state renders to. Each zone gets exactly one state, the first that
// applies in the order of SIGNCONF_STATES; the message says what is wrong and where.
// Contract: reads the one file only.

import { readFile } from 'node:fs/promises';
import { readStamp } from '../signconf/metadata.js';
import type { SignconfRecord } from '../store/signconf-records.js';
import type { Status } from './types.js';

export const SIGNCONF_STATES = ['unwritten', 'missing', 'unstamped', 'edited', 'hash_mismatch', 'wrong_epoch', 'unpublished', 'stale', 'ok'] as const;
export type SignconfState = (typeof SIGNCONF_STATES)[number];

/**
 * A file that is not what the database recorded means the signer works from something the enforcer
 * did not decide: CRITICAL. A record behind the database (stale) or not yet written is fixed by the
 * active node's next run: WARNING (a run that does not come shows in the last run's age).
 */
export const STATE_STATUS: Record<SignconfState, Status> = {
  unwritten: 'WARNING',
  missing: 'CRITICAL',
  unstamped: 'CRITICAL',
  edited: 'CRITICAL',
  hash_mismatch: 'CRITICAL',
  wrong_epoch: 'CRITICAL',
  unpublished: 'WARNING', // CRITICAL once it has waited signer.pendingCritical (ZoneVerdict.status)
  stale: 'WARNING',
  ok: 'OK',
};

export interface ZoneInput {
  zone: string;
  record: SignconfRecord | null;
  /** What the database's current state renders to: the document hash, or why it cannot be rendered. */
  expected: { hash: string } | { error: string };
  /** When the zone is next due for a run (null: now). */
  nextRunAt: Date | null;
}

export interface ZoneVerdict {
  zone: string;
  state: SignconfState;
  /** The state's status (STATE_STATUS), raised where the state has a severity of its own. */
  status: Status;
  message: string;
}

export interface JudgeOptions {
  databaseOnly: boolean;
  now: Date;
  /** signer.pendingWarning / pendingCritical: how long a publication may wait. */
  pendingWarningSeconds: number;
  pendingCriticalSeconds: number;
}

const short = (hash: string) => hash.slice(0, 12);

export async function judgeSignconf(z: ZoneInput, opts: JudgeOptions): Promise<ZoneVerdict> {
  const verdict = (state: SignconfState, message: string, status: Status = STATE_STATUS[state]): ZoneVerdict => ({ zone: z.zone, state, status, message });
  const r = z.record;
  if (!r) return verdict('unwritten', "no signconf written yet: the active node's next run writes it");
  if (!opts.databaseOnly) {
    const file = await fileVerdict(r);
    if (file) return verdict(file.state, file.message);
  }
  const pending = pendingVerdict(r, opts);
  if (pending) return verdict('unpublished', pending.message, pending.status);
  if ('error' in z.expected) return verdict('stale', `the database's state for the zone cannot be rendered: ${z.expected.error}`);
  if (z.expected.hash !== r.contentHash) {
    const due = z.nextRunAt === null ? 'the zone is due now' : `the zone is due at ${z.nextRunAt.toISOString()}`;
    return verdict(
      'stale',
      `written ${r.writtenAt.toISOString()} by ${r.writtenBy}, but the database changed since (policy, keys or NSEC3 salt); ` +
        `the active node's next run rewrites it (${due})`,
    );
  }
  return verdict('ok', `as recorded: ${r.path}, epoch ${r.writtenEpoch}, written ${r.writtenAt.toISOString()} by ${r.writtenBy}`);
}

/**
 * A signconf recorded but not confirmed as published (not put in place, or the signer not told:
 * src/enforcer/publication.ts): the zone's records do not move on until it is. Within
 * pendingWarning and without a failure this is a run at work: not reported.
 */
function pendingVerdict(r: SignconfRecord, o: JudgeOptions): { status: Status; message: string } | null {
  if (r.publishedAt !== null && r.publishedAt !== undefined) return null;
  const since = r.pendingSince ?? r.writtenAt;
  const waited = Math.max(0, Math.floor((o.now.getTime() - since.getTime()) / 1000));
  const failures = r.publishFailures ?? 0;
  if (waited < o.pendingWarningSeconds && failures === 0) return null;
  const status: Status = waited >= o.pendingCriticalSeconds ? 'CRITICAL' : 'WARNING';
  const why = r.publishError
    ? `${failures} failed ${failures === 1 ? 'attempt' : 'attempts'}, last: ${r.publishError}`
    : 'no run has put it in place and told the signer yet';
  return {
    status,
    message:
      `${r.path} not published for ${words(waited)} (since ${since.toISOString()}): ${why}; ` +
      `the zone's key changes wait for it (no record moves on); the active node's next run retries`,
  };
}

function words(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)} min`;
  if (seconds < 172800) return `${Math.floor(seconds / 3600)} h`;
  return `${Math.floor(seconds / 86400)} d`;
}

async function fileVerdict(r: SignconfRecord): Promise<{ state: SignconfState; message: string } | null> {
  let text: string;
  try {
    text = await readFile(r.path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    return { state: 'missing', message: `${r.path} cannot be read (${code}); the database recorded it written ${r.writtenAt.toISOString()} by ${r.writtenBy}` };
  }
  const { stamp, actualHash } = readStamp(text);
  if (!stamp) return { state: 'unstamped', message: `${r.path} carries no enforcer stamp: it was replaced by something other than the enforcer` };
  if (actualHash !== stamp.hash) {
    return { state: 'edited', message: `${r.path} was edited after it was written (its content does not match its stamp ${short(stamp.hash)})` };
  }
  if (stamp.hash !== r.contentHash) {
    return {
      state: 'hash_mismatch',
      message:
        `${r.path} holds ${short(stamp.hash)} (written ${stamp.writtenAt.toISOString()} by ${stamp.node}, epoch ${stamp.epoch}), ` +
        `the database recorded ${short(r.contentHash)} (written ${r.writtenAt.toISOString()} by ${r.writtenBy}, epoch ${r.writtenEpoch})`,
    };
  }
  if (stamp.epoch !== r.writtenEpoch) {
    return {
      state: 'wrong_epoch',
      message: `${r.path} is stamped epoch ${stamp.epoch} by ${stamp.node}, the database recorded epoch ${r.writtenEpoch} by ${r.writtenBy}: written by a node that no longer held the lease?`,
    };
  }
  return null;
}
