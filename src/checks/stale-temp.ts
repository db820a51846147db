// Stale temp files as `check signconf` and `check keystore` report them: files of prepareFile's
// pattern, older than the age at which the active node's runs remove them (src/util/stale-temp-files.ts),
// still in a directory. WARNING each, naming the file and its age; never the content (a key temp
// file holds a private key). Contract: reads directory entries only, removes nothing.

import { systemClock } from '../util/clock.js';
import { findStaleTempFiles, staleTempMinAgeMs } from '../util/stale-temp-files.js';
import { humanSeconds, type Finding, type PerfDatum } from './types.js';

export interface StaleTempReport {
  count: number;
  findings: Finding[];
}

/** The stale temp files in each directory; a directory that cannot be listed is UNKNOWN. */
export async function staleTempFindings(places: Array<{ what: string; directory: string }>, leaseTtlSeconds: number): Promise<StaleTempReport> {
  const minAgeMs = staleTempMinAgeMs(leaseTtlSeconds);
  const out: StaleTempReport = { count: 0, findings: [] };
  for (const { what, directory } of places) {
    let files;
    try {
      // File ages on the wall clock the file system stamps mtimes with, never a moved clock.
      files = await findStaleTempFiles(directory, minAgeMs, systemClock.now());
    } catch (e) {
      out.findings.push({ status: 'UNKNOWN', message: `cannot look for stale temp files in the ${what} ${directory}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` });
      continue;
    }
    out.count += files.length;
    for (const f of files) {
      out.findings.push({
        status: 'WARNING',
        message:
          `stale temp file ${f.name} in the ${what} ${directory} (${humanSeconds(f.ageSeconds)} old, ${f.size} bytes): left by an interrupted write; ` +
          `the active node's runs remove such files from their own directories: if it stays (or this is the standby), remove it by hand`,
      });
    }
  }
  return out;
}

export function staleTempPerf(label: string, where: 'signconf' | 'keystore', count: number): PerfDatum {
  return {
    label, value: count, uom: '', min: 0,
    metric: { name: 'stale_temp_files', help: 'Temp files left by interrupted writes, older than a run may take, still in the signconf directory or a file keystore directory.', labels: { directory: where } },
  };
}
