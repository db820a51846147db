// The Prometheus text exposition format (version 0.0.4), for node_exporter's textfile collector:
// every metric prefixed dnssec_enforcer_, one HELP and one TYPE line per metric family, the
// family's samples together. Besides the checks' own values: each check's status (0..3, as its
// exit code) and the time it ran, so an alert can also fire when the file stops being refreshed.
// Contract: pure; unknown values (null) are left out rather than written as NaN.

import { uniquePerfdata } from './nagios.js';
import { exitCodeOf, type CheckResult } from './types.js';

export const PREFIX = 'dnssec_enforcer_';

interface Sample {
  labels: Record<string, string>;
  value: number;
}

interface Family {
  help: string;
  samples: Sample[];
}

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const escapeHelp = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

function labelText(labels: Record<string, string>): string {
  const keys = Object.keys(labels);
  return keys.length === 0 ? '' : `{${keys.map((k) => `${k}="${escapeLabel(labels[k]!)}"`).join(',')}}`;
}

function value(n: number): string {
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  return String(n);
}

export function renderPrometheus(r: CheckResult, at: Date): string {
  const families = new Map<string, Family>();
  const add = (name: string, help: string, labels: Record<string, string>, v: number) => {
    let f = families.get(name);
    if (!f) {
      f = { help, samples: [] };
      families.set(name, f);
    }
    f.samples.push({ labels, value: v });
  };
  const checks = [r, ...(r.parts ?? [])];
  for (const c of checks) {
    add('check_status', 'Status of the check: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (the check exit code).', { check: c.check }, exitCodeOf(c.status));
  }
  for (const c of checks) add('check_timestamp_seconds', 'When the check ran, in seconds since the Unix epoch.', { check: c.check }, at.getTime() / 1000);
  for (const p of uniquePerfdata(r)) {
    if (p.value === null) {
      // Keep the family's HELP and TYPE so the metric stays documented while its value is unknown.
      if (!families.has(p.metric.name)) families.set(p.metric.name, { help: p.metric.help, samples: [] });
      continue;
    }
    add(p.metric.name, p.metric.help, p.metric.labels ?? {}, p.value);
  }
  const lines: string[] = [];
  for (const [name, f] of families) {
    const full = PREFIX + name;
    lines.push(`# HELP ${full} ${escapeHelp(f.help)}`, `# TYPE ${full} gauge`);
    for (const s of f.samples) lines.push(`${full}${labelText(s.labels)} ${value(s.value)}`);
  }
  return lines.join('\n') + '\n';
}
