// The three output formats of the checks: the monitoring-plugin status line and long output, the
// Prometheus text exposition, and JSON.

import { describe, expect, it } from 'vitest';
import { toJson } from '../../src/checks/json.js';
import { perfText, renderNagios, statusLine } from '../../src/checks/nagios.js';
import { renderPrometheus } from '../../src/checks/prometheus.js';
import { humanSeconds, resultOf, worst, type CheckResult, type PerfDatum } from '../../src/checks/types.js';

const perf = (label: string, value: number | null, extra: Partial<PerfDatum> = {}): PerfDatum => ({
  label, value, uom: '', metric: { name: label, help: `help for ${label}` }, ...extra,
});

describe('nagios format', () => {
  it('writes perfdata as quoted label=value[uom];warn;crit;min;max without trailing empty fields', () => {
    expect(perfText(perf('last_run_age', 120, { uom: 's', warn: '3600', crit: '86400', min: 0 }))).toBe("'last_run_age'=120s;3600;86400;0");
    expect(perfText(perf('zones', 3))).toBe("'zones'=3");
    expect(perfText(perf('ok', 2, { min: 0, max: 3 }))).toBe("'ok'=2;;;0;3");
    expect(perfText(perf('age', null, { uom: 's' }))).toBe("'age'=U");
    expect(perfText(perf("it's", 1.23456))).toBe("'it''s'=1.235");
  });

  it('keeps | out of the summary, which the monitoring system splits on', () => {
    const r = resultOf('signconf', 'a | b\nc', [], [perf('x', 1)]);
    expect(statusLine(r)).toBe("SIGNCONF OK - a / b c | 'x'=1");
  });

  it('puts findings worst first and caps the long output', () => {
    const findings = Array.from({ length: 12 }, (_, i) => ({ status: i === 7 ? 'CRITICAL' as const : 'WARNING' as const, zone: `z${String(i).padStart(2, '0')}.example`, message: 'bad' }));
    const r = resultOf('signconf', 'summary', findings, []);
    expect(r.status).toBe('CRITICAL');
    const lines = renderNagios(r, 3).trimEnd().split('\n');
    expect(lines).toEqual([
      'SIGNCONF CRITICAL - summary',
      'CRITICAL z07.example: bad',
      'WARNING z00.example: bad',
      'WARNING z01.example: bad',
      '… 9 more (all of them with --format json)',
    ]);
  });

  it('prints one line per check for all, then their findings worst first, perfdata merged once per label', () => {
    const a = resultOf('signconf', 'fine', [{ status: 'WARNING', zone: 'a.example', message: 'stale' }], [perf('last_run_age', 5), perf('signconf_ok', 1)]);
    const b = resultOf('lease', 'bad', [{ status: 'CRITICAL', message: 'config differs' }], [perf('last_run_age', 5), perf('lease_epoch', 3)]);
    const all: CheckResult = { check: 'all', status: worst([a.status, b.status]), summary: 'signconf WARNING, lease CRITICAL', findings: [], perfdata: [], parts: [a, b] };
    expect(renderNagios(all).trimEnd().split('\n')).toEqual([
      "ENFORCER CRITICAL - signconf WARNING, lease CRITICAL | 'last_run_age'=5 'signconf_ok'=1 'lease_epoch'=3",
      'SIGNCONF WARNING - fine',
      'LEASE CRITICAL - bad',
      'CRITICAL lease: config differs',
      'WARNING signconf a.example: stale',
    ]);
  });

  it('says durations in at most two adjacent units', () => {
    expect([0, 59, 90, 3600, 7238, 93784, 8 * 86400 + 3 * 3600].map(humanSeconds)).toEqual(['0s', '59s', '1m30s', '1h', '2h', '1d2h', '8d3h']);
  });

  it('ranks UNKNOWN between CRITICAL and WARNING when the worst wins', () => {
    expect(worst(['OK', 'WARNING', 'UNKNOWN'])).toBe('UNKNOWN');
    expect(worst(['UNKNOWN', 'CRITICAL'])).toBe('CRITICAL');
    expect(worst([])).toBe('OK');
  });
});

describe('prometheus format', () => {
  const result = resultOf('signconf', 's', [{ status: 'WARNING', message: 'x' }], [
    perf('signconf_ok', 2, { metric: { name: 'signconf_zones', help: 'Zones per state.', labels: { state: 'ok' } } }),
    perf('age', null, { metric: { name: 'last_successful_run_age_seconds', help: 'Age.' } }),
    perf('signconf_stale', 1, { metric: { name: 'signconf_zones', help: 'Zones per state.', labels: { state: 'st"a\\le' } } }),
  ]);
  const text = renderPrometheus(result, new Date('2026-01-02T03:04:05.500Z'));

  it('prefixes every metric, gives each family one HELP and one TYPE line and keeps its samples together', () => {
    const lines = text.trimEnd().split('\n');
    expect(lines).toEqual([
      '# HELP dnssec_enforcer_check_status Status of the check: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (the check exit code).',
      '# TYPE dnssec_enforcer_check_status gauge',
      'dnssec_enforcer_check_status{check="signconf"} 1',
      '# HELP dnssec_enforcer_check_timestamp_seconds When the check ran, in seconds since the Unix epoch.',
      '# TYPE dnssec_enforcer_check_timestamp_seconds gauge',
      'dnssec_enforcer_check_timestamp_seconds{check="signconf"} 1767323045.5',
      '# HELP dnssec_enforcer_signconf_zones Zones per state.',
      '# TYPE dnssec_enforcer_signconf_zones gauge',
      'dnssec_enforcer_signconf_zones{state="ok"} 2',
      'dnssec_enforcer_signconf_zones{state="st\\"a\\\\le"} 1',
      '# HELP dnssec_enforcer_last_successful_run_age_seconds Age.',
      '# TYPE dnssec_enforcer_last_successful_run_age_seconds gauge',
    ]);
  });

  it('writes only lines the text format allows', () => {
    for (const line of text.trimEnd().split('\n')) {
      expect(line).toMatch(/^(# (HELP|TYPE) dnssec_enforcer_[a-z_]+ .+|dnssec_enforcer_[a-z_]+(\{([a-z_]+="([^"\\\n]|\\["\\n])*",?)+\})? -?[0-9.e+]+)$/);
    }
  });
});

describe('json format', () => {
  it('carries the status, exit code, every finding and the perfdata without the metric names', () => {
    const r = resultOf('lease', 's', [{ status: 'CRITICAL', message: 'm' }], [perf('lease_epoch', 4, { min: 0 }), perf('info', 1, { prometheusOnly: true })]);
    expect(toJson(r)).toEqual({
      check: 'lease', status: 'CRITICAL', exitCode: 2, summary: 's',
      findings: [{ status: 'CRITICAL', message: 'm' }],
      perfdata: [{ label: 'lease_epoch', value: 4, uom: '', min: 0 }],
    });
  });
});
