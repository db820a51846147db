// Automatic DS confirmation (`key ds-check`): for every key waiting for the parent (DS asked for or
// submitted: waiting for ds-seen; removal asked for: waiting for ds-gone), ask every authoritative
// server of the parent zone for the zone's DS set and decide per key. Contract: reads the database
// and asks DNS; writes only when `apply` carries a fence, and then only ds-seen / ds-gone for keys
// confirmed by every server, through ds-check-record.ts (evidence in the audit log). Network trouble
// is a verdict ('unknown'), never an exception; database trouble and a lost lease do throw.
// `run` may call checkDs with its own session's fence to confirm DS changes as part of the cron job.

import type { Config } from '../config/config.js';
import { dsLine } from '../dnssec/presentation.js';
import { fqdn } from '../dnssec/name.js';
import { query as realQuery, type QueryFn, type QueryOptions } from '../probe/dns-client.js';
import { limiter } from '../probe/limit.js';
import type { Db } from '../store/db.js';
import type { Fence } from '../store/lease.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { askParentServer, type ServerAnswer } from './ds-check-ask.js';
import { parentServersFor, type ServerSource } from './ds-check-parent.js';
import { recordConfirmations, type Confirmation } from './ds-check-record.js';
import { dsText, foreignDs, keyVerdict, type Verdict } from './ds-check-verdict.js';
import { zonesToCheck, type DsWanted, type ZoneToCheck } from './ds-check-waiting.js';

export interface DsCheckDeps {
  db: Db;
  config: Pick<Config, 'dsCheck'>;
  clock: Clock;
  log: Logger;
  /** The DNS client; tests may substitute one. */
  query?: QueryFn;
  /** Port of nameservers found through the resolver (default 53). */
  discoveredPort?: number;
}

export interface DsCheckOptions {
  /** Only these zones (normalised names); default every zone with a key waiting for the parent. */
  zones?: string[];
  /** Record confirmed keys under this fence (the caller holds the lease); without it nothing is written. */
  apply?: { fence: Fence; actor?: string };
}

export interface ServerReport {
  server: string;
  ok: boolean;
  rcode: string | null;
  via: 'udp' | 'tcp' | null;
  answeredFrom: string | null;
  ttl: number | null;
  /** What the server served, as DS presentation lines. */
  ds: string[];
  problem: string | null;
}

export interface KeyReport {
  keyTag: number;
  role: string;
  locator: string;
  dsAtParent: string;
  wants: DsWanted;
  verdict: Verdict;
  reason: string;
  servers: Array<{ server: string; serves: boolean | null }>;
  /** With apply: whether ds-seen / ds-gone was recorded, and if not although confirmed, why. */
  recorded: boolean;
  recordNote: string | null;
}

export interface ZoneReport {
  zone: string;
  parentZone: string | null;
  serverSource: ServerSource | null;
  /** Why no server could be asked, when none could. */
  problem: string | null;
  servers: ServerReport[];
  keys: KeyReport[];
  warnings: string[];
}

export interface DsCheckReport {
  checkedAt: string;
  apply: boolean;
  zones: ZoneReport[];
  counts: { waiting: number; confirmed: number; recorded: number; pending: number; unknown: number };
}

const DEFAULT_CONCURRENCY = 8;

export async function checkDs(deps: DsCheckDeps, opts: DsCheckOptions = {}): Promise<DsCheckReport> {
  const checkedAt = deps.clock.now();
  const zones = await zonesToCheck(deps.db, opts.zones);
  const cfg = deps.config.dsCheck;
  const qopts: QueryOptions = { timeoutMs: cfg?.timeoutMs ?? 2000, retries: cfg?.retries ?? 2 };
  const limit = limiter(cfg?.concurrency ?? DEFAULT_CONCURRENCY);
  const reports = await Promise.all(zones.map((z) => limit(() => checkZone(deps, z, qopts))));
  if (opts.apply) {
    for (let i = 0; i < zones.length; i++) await applyZone(deps, opts.apply, zones[i]!, reports[i]!, checkedAt);
  }
  const keys = reports.flatMap((r) => r.keys);
  const count = (v: Verdict) => keys.filter((k) => k.verdict === v).length;
  const report: DsCheckReport = {
    checkedAt: checkedAt.toISOString(),
    apply: Boolean(opts.apply),
    zones: reports,
    counts: { waiting: keys.length, confirmed: count('confirmed'), recorded: keys.filter((k) => k.recorded).length, pending: count('pending'), unknown: count('unknown') },
  };
  deps.log.info({ ...report.counts, apply: report.apply }, 'ds-check done');
  return report;
}

