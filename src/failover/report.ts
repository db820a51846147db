// The drill's and the failover's reports for people: the verdict, one row per step, one row per
// zone, then every problem on its own line (step, zone, reason) so the NO-GO can be worked through
// top to bottom, then the notes (information, nothing to fix) the same way.
// Contract: prints to stdout only; the JSON forms are the reports themselves.

import { printLines, printTable } from '../cli/output.js';
import type { StepReport } from './drill-types.js';
import type { DrillReport } from './drill.js';
import type { FailoverReport } from './failover.js';

export function printDrill(r: DrillReport): void {
  printSteps(`failover drill on ${r.node} at ${r.at}`, r.steps, r.zones);
  if (r.scratch.kept) printLines(['', `rendered signconfs kept in ${r.scratch.directory}`]);
  printLines(['', r.verdict]);
}

export function printFailover(r: FailoverReport): void {
  const t = r.takeover;
  const how = t ? `: epoch ${t.previousEpoch} -> ${t.epoch}${t.from && t.from !== r.node ? `, from ${t.from}` : ''}${t.forced ? ' (--partner-down)' : ''}` : '';
  printSteps(`failover on ${r.node} at ${r.at}${how}`, r.steps, r.zones);
  for (const p of r.publish?.ran ?? []) printLines([`${p.what}: ${p.command}: ${p.summary}`]);
  for (const p of r.publish?.notRun ?? []) printLines([`${p.what}: ${p.command}: not run: ${p.why}`]);
  printLines(['', r.verdict]);
}

function printSteps(title: string, steps: readonly StepReport[], zones: ReadonlyArray<{ zone: string; signconf: string; live: string | null }>): void {
  printLines([title, '']);
  printTable(['STEP', 'CHECK', 'RESULT', 'DETAIL'], steps.map((s) => [s.step, s.name, s.status, s.summary]));
  if (zones.length > 0) {
    printLines(['']);
    printTable(['ZONE', 'SIGNCONF', 'LIVE DNSKEY'], zones.map((z) => [z.zone, z.signconf, z.live]));
  }
  const line = (step: number, p: { zone?: string; reason: string }) => `  step ${step}${p.zone ? ` ${p.zone}` : ''}: ${p.reason}`;
  const problems = steps.flatMap((s) => s.problems.map((p) => line(s.step, p)));
  if (problems.length > 0) printLines(['', 'problems:', ...problems]);
  const notes = steps.flatMap((s) => s.notes.map((p) => line(s.step, p)));
  if (notes.length > 0) printLines(['', 'notes (no action needed):', ...notes]);
}
