// The drill's report, shared by the steps, the orchestrator and the command's output. Contract: plain
// data (JSON-safe once Dates are ISO strings); a step passes exactly when it has no problems. Notes are
// information for the operator (e.g. a roll the active node's next run will make) and never fail a step.

export type StepStatus = 'PASS' | 'FAIL' | 'SKIPPED';

export interface Problem {
  /** The zone the problem is about; absent for node-wide problems (database, configuration). */
  zone?: string;
  reason: string;
}

export interface StepReport {
  /** The runbook's step number (a drill has no 2, taking the lease, and no 6, publishing). */
  step: 1 | 2 | 3 | 4 | 5 | 6;
  name: string;
  status: StepStatus;
  /** One line for the table. */
  summary: string;
  problems: Problem[];
  /** Worth knowing, nothing to fix (the drill's step 4: changes due at the active node's next run). */
  notes: Problem[];
}

export function stepReport(step: StepReport['step'], name: string, summary: string, problems: Problem[], notes: Problem[] = []): StepReport {
  return { step, name, status: problems.length === 0 ? 'PASS' : 'FAIL', summary, problems, notes };
}

export function skipped(step: StepReport['step'], name: string, why: string): StepReport {
  return { step, name, status: 'SKIPPED', summary: why, problems: [], notes: [] };
}