async function checkZone(deps: DsCheckDeps, z: ZoneToCheck, qopts: QueryOptions): Promise<ZoneReport> {
  const base: ZoneReport = { zone: z.zone, parentZone: null, serverSource: null, problem: null, servers: [], keys: [], warnings: [] };
  if (z.waiting.length === 0) return base;
  const queryFn = deps.query ?? realQuery;
  const found = await parentServersFor(z.zone, deps.config.dsCheck, queryFn, qopts, deps.discoveredPort);
  let answers: ServerAnswer[] = [];
  if (found.ok) {
    base.parentZone = found.parent.parentZone;
    base.serverSource = found.parent.source;
    answers = await Promise.all(found.parent.servers.map((s) => askParentServer(z.zone, s, found.parent.parentZone, queryFn, qopts)));
  } else {
    base.problem = found.reason;
  }
  const owner = fqdn(z.zone);
  base.servers = answers.map((a) => ({
    server: a.server, ok: a.ok, rcode: a.rcode, via: a.via, answeredFrom: a.answeredFrom, ttl: a.ttl,
    ds: a.ds.map((d) => dsLine(owner, d, a.ttl === null ? {} : { ttl: a.ttl })),
    problem: a.problem?.message ?? null,
  }));
  base.keys = z.waiting.map((k) => {
    const v = found.ok ? keyVerdict(z.zone, k, k.wants, answers) : { verdict: 'unknown' as const, reason: found.reason, servers: [] };
    return { keyTag: k.keyTag, role: k.role, locator: k.locator, dsAtParent: k.dsAtParent, wants: k.wants, ...v, recorded: false, recordNote: null };
  });
  for (const a of answers) {
    const foreign = foreignDs(z.zone, a, z.dsKeys);
    if (foreign.length > 0) base.warnings.push(`${a.server} serves DS ${foreign.map((d) => dsText(owner, d)).join(', ')}, pointing at none of the zone's keys`);
  }
  const ttl = Math.max(...answers.map((a) => a.ttl ?? 0));
  if (z.policyDsTtl !== null && ttl > z.policyDsTtl) {
    base.warnings.push(`the parent serves the DS with TTL ${ttl}, longer than the policy's <Parent><DS><TTL> of ${z.policyDsTtl}: rolls wait too little for caches; raise it in kasp.xml`);
  }
  for (const k of base.keys) if (k.verdict !== 'confirmed') deps.log.info({ zone: z.zone, keyTag: k.keyTag, verdict: k.verdict }, `${z.zone} key ${k.keyTag}: ${k.reason}`);
  return base;
}

async function applyZone(deps: DsCheckDeps, apply: NonNullable<DsCheckOptions['apply']>, z: ZoneToCheck, r: ZoneReport, checkedAt: Date): Promise<void> {
  const confirmations: Confirmation[] = [];
  z.waiting.forEach((k, i) => {
    if (r.keys[i]!.verdict !== 'confirmed') return;
    confirmations.push({
      keyId: k.id, keyTag: k.keyTag, wants: k.wants, checkedState: k.dsAtParent,
      evidence: {
        checkedAt: checkedAt.toISOString(), parentZone: r.parentZone, serverSource: r.serverSource, verdict: r.keys[i]!.reason,
        servers: r.servers.map((s) => ({ server: s.server, rcode: s.rcode, via: s.via, answeredFrom: s.answeredFrom, ds: s.ds })),
      },
    });
  });
  if (confirmations.length === 0) return;
  const outcomes = await recordConfirmations(deps.db, apply.fence, z.zone, confirmations, deps.clock.now(), apply.actor ?? 'key ds-check');
  for (const o of outcomes) {
    const i = z.waiting.findIndex((k) => k.id === o.keyId);
    const k = r.keys[i]!;
    if (o.recorded) {
      k.recorded = true;
      deps.log.info({ zone: z.zone, keyTag: k.keyTag, from: o.from, to: o.to }, `${z.zone} key ${k.keyTag}: ${k.wants} recorded (${k.reason})`);
    } else {
      k.recordNote = o.why;
      deps.log.warn({ zone: z.zone, keyTag: k.keyTag }, `${z.zone} key ${k.keyTag}: confirmed but not recorded: ${o.why}`);
    }
  }
}
