// `check all`: every check in turn with its default thresholds, worst status wins (CRITICAL, then
// UNKNOWN, then WARNING). A check that fails to run is UNKNOWN on its own line; the others still run.
// `live` is skipped (and says so) when the configuration has no probe section.

import type { CheckContext, CheckSpec } from './check.js';
import { thresholdsFor } from './check.js';
import { unknownResult, worst, type CheckResult } from './types.js';

export function allCheckOf(checks: readonly CheckSpec[]): CheckSpec {
  return {
    name: 'all',
    description: 'every check above with its default thresholds; the worst status wins',
    thresholds: null,
    run: async (ctx) => runAll(checks, ctx),
  };
}

async function runAll(checks: readonly CheckSpec[], ctx: CheckContext): Promise<CheckResult> {
  const parts: CheckResult[] = [];
  const skipped: string[] = [];
  for (const spec of checks) {
    if (spec.name === 'live' && !ctx.config.probe) {
      skipped.push('live skipped (no probe section)');
      continue;
    }
    parts.push(await runOne(spec, { ...ctx, thresholds: thresholdsFor(spec) }));
  }
  const status = worst(parts.map((p) => p.status));
  const summary = [...parts.map((p) => `${p.check} ${p.status}`), ...skipped].join(', ');
  return { check: 'all', status, summary, findings: [], perfdata: [], parts };
}

/** A check's own failure (an unreadable file, a keystore error) is its UNKNOWN, not the whole run's. */
export async function runOne(spec: CheckSpec, ctx: CheckContext): Promise<CheckResult> {
  try {
    return await spec.run(ctx);
  } catch (e) {
    return unknownResult(spec.name, (e as Error).message);
  }
}
