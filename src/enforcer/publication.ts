// Closing the loop with the signer. A zone step puts its new signconf in place and records it as
// pending (zone-step.ts, store/signconf-records.ts); here the signer is told — `signer.notifyCommand`
// per zone (`{zone}` replaced), or `signer.notifyAllCommand` once when more than
// `signer.notifyAllThreshold` zones changed together — and each zone whose file is in place and
// whose notification succeeded is confirmed as published: the record changes it carries are
// stamped with that moment (the database clock), so every cache wait starts from what the signer
// was really asked to publish. A zone whose notification failed stays pending — its records do not
// age — and due, so the next run writes it again and retries; `check signconf` reports it.
// Contract: every write is fenced and audited; a failing command is reported, never thrown.
// Without a notify command the enforcer cannot tell the signer, so a file in place counts as
// published (the signer is expected to re-read it, e.g. from the operator's own cron line).

import type { Config } from '../config/config.js';
import { runHook, type HookResult } from '../lease/hook-runner.js';
import { auditAll, type AuditEntry } from '../store/audit.js';
import type { Db } from '../store/db.js';
import { fenced, type Fence } from '../store/lease.js';
import { confirmPublication, pendingPublications, recordPublicationFailure } from '../store/publication.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';

/** A signconf put in place by a zone step, waiting to be confirmed. */
export interface PublicationTicket {
  zone: string;
  /** The signconf file, for `{signconf}` in the notify command. */
  path: string;
  hash: string;
  /** The run's time when the signconf was decided. */
  decidedAt: Date;
  /** The zone's next run as the step computed it; null: leave the zone due. */
  nextRunAt: Date | null;
}

export interface PublicationDeps {
  db: Db;
  fence: Fence;
  config: Pick<Config, 'signer' | 'node'>;
  clock: Clock;
  log: Logger;
  actor: string;
}

export interface PublicationOutcome {
  published: string[];
  failed: Array<{ zone: string; message: string }>;
  /** How the signer was told: one command per zone, one for all, or not at all (none configured). */
  notified: 'per-zone' | 'all' | 'not configured' | 'nothing to publish';
}

/** Zones notified side by side when each has its own command. */
const NOTIFY_CONCURRENCY = 4;
/** Zones confirmed per fenced transaction. */
const CONFIRM_CHUNK = 200;

type NotifyResult = Pick<HookResult, 'ok' | 'summary'>;

/** Tell the signer about the tickets' zones, then confirm (or record the failure of) each one. */
export async function publishZones(d: PublicationDeps, tickets: readonly PublicationTicket[]): Promise<PublicationOutcome> {
  if (tickets.length === 0) return { published: [], failed: [], notified: 'nothing to publish' };
  const { notified, results } = await notify(d, tickets);
  const out: PublicationOutcome = { published: [], failed: [], notified };
  // By the database clock, unless this run's clock is a test or lab clock moved on purpose.
  const at = d.clock.realTime ? null : d.clock.now();
  for (let i = 0; i < tickets.length; i += CONFIRM_CHUNK) {
    const chunk = tickets.slice(i, i + CONFIRM_CHUNK);
    await fenced(d.db, d.fence, async (tx) => {
      const audits: AuditEntry[] = [];
      for (const t of chunk) {
        const r = results.get(t.zone)!;
        if (r.ok) {
          const stamped = await confirmPublication(tx, { zone: t.zone, contentHash: t.hash, notify: r.summary, at, nextRunAt: t.nextRunAt, decidedAt: t.decidedAt });
          if (stamped !== null) {
            out.published.push(t.zone);
            audits.push({ actor: d.actor, event: 'signconf published', zone: t.zone, detail: { hash: t.hash, notify: r.summary, at: stamped.toISOString() } });
          }
        } else {
          const message = `the signer was not told: ${r.summary}`;
          await recordPublicationFailure(tx, t.zone, message, r.summary);
          out.failed.push({ zone: t.zone, message });
          audits.push({ actor: d.actor, event: 'signconf publication failed', zone: t.zone, detail: { hash: t.hash, notify: r.summary } });
        }
      }
      await auditAll(tx, d.fence, audits);
    });
  }
  return out;
}

/**
 * After a zone step failed: when the zone's last signconf is pending (recorded, but the file was
 * not put in place), count the failure with its reason. Best effort: the step's own error is
 * what the run reports, and a database that fails here fails the next statement too.
 */
export async function countPublicationFailure(db: Db, fence: Fence, zone: string, reason: string, actor: string, log: Logger): Promise<void> {
  await fenced(db, fence, async (tx) => {
    if (await recordPublicationFailure(tx, zone, `the signconf was not put in place: ${reason}`, null)) {
      await auditAll(tx, fence, [{ actor, event: 'signconf publication failed', zone, detail: { reason } }]);
    }
  }).catch((e: unknown) => log.warn({ zone, err: (e as Error).message }, 'could not count the failed publication'));
}

/** Every zone whose last signconf is not confirmed yet (a failover's publish step after GO). */
export async function publishPending(d: PublicationDeps): Promise<PublicationOutcome> {
  const pending = await pendingPublications(d.db);
  return publishZones(d, pending.map((p) => ({ zone: p.zone, path: p.path, hash: p.contentHash, decidedAt: p.writtenAt, nextRunAt: null })));
}

/** A path as one shell word. */
const shellWord = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

async function notify(d: PublicationDeps, tickets: readonly PublicationTicket[]): Promise<{ notified: PublicationOutcome['notified']; results: Map<string, NotifyResult> }> {
  const { notifyCommand, notifyAllCommand, notifyAllThreshold, timeoutSeconds } = d.config.signer;
  const results = new Map<string, NotifyResult>();
  const zones = tickets.map((t) => t.zone);
  const hook = (command: string, env: Record<string, string>) =>
    runHook({ name: 'notify', command, timeoutSeconds, env: { ENFORCER_NODE: d.config.node, ...env }, log: d.log, ...(d.fence.signal ? { signal: d.fence.signal } : {}) });

  if (notifyAllCommand && (!notifyCommand || zones.length > notifyAllThreshold)) {
    const r = await hook(notifyAllCommand, { ENFORCER_ZONES: String(zones.length) });
    for (const z of zones) results.set(z, { ok: r.ok, summary: `${notifyAllCommand}: ${r.summary}` });
    return { notified: 'all', results };
  }
  if (!notifyCommand) {
    for (const z of zones) results.set(z, { ok: true, summary: 'in place (no signer.notifyCommand configured)' });
    return { notified: 'not configured', results };
  }
  let next = 0;
  const worker = async () => {
    while (next < tickets.length) {
      const t = tickets[next++]!;
      // Zone names are validated at import ([A-Za-z0-9._-] labels), so they need no quoting.
      const command = notifyCommand.replaceAll('{zone}', t.zone).replaceAll('{signconf}', shellWord(t.path));
      const r = await hook(command, { ENFORCER_ZONE: t.zone, ENFORCER_SIGNCONF: t.path });
      results.set(t.zone, { ok: r.ok, summary: `${command}: ${r.summary}` });
    }
  };
  await Promise.all(Array.from({ length: Math.min(NOTIFY_CONCURRENCY, tickets.length) }, worker));
  return { notified: 'per-zone', results };
}
