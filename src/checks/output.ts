// Rendering a result in the chosen format and putting it where it belongs: stdout, or with --output
// a file replaced atomically (temp file, fsync, rename), so node_exporter's textfile collector never
// reads half a file. Contract: the only writer of the checks, and only to the operator's --output.

import { writeFileAtomic } from '../util/atomic-file.js';
import { renderJson } from './json.js';
import { DEFAULT_MAX_LINES, renderNagios } from './nagios.js';
import { renderPrometheus } from './prometheus.js';
import type { CheckResult } from './types.js';

export const FORMATS = ['nagios', 'json', 'prometheus'] as const;
export type Format = (typeof FORMATS)[number];

export interface RenderOptions {
  format: Format;
  maxLines?: number;
  node: string | null;
  at: Date;
}

export function render(r: CheckResult, o: RenderOptions): string {
  switch (o.format) {
    case 'json':
      return renderJson(r, { node: o.node ?? '', at: o.at });
    case 'prometheus':
      return renderPrometheus(r, o.at);
    default:
      return renderNagios(r, o.maxLines ?? DEFAULT_MAX_LINES);
  }
}

/** Text files for node_exporter are world-readable like any metrics endpoint; nothing secret is in them. */
export async function emit(text: string, output: string | undefined): Promise<void> {
  if (output) await writeFileAtomic(output, text, 0o644);
  else process.stdout.write(text);
}
