// The configured DS submit/retract commands (OpenDNSSEC's DelegationSignerSubmitCommand and
// ...RetractCommand), driven from stored state: every run, after its zone steps and under the same
// lease, looks up the DS requests whose command has not succeeded yet (src/store/ds-requests.ts) and
// runs the configured command for each, the key's DNSKEY and DS records on standard input.
//
// Contract, per pending request:
//   1. Claim: a fenced transaction finds the request still pending and records the attempt. A
//      request answered (ds-submit, ds-seen, ds-gone), superseded (a retract of a DS still being
//      submitted) or withdrawn (key purged, zone deleted) is not found: nothing runs for it.
//   2. Immediately before the command is spawned, the lease must surely still be this process's
//      (assertLeaseTime: the guard has not given up, the monotonic lease deadline has not passed),
//      so a process frozen after its claim and woken after a takeover starts nothing.
//   3. The outcome is recorded on the key and in the audit log in one fenced transaction, on the
//      request it was run for only. A success marks the request done: its command never runs again.
//      A submit's success also moves the DS state from 'submit' to 'submitted' (the core's
//      markSubmitted) in that transaction; a retract's success leaves 'retract' as it is. Neither
//      stands in for ds-seen / ds-gone: running a command proves nothing about the parent, so the
//      roll still waits for the operator or `key ds-check`.
// A failure keeps the request pending and the next run tries again (no back-off: every run). A crash
// or a lost lease after 2 and before 3 leaves the attempt without an outcome, and the next run on the
// active node starts the command again: at least once; exactly once unless interrupted.

import type { Config } from '../config/config.js';
import { dnskeyFor, encodeDnskeyRdata } from '../dnssec/dnskey.js';
import { makeDs } from '../dnssec/ds.js';
import { dnskeyLine, dsLine } from '../dnssec/presentation.js';
import { runHook } from '../lease/hook-runner.js';
import type { Policy } from '../policy/policy.js';
import { audit } from '../store/audit.js';
import type { Db } from '../store/db.js';
import { claimDsRequest, pendingDsRequests, recordDsCommandOutcome, type DsCommandAction, type PendingDsRequest } from '../store/ds-requests.js';
import { assertLeaseTime, fenced, type Fence } from '../store/lease.js';
import { getPolicy } from '../store/policies.js';
import type { Clock } from '../util/clock.js';
import { failpoint } from '../util/failpoint.js';
import type { Logger } from '../util/logger.js';
import { applyDsAnswer } from './operator-input.js';

export interface DsCommandDeps {
  db: Db;
  fence: Fence;
  config: Pick<Config, 'ds'>;
  clock: Clock;
  log: Logger;
}

/** One command run for a pending DS request. */
export interface DsCommandRun {
  zone: string;
  type: DsCommandAction;
  keyTag: number;
  /** The key's request number, and which attempt at it this was (1 the first). */
  request: number;
  attempt: number;
  ok: boolean;
  /** "ok", or why it failed. */
  summary: string;
  /** When an earlier attempt at the same request started and never recorded an outcome. */
  interruptedAt: string | null;
}

/** What the command reads on stdin: the DNSKEY, then its DS (SHA-256), in presentation format. */
export function dsCommandInput(req: Pick<PendingDsRequest, 'zone' | 'flags' | 'algorithm' | 'publicKey'>, policy: Policy): string {
  const dnskey = dnskeyFor(req.flags, req.algorithm, req.publicKey);
  return [
    dnskeyLine(req.zone, dnskey, { ttl: policy.keys.ttl }),
    dsLine(req.zone, makeDs(req.zone, encodeDnskeyRdata(dnskey), 2), { ttl: policy.parent.dsTtl }),
  ].join('\n') + '\n';
}

/**
 * Run the configured command of every pending DS request (of `zones` only, when given), one after
 * the other. Errors that end the run (a lost lease) are thrown; a failing command is a result.
 */
export async function runPendingDsCommands(d: DsCommandDeps, opts: { zones?: readonly string[] | null; actor?: string } = {}): Promise<DsCommandRun[]> {
  const { submitCommand, retractCommand } = d.config.ds;
  if (!submitCommand && !retractCommand) return [];
  const policies = new Map<string, Policy | null>();
  const out: DsCommandRun[] = [];
  for (const req of await pendingDsRequests(d.db, opts.zones ?? null)) {
    const command = req.action === 'ds-submit' ? submitCommand : retractCommand;
    if (!command) continue;
    if (!policies.has(req.policy)) policies.set(req.policy, await getPolicy(d.db, req.policy));
    const policy = policies.get(req.policy);
    if (!policy) throw new Error(`zone ${req.zone}: policy ${req.policy} is not in the database`);
    const ran = await runOne(d, req, command, dsCommandInput(req, policy), opts.actor ?? 'run');
    if (ran) out.push(ran);
  }
  return out;
}

async function runOne(d: DsCommandDeps, req: PendingDsRequest, command: string, input: string, actor: string): Promise<DsCommandRun | null> {
  const what = { zone: req.zone, keyTag: req.keyTag, action: req.action, request: req.request };
  const claim = await fenced(d.db, d.fence, (tx) => claimDsRequest(tx, req.keyId, req.action, req.request, d.clock.now()));
  if (!claim) {
    d.log.info(what, `${req.action} command not run: the request is no longer pending`);
    return null;
  }
  if (claim.interruptedAt) d.log.warn({ ...what, interruptedAt: claim.interruptedAt }, `${req.action} command: the previous attempt never recorded an outcome; running it again`);
  await failpoint('before-ds-command');
  const result = await runHook({
    name: req.action === 'ds-submit' ? 'dsSubmit' : 'dsRetract',
    command,
    input,
    timeoutSeconds: d.config.ds.timeoutSeconds,
    env: { ENFORCER_ZONE: req.zone, ENFORCER_KEYTAG: String(req.keyTag), ENFORCER_DS_ACTION: req.action },
    log: d.log,
    // The claim above was fenced, but a freeze since would not show there: check once more, last.
    beforeSpawn: () => assertLeaseTime(d.fence),
    ...(d.fence.signal ? { signal: d.fence.signal } : {}),
  });
  const at = d.clock.now();
  const ran: DsCommandRun = {
    zone: req.zone, type: req.action, keyTag: req.keyTag, request: req.request, attempt: claim.attempt,
    ok: result.ok, summary: result.summary, interruptedAt: claim.interruptedAt?.toISOString() ?? null,
  };
  try {
    await fenced(d.db, d.fence, async (tx) => {
      const current = await recordDsCommandOutcome(tx, req.keyId, req.action, req.request, { ok: result.ok, status: `${req.action} command: ${result.summary}`, at });
      await audit(tx, d.fence, {
        actor, event: `${req.action} command`, zone: req.zone, keyLocator: req.locator,
        detail: {
          keyTag: req.keyTag, request: req.request, attempt: claim.attempt, ...result,
          ...(claim.interruptedAt ? { previousAttemptInterruptedAt: claim.interruptedAt.toISOString() } : {}),
          ...(current ? {} : { notRecorded: 'the request was answered or withdrawn while its command ran' }),
        },
      });
      if (current && result.ok && req.action === 'ds-submit') {
        await applyDsAnswer(tx, d.fence, req.zone, 'ds-submit', { locator: req.locator }, at, 'ds-submit command');
      }
    });
  } catch (e) {
    d.log.error(
      { ...what, ok: result.ok, err: (e as Error).message },
      `the ${req.action} command ${result.ok ? 'succeeded' : 'failed'}, but its outcome could not be recorded; the next run on the active node runs it again`,
    );
    throw e;
  }
  return ran;
}
