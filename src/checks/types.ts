// What every monitoring check returns, in the monitoring-plugin model (Nagios, Icinga): one status,
// a one-line summary, findings for the long output, and performance data that doubles as Prometheus
// metrics. Contract: plain data and pure helpers; the formats live in nagios.ts / prometheus.ts.

export const STATUSES = ['OK', 'WARNING', 'CRITICAL', 'UNKNOWN'] as const;
export type Status = (typeof STATUSES)[number];

/** The plugin exit code of a status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN. */
export function exitCodeOf(s: Status): 0 | 1 | 2 | 3 {
  return STATUSES.indexOf(s) as 0 | 1 | 2 | 3;
}

/**
 * Severity for "worst wins": CRITICAL, then UNKNOWN (a part that could not be checked may hide a
 * critical), then WARNING, then OK.
 */
const SEVERITY: Record<Status, number> = { OK: 0, WARNING: 1, UNKNOWN: 2, CRITICAL: 3 };

export function worst(statuses: Iterable<Status>): Status {
  let w: Status = 'OK';
  for (const s of statuses) if (SEVERITY[s] > SEVERITY[w]) w = s;
  return w;
}

export function bySeverity<T extends { status: Status }>(a: T, b: T): number {
  return SEVERITY[b.status] - SEVERITY[a.status];
}

/** One line of long output: something not OK (or worth knowing), about a zone or the node. */
export interface Finding {
  status: Status;
  zone?: string;
  message: string;
}

export interface PerfDatum {
  /** Performance data label; unique across all checks, so `check all` can merge them. */
  label: string;
  /** null when unknown (perfdata `U`; the Prometheus sample is left out). */
  value: number | null;
  /** '' (a count), 's' (seconds). */
  uom: '' | 's';
  warn?: string;
  crit?: string;
  min?: number;
  max?: number;
  /** The same value as a Prometheus sample (name without the dnssec_enforcer_ prefix). */
  metric: { name: string; help: string; labels?: Record<string, string> };
  /** A Prometheus info-style sample that means nothing as Nagios performance data. */
  prometheusOnly?: boolean;
}

export interface CheckResult {
  /** The check's name as given on the command line (signconf, lease, …). */
  check: string;
  status: Status;
  summary: string;
  findings: Finding[];
  perfdata: PerfDatum[];
  /** For `check all`: the result of each check it ran. */
  parts?: CheckResult[];
}

/** A result whose status is the worst of its findings (OK without any). */
export function resultOf(check: string, summary: string, findings: Finding[], perfdata: PerfDatum[], extra: Status[] = []): CheckResult {
  return { check, status: worst([...findings.map((f) => f.status), ...extra]), summary, findings: [...findings].sort(byFinding), perfdata };
}

/** Worst first, then by zone (node-wide findings before zones), then by message. */
export function byFinding(a: Finding, b: Finding): number {
  return bySeverity(a, b) || (a.zone ?? '').localeCompare(b.zone ?? '') || a.message.localeCompare(b.message);
}

/** A check that could not run: the reason is the summary. */
export function unknownResult(check: string, message: string): CheckResult {
  return { check, status: 'UNKNOWN', summary: message, findings: [], perfdata: [] };
}

/** "1 zone", "3 zones". */
export function count(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Human-readable duration for summaries: 90 → "1m30s", 93784 → "1d2h", 7238 → "2h". Two adjacent units at most. */
export function humanSeconds(seconds: number): string {
  const s = Math.round(Math.abs(seconds));
  const sign = seconds < 0 ? '-' : '';
  const units: Array<[string, number]> = [['d', 86400], ['h', 3600], ['m', 60], ['s', 1]];
  const i = units.findIndex(([, n]) => s >= n);
  if (i < 0) return '0s';
  const [u, n] = units[i]!;
  const next = units[i + 1];
  const rest = next ? Math.floor((s % n) / next[1]) : 0;
  return `${sign}${Math.floor(s / n)}${u}${next && rest > 0 ? `${rest}${next[0]}` : ''}`;
}
