// One scenario's figures, printed in one block, and the invariants as the verdict: any
// violation fails the test with every detail.

import { expect } from 'vitest';
import { describeViolations } from '../faults/invariants.js';
import type { FaultCluster } from './fault-cluster.js';

export interface Counts {
  [what: string]: number | string;
}

export class Scenario {
  readonly counts: Counts = {};
  private readonly t0 = performance.now();

  constructor(readonly name: string) {}

  add(what: string, n = 1): void {
    this.counts[what] = (Number(this.counts[what] ?? 0) || 0) + n;
  }

  set(what: string, v: number | string): void {
    this.counts[what] = v;
  }

  /** Check every invariant, print the figures, fail on any violation. */
  async finish(...clusters: FaultCluster[]): Promise<void> {
    const lines: string[] = [];
    const violations: string[] = [];
    for (const c of clusters) {
      const r = await c.check();
      const lease = await c.lease();
      const f = r.figures;
      lines.push(
        `  invariants I1-I5 over ${f.files} signconf files (${f.tempFiles} leftover temp files), ${f.keysGenerated} keys ` +
          `(${f.locatorsInFiles} key references), ${f.transitions} transitions + ${f.dsChanges} DS changes, ${f.epochs} epochs ` +
          `(last ${lease.epoch}), ${f.takeovers} takeovers (slowest to a completed run ${f.worstTakeoverMs} ms, bound ${f.takeoverBoundMs} ms): ` +
          (r.violations.length === 0 ? 'all hold' : `${r.violations.length} VIOLATED`),
      );
      if (r.violations.length > 0) violations.push(describeViolations(r.violations));
    }
    const secs = ((performance.now() - this.t0) / 1000).toFixed(1);
    const counts = Object.entries(this.counts).map(([k, v]) => `${k} ${v}`).join(', ');
    console.log(`[faults] ${this.name} (${secs} s)\n  ${counts}\n${lines.join('\n')}`);
    expect(violations.join('\n'), `${this.name}: invariant violations`).toBe('');
  }
}
