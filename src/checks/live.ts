// `check live`: the DNSKEY set each zone's authoritative servers serve (the servers of the
// configuration's probe section, as `failover --drill` asks them) against the set the database
// expects, with the RRSIGs over it verified; -w/-c on the time left before the soonest-expiring valid
// RRSIG over a DNSKEY set. A key the database published within the zone's propagation delay
// (kasp.xml Zone/PropagationDelay) is not yet required on the servers: the signer and the transfers
// to the secondaries are allowed that long.
// Contract: one database snapshot, closed before any query goes out; DNS through the probe only.

import type { Policy } from '../policy/policy.js';
import { serversFor } from '../failover/live-keys.js';
import type { ExpectedKey, ZoneComparison } from '../probe/compare.js';
import { expectedZone } from '../probe/expected-set.js';
import { probeZones } from '../probe/probe-zones.js';
import { formatServer } from '../probe/servers.js';
import { allZoneKeys, type ZoneKeyRow } from '../store/keys.js';
import { listPolicies } from '../store/policies.js';
import { listZones } from '../store/zones.js';
import { EnforcerError, EXIT } from '../util/exit-codes.js';
import type { CheckContext, CheckSpec } from './check.js';
import { readSnapshot } from './snapshot.js';
import { rangeText, statusFor } from './thresholds.js';
import { count, humanSeconds, resultOf, type CheckResult, type Finding, type PerfDatum } from './types.js';
import { groupBy, selectZones } from './zones.js';

export const liveCheck: CheckSpec = {
  name: 'live',
  description: 'live DNSKEY sets from the probe servers match what the database expects; RRSIGs over them valid and not about to expire',
  thresholds: { what: 'seconds left before the soonest-expiring valid RRSIG over a DNSKEY set expires', direction: 'below', warning: '2d', critical: '1d' },
  run: checkLive,
};

const LIVE_STATES = ['match', 'mismatch', 'unreachable', 'no_servers'] as const;
type LiveState = (typeof LIVE_STATES)[number];

interface ZoneOutcome {
  zone: string;
  state: LiveState;
  reasons: string[];
  /** Soonest expiry of a valid RRSIG over DNSKEY, with where; null when none was served. */
  expiry: { secondsLeft: number; server: string; at: Date } | null;
  /** Keys not yet required (published within the propagation delay). */
  settling: number[];
}

async function checkLive(ctx: CheckContext): Promise<CheckResult> {
  const probe = ctx.config.probe;
  if (!probe) throw new EnforcerError(`no probe servers configured: add a probe section to ${ctx.config.file}`, EXIT.BAD_INPUT);
  const read = await readSnapshot(ctx.db, async (tx) => ({
    zones: selectZones(await listZones(tx), ctx.zones),
    policies: new Map((await listPolicies(tx)).map((p) => [p.name, p])),
    keys: await allZoneKeys(tx),
  }));
  const now = ctx.now();
  const byZone = groupBy(read.keys, (k) => k.zone);
  const targets = read.zones.map((z) => {
    const settling: number[] = [];
    const keys = (byZone.get(z.name) ?? []).flatMap((k) => expectedZone(z.name, [k]).keys.map((e) => settle(e, k, read.policies.get(z.policy), now, settling)));
    return { target: { expected: { zone: z.name, keys }, servers: serversFor(z.name, probe) }, settling };
  });
  const results = await probeZones(targets.map((t) => t.target), {
    now: ctx.now,
    ...(ctx.query ? { query: ctx.query } : {}),
    ...(probe.concurrency !== null ? { concurrency: probe.concurrency } : {}),
    queryOptions: { ...(probe.timeoutMs !== null ? { timeoutMs: probe.timeoutMs } : {}), ...(probe.retries !== null ? { retries: probe.retries } : {}) },
  });
  const outcomes = results.map((r, i) => outcome(read.zones[i]!.name, r, targets[i]!.settling));
  return summarise(outcomes, ctx);
}

/** A record made visible within the zone's propagation delay may not be on every server yet. */
function settle(e: ExpectedKey, k: ZoneKeyRow, policy: Policy | undefined, now: Date, settling: number[]): ExpectedKey {
  if (!policy) return e;
  const fresh = (record: 'dnskey' | 'rrsigdnskey') =>
    k.states[record] === 'rumoured' && now.getTime() - (k.changedAt[record] ?? k.introducedAt).getTime() < policy.zone.propagationDelay * 1000;
  const out = { ...e };
  if (out.presence === 'required' && fresh('dnskey')) out.presence = 'optional';
  if (out.signsKeyset === 'required' && fresh('rrsigdnskey')) out.signsKeyset = 'optional';
  if (out.presence !== e.presence || out.signsKeyset !== e.signsKeyset) settling.push(k.keyTag);
  return out;
}

