// `check rollover`: rolls that need a person. Keys waiting for the operator's ds-seen / ds-gone
// (-w/-c on how long the longest has waited), keys past their lifetime with no successor, DS submit /
// retract commands still failing (every run retries them: WARNING at once, CRITICAL once one has been
// failing for longer than the critical threshold; an attempt that never finished counts as failing),
// and policies the core cannot follow. What each key waits for comes from the rollover core (zoneRollovers, as `rollover list`).
// Contract: one database snapshot; the core runs on a copy, nothing is saved.

import type { Policy } from '../policy/policy.js';
import { zoneRollovers, type ZoneRollovers } from '../enforcer/rollover-view.js';
import { matchesSlot } from '../rollover/policy-view.js';
import { allZoneKeys, type ZoneKeyRow } from '../store/keys.js';
import { listPolicies } from '../store/policies.js';
import { listZones } from '../store/zones.js';
import type { CheckContext, CheckSpec } from './check.js';
import { dsCommandStates, type DsCommandState } from '../store/ds-requests.js';
import { readSnapshot } from './snapshot.js';
import { alerts, rangeText, statusFor, type Thresholds } from './thresholds.js';
import { count, humanSeconds, resultOf, type CheckResult, type Finding, type PerfDatum } from './types.js';
import { groupBy, selectZones } from './zones.js';

/** A roll the core starts by itself is due at the first run after the lifetime; allow a day of missed runs. */
export const LIFETIME_GRACE_SECONDS = 86400;

export const rolloverCheck: CheckSpec = {
  name: 'rollover',
  description: 'rolls waiting for ds-seen / ds-gone, keys past their lifetime without a successor, failing DS submit/retract commands, policy problems',
  thresholds: { what: 'seconds the longest operator wait (ds-seen, ds-gone), or failing DS command (critical only), has lasted', direction: 'above', warning: '2d', critical: '7d' },
  run: checkRollover,
};

interface OperatorWait {
  zone: string;
  label: string;
  keyTag: number | null;
  kind: 'ds-seen' | 'ds-gone';
  since: Date | null;
}

