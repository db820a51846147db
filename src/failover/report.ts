// The drill's and the failover's reports for people: the verdict, one row per step, one row per zone, then every problem
// on its own line (step, zone, reason) so the NO-GO can be worked through top to bottom.
// Contract: prints to stdout only; the JSON forms are the reports themselves.

import { printLines, printTable } from '../cli/output.js';
import type { DrillReport } from './drill.js';
import type { FailoverReport } from './failover.js';

export function printDrill(r: DrillReport): void {
  printLines([`failover drill on ${r.node} at ${r.at}`, '']);
  printTable(['STEP', 'CHECK', 'RESULT', 'DETAIL'], r.steps.map((s) => [s.step, s.name, s.status, s.summary]));
  if (r.zones.length > 0) {
    printLines(['']);
    printTable(['ZONE', 'SIGNCONF', 'LIVE DNSKEY'], r.zones.map((z) => [z.zone, z.signconf, z.live]));
  }
  const problems = r.steps.flatMap((s) => s.problems.map((p) => `step ${s.step}${p.zone ? ` ${p.zone}` : ''}: ${p.reason}`));
  if (problems.length > 0) printLines(['', 'problems:', ...problems.map((p) => `  ${p}`)]);
  if (r.scratch.kept) printLines(['', `rendered signconfs kept in ${r.scratch.directory}`]);
  printLines(['', r.verdict]);
}

export function printFailover(r: FailoverReport): void {
  const t = r.takeover;
  printLines([`failover on ${r.node} at ${r.at}${t ? `: epoch ${t.previousEpoch} -> ${t.epoch}${t.from && t.from !== r.node ? `, from ${t.from}` : ''}${t.forced ? ' (--partner-down)' : ''}` : ''}`, '']);
  printTable(['STEP', 'CHECK', 'RESULT', 'DETAIL'], r.steps.map((s) => [s.step, s.name, s.status, s.summary]));
  if (r.zones.length > 0) {
    printLines(['']);
    printTable(['ZONE', 'SIGNCONF', 'LIVE DNSKEY'], r.zones.map((z) => [z.zone, z.signconf, z.live]));
  }
  const problems = r.steps.flatMap((s) => s.problems.map((p) => `step ${s.step}${p.zone ? ` ${p.zone}` : ''}: ${p.reason}`));
  if (problems.length > 0) printLines(['', 'problems:', ...problems.map((p) => `  ${p}`)]);
  for (const p of r.publish?.ran ?? []) printLines([`${p.what}: ${p.command}: ${p.summary}`]);
  printLines(['', r.verdict]);
}
