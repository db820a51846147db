// `check signconf`: is every zone's signconf file the one the database recorded, and does the record
// reflect the database's current state, and was it published (in place, the signer told)? Plus the
// age of the last successful run (-w/-c).
// Reads one database snapshot (zones, records, policies, keys, run log), then each zone's file.
// A zone's expected document is rendered from the state as stored (not advanced in time: what is due
// is the next run's business), exactly as a run renders it, so any difference means the database
// changed after the file was written.

import type { Policy } from '../policy/policy.js';
import { renderSignconf } from '../signconf/render.js';
import { contentHash } from '../signconf/metadata.js';
import { allZoneKeys, type ZoneKeyRow } from '../store/keys.js';
import { listPolicies } from '../store/policies.js';
import { lastRun } from '../store/run-log.js';
import { listSignconfRecords } from '../store/signconf-records.js';
import { listZones, type ZoneRow } from '../store/zones.js';
import type { CheckContext, CheckSpec } from './check.js';
import { RUN_AGE_THRESHOLDS, runAge } from './run-age.js';
import { staleTempFindings, staleTempPerf } from './stale-temp.js';
import { judgeSignconf, SIGNCONF_STATES, type ZoneVerdict } from './signconf-zone.js';
import { readSnapshot } from './snapshot.js';
import { groupBy, selectZones } from './zones.js';
import { count, resultOf, type CheckResult, type Finding, type PerfDatum } from './types.js';

export const signconfCheck: CheckSpec = {
  name: 'signconf',
  description: "every zone's signconf file exists, is the one the database recorded (hash, epoch, unedited) and is not behind the database; no stale temp files; age of the last successful run",
  thresholds: RUN_AGE_THRESHOLDS,
  run: checkSignconf,
};

async function checkSignconf(ctx: CheckContext): Promise<CheckResult> {
  const now = ctx.now();
  const read = await readSnapshot(ctx.db, async (tx) => ({
    zones: selectZones(await listZones(tx), ctx.zones),
    records: new Map((await listSignconfRecords(tx)).map((r) => [r.zone, r])),
    policies: new Map((await listPolicies(tx)).map((p) => [p.name, p])),
    keys: await allZoneKeys(tx),
    last: await lastRun(tx, ['ok', 'partial']),
  }));
  const keysByZone = groupBy(read.keys, (k) => k.zone);
  const verdicts: ZoneVerdict[] = [];
  for (const zone of read.zones) {
    verdicts.push(
      await judgeSignconf(
        { zone: zone.name, record: read.records.get(zone.name) ?? null, expected: expected(zone, read.policies.get(zone.policy), keysByZone.get(zone.name) ?? []), nextRunAt: zone.nextRunAt },
        {
          databaseOnly: ctx.databaseOnly,
          now,
          pendingWarningSeconds: ctx.config.signer.pendingWarningSeconds,
          pendingCriticalSeconds: ctx.config.signer.pendingCriticalSeconds,
        },
      ),
    );
  }
  const age = runAge(read.last, now, ctx.thresholds!);
  const findings: Finding[] = verdicts.filter((v) => v.state !== 'ok').map((v) => ({ status: v.status, zone: v.zone, message: `${v.state.replace('_', ' ')}: ${v.message}` }));
  if (age.finding) findings.push(age.finding);
  // Temp files killed writes left in the signconf directory (files are not read with --database-only).
  const temps = ctx.databaseOnly ? null : await staleTempFindings([{ what: 'signconf directory', directory: ctx.config.signconfDirectory }], ctx.config.lease.ttlSeconds);
  if (temps) findings.push(...temps.findings);

  const counts = Object.fromEntries(SIGNCONF_STATES.map((s) => [s, verdicts.filter((v) => v.state === s).length])) as Record<(typeof SIGNCONF_STATES)[number], number>;
  const total = verdicts.length;
  const perfdata: PerfDatum[] = [
    { label: 'signconf_zones', value: total, uom: '', min: 0, metric: { name: 'signconf_zones_checked', help: 'Zones whose signconf the check looked at.' } },
    ...['ok' as const, ...SIGNCONF_STATES.filter((s) => s !== 'ok')].map((s): PerfDatum => ({
      label: `signconf_${s}`, value: counts[s], uom: '', min: 0, max: total,
      metric: { name: 'signconf_zones', help: 'Zones per signconf state (ok, unwritten, missing, unstamped, edited, hash_mismatch, wrong_epoch, unpublished, stale).', labels: { state: s } },
    })),
    ...(temps ? [staleTempPerf('signconf_stale_temp_files', 'signconf', temps.count)] : []),
    age.perf,
  ];
  const tempWords = temps && temps.count > 0 ? `; ${count(temps.count, 'stale temp file')}` : '';
  return resultOf('signconf', summary(verdicts, age.words, ctx.databaseOnly) + tempWords, findings, perfdata);
}

function expected(zone: ZoneRow, policy: Policy | undefined, keys: ZoneKeyRow[]): { hash: string } | { error: string } {
  if (!policy) return { error: `policy ${zone.policy} is not in the database` };
  try {
    const document = renderSignconf({
      zone: zone.name,
      policy,
      keys: keys.map((k) => ({ flags: k.flags, algorithm: k.algorithm, locator: k.locator, states: k.states })),
      nsec3Salt: zone.nsec3Salt,
    });
    return { hash: contentHash(document) };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

function summary(verdicts: ZoneVerdict[], ageWords: string, databaseOnly: boolean): string {
  const bad = verdicts.filter((v) => v.state !== 'ok');
  const scope = databaseOnly ? ' (records only, files not read)' : '';
  if (verdicts.length === 0) return `no zones${scope}; ${ageWords}`;
  if (bad.length === 0) return `${count(verdicts.length, 'zone')}, every signconf as recorded${scope}; ${ageWords}`;
  // Worst first: CRITICAL states come before WARNING ones in the state order.
  const order = (v: ZoneVerdict) => (v.status === 'CRITICAL' ? 0 : 1);
  const named = [...bad].sort((a, b) => order(a) - order(b) || a.zone.localeCompare(b.zone)).slice(0, 3);
  const more = bad.length > named.length ? `, ${bad.length - named.length} more` : '';
  return `${bad.length} of ${count(verdicts.length, 'zone')} not as recorded${scope}: ${named.map((v) => `${v.zone} ${v.state.replace('_', ' ')}`).join(', ')}${more}; ${ageWords}`;
}
