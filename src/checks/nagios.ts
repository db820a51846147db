// The monitoring-plugin output (Nagios, Icinga, NRPE): the status line
// `NAME STATUS - summary | 'label'=value[uom];warn;crit;min;max ...`, then the long output, one line
// per finding, worst first, capped so a thousand bad zones do not flood the monitoring system.
// `check all` prints one line per check after its own status line.
// Contract: pure; `|` never appears outside the perfdata separator (the status line is split on it).

import type { CheckResult, Finding, PerfDatum } from './types.js';

export const DEFAULT_MAX_LINES = 10;

/** The name in the status line: SIGNCONF, LEASE, …; `all` is ENFORCER. */
export function checkTitle(check: string): string {
  return check === 'all' ? 'ENFORCER' : check.toUpperCase();
}

const clean = (text: string) => text.replace(/\|/g, '/').replace(/\s*\n\s*/g, ' ');

function num(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Math.round(n * 1000) / 1000);
}

export function perfText(p: PerfDatum): string {
  const label = `'${p.label.replace(/'/g, "''")}'`;
  const fields = [p.value === null ? 'U' : `${num(p.value)}${p.uom}`, p.warn ?? '', p.crit ?? '', p.min === undefined ? '' : num(p.min), p.max === undefined ? '' : num(p.max)];
  while (fields.length > 1 && fields[fields.length - 1] === '') fields.pop();
  return `${label}=${fields.join(';')}`;
}

export function statusLine(r: CheckResult, withPerfdata = true): string {
  const head = `${checkTitle(r.check)} ${r.status} - ${clean(r.summary)}`;
  const perf = withPerfdata ? uniquePerfdata(r).filter((p) => !p.prometheusOnly).map(perfText).join(' ') : '';
  return perf ? `${head} | ${perf}` : head;
}

/** Perfdata of a result and its parts, each label once (the first wins: `all` shares the run age). */
export function uniquePerfdata(r: CheckResult): PerfDatum[] {
  const seen = new Set<string>();
  const out: PerfDatum[] = [];
  for (const p of [...r.perfdata, ...(r.parts ?? []).flatMap((x) => x.perfdata)]) {
    if (seen.has(p.label)) continue;
    seen.add(p.label);
    out.push(p);
  }
  return out;
}

export function findingLine(f: Finding, check?: string): string {
  const where = [check, f.zone].filter(Boolean).join(' ');
  return clean(`${f.status} ${where ? `${where}: ` : ''}${f.message}`);
}

export function renderNagios(r: CheckResult, maxLines = DEFAULT_MAX_LINES): string {
  const lines = [statusLine(r)];
  const findings: Array<{ f: Finding; check?: string }> = r.parts
    ? r.parts.flatMap((p) => p.findings.map((f) => ({ f, check: p.check })))
    : r.findings.map((f) => ({ f }));
  if (r.parts) lines.push(...r.parts.map((p) => statusLine(p, false)));
  const shown = r.parts ? sortedAcross(findings) : findings;
  lines.push(...shown.slice(0, maxLines).map(({ f, check }) => findingLine(f, check)));
  if (shown.length > maxLines) lines.push(`… ${shown.length - maxLines} more (all of them with --format json)`);
  return lines.join('\n') + '\n';
}

const ORDER = { CRITICAL: 0, UNKNOWN: 1, WARNING: 2, OK: 3 } as const;

/** Worst first across checks; a finding two checks share (the run's age) is said once, by the first. */
function sortedAcross(items: Array<{ f: Finding; check?: string }>): Array<{ f: Finding; check?: string }> {
  const seen = new Set<string>();
  const unique = items.filter(({ f }) => {
    const key = `${f.status}\0${f.zone ?? ''}\0${f.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  // Stable: within one severity the checks keep their order and each check its own.
  return unique.sort((a, b) => ORDER[a.f.status] - ORDER[b.f.status]);
}
