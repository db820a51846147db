// `--format json` (and the global `--json`): the whole result for scripts, every finding (the
// long output's cap does not apply), perfdata as numbers. Contract: pure.

import { exitCodeOf, type CheckResult } from './types.js';

export interface CheckJson {
  check: string;
  status: CheckResult['status'];
  exitCode: 0 | 1 | 2 | 3;
  summary: string;
  findings: CheckResult['findings'];
  perfdata: Array<{ label: string; value: number | null; uom: string; warn?: string; crit?: string; min?: number; max?: number }>;
  checks?: CheckJson[];
}

export function toJson(r: CheckResult): CheckJson {
  return {
    check: r.check,
    status: r.status,
    exitCode: exitCodeOf(r.status),
    summary: r.summary,
    findings: r.findings,
    perfdata: r.perfdata.filter((p) => !p.prometheusOnly).map(({ metric: _metric, prometheusOnly: _p, ...p }) => p),
    ...(r.parts ? { checks: r.parts.map(toJson) } : {}),
  };
}

export function renderJson(r: CheckResult, meta: { node: string; at: Date }): string {
  return JSON.stringify({ ...toJson(r), node: meta.node, at: meta.at.toISOString() }, null, 2) + '\n';
}