function outcome(zone: string, r: ZoneComparison, settling: number[]): ZoneOutcome {
  let expiry: ZoneOutcome['expiry'] = null;
  for (const s of r.servers) {
    // Per signer the latest valid signature counts (a fresh one replaces the old); the zone's soonest is the minimum.
    const latest = new Map<string, { secondsLeft: number; at: Date }>();
    for (const c of s.rrsigs) {
      if (c.status !== 'valid' || c.signerRdata === null) continue;
      const seen = latest.get(c.signerRdata);
      if (!seen || c.window.secondsLeft > seen.secondsLeft) latest.set(c.signerRdata, { secondsLeft: c.window.secondsLeft, at: c.window.expiration });
    }
    for (const l of latest.values()) {
      if (!expiry || l.secondsLeft < expiry.secondsLeft) expiry = { ...l, server: formatServer(s.server) };
    }
  }
  const base = { zone, reasons: r.reasons, expiry, settling: [...new Set(settling)] };
  if (r.servers.length === 0) return { ...base, state: 'no_servers', reasons: [`no probe servers for ${zone}: add probe.servers or probe.zones.${zone}.servers`] };
  if (r.servers.some((s) => s.verdict === 'MISMATCH' && !s.unreachable)) return { ...base, state: 'mismatch', reasons: r.servers.filter((s) => !s.unreachable).flatMap((s) => s.reasons.map((x) => `${formatServer(s.server)}: ${x}`)) };
  if (r.servers.some((s) => s.unreachable)) return { ...base, state: 'unreachable' };
  return { ...base, state: 'match' };
}

function summarise(outcomes: ZoneOutcome[], ctx: CheckContext): CheckResult {
  const t = ctx.thresholds!;
  const findings: Finding[] = [];
  let soonest: ZoneOutcome['expiry'] = null;
  let expiring = 0;
  for (const o of outcomes) {
    if (o.state === 'mismatch') findings.push({ status: 'CRITICAL', zone: o.zone, message: `served DNSKEY set differs from the database's: ${o.reasons.join('; ')}` });
    if (o.state === 'unreachable') findings.push({ status: 'WARNING', zone: o.zone, message: `not every server could be asked: ${o.reasons.join('; ')}` });
    if (o.state === 'no_servers') findings.push({ status: 'UNKNOWN', zone: o.zone, message: o.reasons.join('; ') });
    if (o.expiry) {
      if (!soonest || o.expiry.secondsLeft < soonest.secondsLeft) soonest = o.expiry;
      const status = statusFor(o.expiry.secondsLeft, t);
      if (status !== 'OK') {
        expiring++;
        findings.push({ status, zone: o.zone, message: `RRSIG over DNSKEY on ${o.expiry.server} expires in ${humanSeconds(o.expiry.secondsLeft)} (${o.expiry.at.toISOString()}): is the signer re-signing the zone?` });
      }
    }
  }
  const inState = (s: LiveState) => outcomes.filter((o) => o.state === s).length;
  const perfdata: PerfDatum[] = [
    { label: 'live_zones', value: outcomes.length, uom: '', min: 0, metric: { name: 'live_zones_checked', help: 'Zones whose live DNSKEY set the check asked for.' } },
    ...LIVE_STATES.map((s): PerfDatum => ({
      label: `live_${s}`, value: inState(s), uom: '', min: 0, max: outcomes.length,
      metric: { name: 'live_zones', help: 'Zones per live DNSKEY verdict (match, mismatch, unreachable, no_servers).', labels: { state: s } },
    })),
    { label: 'live_rrsig_expiring', value: expiring, uom: '', min: 0, max: outcomes.length, metric: { name: 'live_rrsig_expiring_zones', help: 'Zones whose soonest RRSIG over DNSKEY expires within the warning threshold.' } },
    {
      label: 'live_rrsig_min_left', value: soonest ? Math.round(soonest.secondsLeft) : null, uom: 's', warn: rangeText(t.warning), crit: rangeText(t.critical),
      metric: { name: 'live_dnskey_rrsig_min_seconds_left', help: 'Seconds left before the soonest-expiring valid RRSIG over a DNSKEY set expires, over all zones and servers.' },
    },
  ];
  const settling = outcomes.filter((o) => o.settling.length > 0);
  const note = settling.length > 0 ? `; ${settling.length} zone${settling.length === 1 ? '' : 's'} with keys within the propagation delay` : '';
  const soon = soonest ? `; soonest RRSIG over DNSKEY expires in ${humanSeconds(soonest.secondsLeft)}` : '';
  const rank: Record<LiveState, number> = { mismatch: 0, no_servers: 1, unreachable: 2, match: 3 };
  const bad = outcomes.filter((o) => o.state !== 'match').sort((a, b) => rank[a.state] - rank[b.state] || a.zone.localeCompare(b.zone));
  const head = bad.length === 0
    ? `${count(outcomes.length, 'zone')}, every live DNSKEY set as expected`
    : `${bad.length} of ${count(outcomes.length, 'zone')} not as expected: ${bad.slice(0, 3).map((o) => `${o.zone} ${o.state.replace('_', ' ')}`).join(', ')}${bad.length > 3 ? `, ${bad.length - 3} more` : ''}`;
  return resultOf('live', head + soon + note, findings, perfdata);
}

