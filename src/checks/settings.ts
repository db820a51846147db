// The check command's options, checked before anything is read: format, thresholds, zones, the
// long-output cap. A bad value is a usage error, which a check reports as UNKNOWN (exit 3) like any
// monitoring plugin, naming the option. Contract: pure.

import { normaliseZoneName } from '../zones/zone-name.js';
import { thresholdsFor, type CheckSpec } from './check.js';
import { DEFAULT_MAX_LINES } from './nagios.js';
import { FORMATS, type Format } from './output.js';
import type { RunOptions } from './runner.js';

export interface RawCheckOptions {
  warning?: string;
  critical?: string;
  format?: string;
  json?: boolean;
  output?: string;
  maxLines?: string;
  zone?: string[];
  databaseOnly?: boolean;
  ignoreNode?: string[];
}

export class CheckUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckUsageError';
  }
}

/** --format, with the global --json (or the check's own) meaning the same as --format json. */
export function formatOf(o: RawCheckOptions, globalJson: boolean): Format {
  const json = globalJson || o.json === true;
  if (o.format === undefined) return json ? 'json' : 'nagios';
  if (!(FORMATS as readonly string[]).includes(o.format)) throw new CheckUsageError(`--format ${o.format}: choose one of ${FORMATS.join(', ')}`);
  if (json && o.format !== 'json') throw new CheckUsageError(`--json and --format ${o.format} contradict each other`);
  return o.format as Format;
}

export interface CheckSettings extends RunOptions {
  maxLines: number;
}

export function settingsOf(spec: CheckSpec, o: RawCheckOptions): CheckSettings {
  let thresholds;
  try {
    thresholds = thresholdsFor(spec, o.warning, o.critical);
  } catch (e) {
    throw new CheckUsageError(`-w/-c: ${(e as Error).message}`);
  }
  let maxLines = DEFAULT_MAX_LINES;
  if (o.maxLines !== undefined) {
    if (!/^\d{1,6}$/.test(o.maxLines)) throw new CheckUsageError(`--max-lines ${o.maxLines}: a whole number, 0 for none`);
    maxLines = Number(o.maxLines);
  }
  let zones: string[] | null = null;
  if (o.zone && o.zone.length > 0) {
    try {
      zones = [...new Set(o.zone.map((z) => normaliseZoneName(z, { path: '--zone' })))];
    } catch (e) {
      throw new CheckUsageError((e as Error).message);
    }
  }
  return { thresholds, zones, databaseOnly: o.databaseOnly === true, ignoreNodes: o.ignoreNode ?? [], maxLines };
}