async function checkRollover(ctx: CheckContext): Promise<CheckResult> {
  const now = ctx.now();
  const findings: Finding[] = [];
  const read = await readSnapshot(ctx.db, async (tx) => {
    const zones = selectZones(await listZones(tx), ctx.zones);
    const policies = new Map((await listPolicies(tx)).map((p) => [p.name, p]));
    const views: Array<{ view: ZoneRollovers; policy: Policy }> = [];
    for (const z of zones) {
      const policy = policies.get(z.policy);
      if (!policy) {
        findings.push({ status: 'UNKNOWN', zone: z.name, message: `policy ${z.policy} is not in the database` });
        continue;
      }
      views.push({ view: await zoneRollovers(tx, z.name, policy, now.getTime()), policy });
    }
    return { zones, views, keys: await allZoneKeys(tx), ds: await dsCommandStates(tx) };
  });
  const selected = new Set(read.zones.map((z) => z.name));

  const waits = read.views.flatMap(({ view }) => operatorWaits(view));
  let longest: number | null = null;
  for (const w of waits) {
    const age = w.since === null ? 0 : Math.max(0, (now.getTime() - w.since.getTime()) / 1000);
    longest = Math.max(longest ?? 0, age);
    const status = statusFor(age, ctx.thresholds!);
    if (status === 'OK') continue;
    const what = w.kind === 'ds-seen' ? 'its DS at the parent' : 'the removal of its DS from the parent';
    const answer = w.keyTag === null ? `enforcer key ${w.kind} --zone ${w.zone}` : `enforcer key ${w.kind} --zone ${w.zone} --keytag ${w.keyTag}`;
    findings.push({
      status, zone: w.zone,
      message: `${w.label} has waited ${humanSeconds(age)} for ${w.kind}${w.since ? ` (since ${w.since.toISOString()})` : ''}: check ${what}, then: ${answer}`,
    });
  }
  const overdue = read.views.flatMap(({ view, policy }) => lifetimeFindings(view.zone, policy, read.keys, now));
  const failing = read.ds.flatMap((d) => {
    const f = selected.has(d.zone) ? commandFailure(d, now, ctx.config.ds.timeoutSeconds) : null;
    return f ? [f] : [];
  });
  const failingMax = Math.max(0, ...failing.map((f) => f.seconds));
  const failedDs = failing.map((f) => dsFinding(f, ctx.thresholds!));
  const policyProblems = read.views.flatMap(({ view }) =>
    view.zoneWaits.filter((w) => w.kind === 'config').map((w): Finding => ({ status: 'WARNING', zone: view.zone, message: `policy problem: ${w.message}` })),
  );
  findings.push(...overdue, ...failedDs, ...policyProblems);

  const t = ctx.thresholds!;
  const perfdata: PerfDatum[] = [
    { label: 'rollover_operator_waits', value: waits.length, uom: '', min: 0, metric: { name: 'rollover_operator_waits', help: 'Keys whose roll waits for the operator (ds-seen or ds-gone).' } },
    {
      label: 'rollover_wait_max', value: longest === null ? 0 : Math.round(longest), uom: 's', warn: rangeText(t.warning), crit: rangeText(t.critical), min: 0,
      metric: { name: 'rollover_operator_wait_max_seconds', help: 'Seconds the longest operator wait (ds-seen, ds-gone) has lasted; 0 when none.' },
    },
    { label: 'rollover_lifetime_overdue', value: overdue.length, uom: '', min: 0, metric: { name: 'rollover_lifetime_overdue_keys', help: 'Keys past their lifetime without a successor.' } },
    { label: 'rollover_ds_command_failed', value: failedDs.length, uom: '', min: 0, metric: { name: 'rollover_ds_command_failed_keys', help: 'Keys whose DS submit or retract command is failing (every run retries it).' } },
    {
      label: 'rollover_ds_command_failing_max', value: Math.round(failingMax), uom: 's', crit: rangeText(t.critical), min: 0,
      metric: { name: 'rollover_ds_command_failing_max_seconds', help: 'Seconds the longest-failing DS submit or retract command has been failing; 0 when none.' },
    },
    { label: 'rollover_policy_problems', value: policyProblems.length, uom: '', min: 0, metric: { name: 'rollover_policy_problems', help: 'Policy problems that keep the core from rolling (e.g. a lifetime too short).' } },
  ];
  const parts = [
    count(read.zones.length, 'zone'),
    waits.length === 0 ? 'no key waits for the operator' : `${waits.length} key${waits.length === 1 ? '' : 's'} waiting for ds-seen/ds-gone (longest ${humanSeconds(longest ?? 0)})`,
    ...(overdue.length ? [`${overdue.length} past lifetime`] : []),
    ...(failedDs.length ? [`${failedDs.length} failed DS command${failedDs.length === 1 ? '' : 's'} (failing for up to ${humanSeconds(failingMax)}, retried every run)`] : []),
    ...(policyProblems.length ? [`${policyProblems.length} policy problem${policyProblems.length === 1 ? '' : 's'}`] : []),
  ];
  return resultOf('rollover', parts.join(', '), findings, perfdata);
}

function operatorWaits(view: ZoneRollovers): OperatorWait[] {
  const out = new Map<string, OperatorWait>();
  for (const k of view.keys) {
    for (const w of k.waits) {
      if (w.kind !== 'ds-seen' && w.kind !== 'ds-gone') continue;
      out.set(`${k.key.id}/${w.kind}`, { zone: view.zone, label: k.key.label, keyTag: k.key.keyTag, kind: w.kind, since: w.since === null ? null : new Date(w.since) });
    }
  }
  return [...out.values()];
}

