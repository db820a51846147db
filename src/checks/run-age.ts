// How long ago the last successful run (outcome ok or partial) finished, judged against -w/-c;
// shared by the signconf and lease checks. The enforcer only changes anything when it runs, so this
// is the one number that says whether it is working at all.
// Contract: pure. A run in the future (the active node's clock ahead of this one) counts as age 0;
// the lease check reports clock offsets separately.

import type { RunRow } from '../store/run-log.js';
import { rangeText, statusFor, type Thresholds } from './thresholds.js';
import { humanSeconds, type Finding, type PerfDatum } from './types.js';

export const RUN_AGE_THRESHOLDS = {
  what: 'seconds since the last successful run finished',
  direction: 'above',
  warning: '3600',
  critical: '86400',
} as const;

export interface RunAge {
  seconds: number | null;
  finding: Finding | null;
  perf: PerfDatum;
  /** For summaries: "last successful run 2m ago". */
  words: string;
}

export function runAge(last: RunRow | null, now: Date, t: Thresholds): RunAge {
  const perf = (value: number | null): PerfDatum => ({
    label: 'last_run_age',
    value,
    uom: 's',
    warn: rangeText(t.warning),
    crit: rangeText(t.critical),
    min: 0,
    metric: { name: 'last_successful_run_age_seconds', help: 'Seconds since the last successful enforcer run (outcome ok or partial) finished.' },
  });
  if (!last) {
    return {
      seconds: null,
      finding: { status: 'CRITICAL', message: 'no successful run recorded: the active node has never finished a run' },
      perf: perf(null),
      words: 'no successful run yet',
    };
  }
  const end = last.finishedAt ?? last.startedAt;
  const seconds = Math.max(0, Math.round((now.getTime() - end.getTime()) / 1000));
  const status = statusFor(seconds, t);
  const words = `last successful run ${humanSeconds(seconds)} ago`;
  const finding: Finding | null =
    status === 'OK'
      ? null
      : { status, message: `${words} (on ${last.node}, epoch ${last.epoch}, finished ${end.toISOString()}): is the enforcer's cron job running on the active node?` };
  return { seconds, finding, perf: perf(seconds), words };
}
