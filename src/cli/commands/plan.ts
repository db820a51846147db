// `enforcer plan [--zone Z] --until DATE [--ds-delay DURATION]`: the coming transitions, DS steps
// and signconf changes of each zone, projected on a copy of its state with an operator who answers
// DS requests when due (or after --ds-delay). Read-only: nothing in the database or on disk changes.

import type { Command } from 'commander';
import { planZone, renderZonePlan, type ZonePlan } from '../../enforcer/plan-view.js';
import { parseDuration } from '../../policy/duration.js';
import { getPolicy } from '../../store/policies.js';
import { getZone, listZones, type ZoneRow } from '../../store/zones.js';
import type { Db } from '../../store/db.js';
import { EnforcerError, EXIT } from '../../util/exit-codes.js';
import { normaliseZoneName } from '../../zones/zone-name.js';
import { action } from '../action.js';
import { printJson, printLines } from '../output.js';

export function registerPlan(program: Command): void {
  program
    .command('plan')
    .description('show the key transitions, DS steps and signconf changes coming up to a date (changes nothing)')
    .requiredOption('--until <date>', 'end of the plan: an ISO date or date-time (UTC unless it has an offset), or a duration from now such as P1Y')
    .option('--zone <name>', 'only this zone')
    .option('--ds-delay <duration>', 'how long the operator takes to answer ds-seen / ds-gone, e.g. P2D', 'PT0S')
    .addHelpText(
      'after',
      `
Examples:
  enforcer plan --until P1Y
  enforcer plan --zone example.com --until 2027-01-01 --ds-delay P2D
  enforcer --json plan --zone example.com --until P2Y

Keys the plan creates are called "new KSK #1" and so on: which pool key a run takes, and so its
tag, is only known when it happens.`,
    )
    .action(
      action<{ until: string; zone?: string; dsDelay: string }>(async (ctx, o) => {
        const dsDelay = duration(o.dsDelay, '--ds-delay');
        const db = await ctx.readDb();
        // Read the clock after opening the database: a test database may shift it.
        const from = ctx.clock.now().getTime();
        const until = untilMs(o.until, from);
        const plans: ZonePlan[] = [];
        for (const zone of await zonesFor(db, o.zone)) {
          const policy = await getPolicy(db, zone.policy);
          if (!policy) throw new EnforcerError(`zone ${zone.name}: policy ${zone.policy} is not in the database`, EXIT.BAD_INPUT);
          plans.push(await planZone(db, zone.name, policy, from, until, dsDelay));
        }
        if (ctx.json) return printJson(plans);
        const banner = ctx.labBanner();
        if (banner) printLines([banner]);
        if (plans.length === 0) return printLines(['no zones']);
        printLines(plans.flatMap((p, i) => [...(i > 0 ? [''] : []), ...renderZonePlan(p)]));
      }),
    );
}

/** The zones to look at: all of them, or the one --zone names (which must exist). */
export async function zonesFor(db: Db, zone: string | undefined): Promise<ZoneRow[]> {
  if (zone === undefined) return listZones(db);
  const name = normaliseZoneName(zone, { path: '--zone' });
  const row = await getZone(db, name);
  if (!row) throw new EnforcerError(`no such zone ${name}`, EXIT.BAD_INPUT);
  return [row];
}

function duration(v: string, what: string): number {
  try {
    return parseDuration(v.toUpperCase());
  } catch (e) {
    throw new EnforcerError(`${what}: ${(e as Error).message}`, EXIT.USAGE);
  }
}

/** --until as ms: now + a duration (P…), or an ISO date / date-time in the future. */
function untilMs(v: string, now: number): number {
  if (/^p/i.test(v)) return now + duration(v, '--until') * 1000;
  const t = /^\d{4}-\d{2}-\d{2}/.test(v) ? Date.parse(v) : NaN;
  if (Number.isNaN(t)) throw new EnforcerError(`--until: expected a date such as 2027-01-01, a date-time such as 2027-01-01T12:00:00Z, or a duration such as P1Y, not ${v}`, EXIT.USAGE);
  if (t <= now) throw new EnforcerError(`--until ${v} is not in the future`, EXIT.USAGE);
  return t;
}