/** The newest live key of each policy key past its lifetime: nobody has started its successor. */
function lifetimeFindings(zone: string, policy: Policy, keys: readonly ZoneKeyRow[], now: Date): Finding[] {
  const live = (groupBy(keys, (k) => k.zone).get(zone) ?? []).filter((k) => k.goal === 'omnipresent');
  const out: Finding[] = [];
  for (const kp of policy.keys.list) {
    if (kp.lifetime <= 0) continue;
    const slot = live.filter((k) => matchesSlot(k, kp)).sort((a, b) => a.introducedAt.getTime() - b.introducedAt.getTime());
    const newest = slot[slot.length - 1];
    if (!newest) continue;
    const end = newest.introducedAt.getTime() + kp.lifetime * 1000;
    const over = (now.getTime() - end) / 1000;
    if (kp.manualRollover ? over <= 0 : over <= LIFETIME_GRACE_SECONDS) continue;
    const fix = kp.manualRollover
      ? `the policy rolls it only on request: enforcer key rollover --zone ${zone} --keytype ${kp.role}`
      : "the active node's runs should have started its roll: is the key pool empty, or are runs failing for this zone?";
    out.push({ status: 'WARNING', zone, message: `${kp.role} ${newest.keyTag} is ${humanSeconds(over)} past its lifetime (ended ${new Date(end).toISOString()}) without a successor; ${fix}` });
  }
  return out;
}

/** An attempt without an outcome this long after it started (beyond ds.timeout) was interrupted. */
export const INTERRUPTED_GRACE_SECONDS = 60;

export interface CommandFailure {
  d: DsCommandState;
  since: Date;
  seconds: number;
  /** The attempt started at d.startedAt never finished (the node stopped mid-command). */
  interrupted: boolean;
}

/**
 * A pending request whose command has failed or was interrupted, and has not succeeded since: since
 * when. A request with no attempt yet (no command configured, or none run so far) is not a failure.
 */
export function commandFailure(d: DsCommandState, now: Date, timeoutSeconds: number): CommandFailure | null {
  if (!d.pending || d.action === null) return null;
  const interrupted = d.startedAt !== null && now.getTime() - d.startedAt.getTime() > (timeoutSeconds + INTERRUPTED_GRACE_SECONDS) * 1000;
  const starts = [d.failingSince, interrupted ? d.startedAt : null].filter((x): x is Date => x !== null);
  if (starts.length === 0) return null;
  const since = new Date(Math.min(...starts.map((x) => x.getTime())));
  return { d, since, seconds: Math.max(0, (now.getTime() - since.getTime()) / 1000), interrupted };
}

function dsFinding(f: CommandFailure, t: Thresholds): Finding {
  const { d } = f;
  const submit = d.action === 'ds-submit';
  const attempts = `${d.attempts} attempt${d.attempts === 1 ? '' : 's'}`;
  // The last outcome recorded, if it is this request's (an older request's is not news).
  const last = d.lastStatus !== null && d.lastAt !== null && d.lastAt.getTime() >= f.since.getTime()
    ? `, last: ${d.lastStatus.replace(/^ds-(submit|retract) command: /, '')} at ${d.lastAt.toISOString()}`
    : '';
  const cut = f.interrupted && d.startedAt ? `; the attempt started at ${d.startedAt.toISOString()} never finished` : '';
  const fix = submit
    ? `put the DS at the parent by hand (enforcer key export --zone ${d.zone} --ds), then: enforcer key ds-seen --zone ${d.zone} --keytag ${d.keyTag}`
    : `remove the DS from the parent by hand, then: enforcer key ds-gone --zone ${d.zone} --keytag ${d.keyTag}`;
  return {
    status: alerts(t.critical, f.seconds) ? 'CRITICAL' : 'WARNING',
    zone: d.zone,
    message: `${d.role} ${d.keyTag}: ${d.action} command failing since ${f.since.toISOString()} (${attempts}${last})${cut}; every run retries it; or ${fix}`,
  };
}
