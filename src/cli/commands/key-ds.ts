// `enforcer key ds-submit|ds-seen|ds-retract|ds-gone` and `enforcer key rollover`: the operator's
// side of the DS workflow and manual rolls; `key ds-check` (key-ds-check.ts) automates ds-seen / ds-gone.

import type { Command } from 'commander';
import { recordDsAnswer, requestRoll, type DsAnswer } from '../../enforcer/operator-input.js';
import { EnforcerError, EXIT } from '../../util/exit-codes.js';
import { normaliseZoneName } from '../../zones/zone-name.js';
import { action } from '../action.js';
import { printJson } from '../output.js';
import { registerKeyDsCheck } from './key-ds-check.js';

const DS_HELP: Record<DsAnswer, { what: string; then: string }> = {
  'ds-submit': { what: 'record that the DS of a KSK/CSK was submitted to the parent', then: 'wait for it to appear, then ds-seen' },
  'ds-seen': { what: 'record that the DS is served by every parent nameserver (the roll goes on after the DS TTL and delays)', then: 'the next run continues the roll' },
  'ds-retract': { what: 'record that the removal of a DS was passed on to the parent', then: 'wait for it to disappear, then ds-gone' },
  'ds-gone': { what: 'record that the DS is gone from every parent nameserver', then: 'the next run continues the roll' },
};

export function registerKeyDs(key: Command): void {
  for (const what of Object.keys(DS_HELP) as DsAnswer[]) {
    key
      .command(what)
      .description(DS_HELP[what].what)
      .requiredOption('--zone <name>', 'zone')
      .option('--keytag <tag>', 'the key, by key tag', (v) => Number(v))
      .option('--locator <id>', 'the key, by locator')
      .option('--all', `every key of the zone waiting for ${what}`)
      .addHelpText('after', `\nExamples:\n  enforcer key ${what} --zone example.com --keytag 12345\n  enforcer key ${what} --zone example.com --all`)
      .action(
        action<{ zone: string; keytag?: number; locator?: string; all?: boolean }>(async (ctx, o) => {
          const chosen = [o.keytag !== undefined, o.locator !== undefined, o.all === true].filter(Boolean).length;
          if (chosen !== 1) throw new EnforcerError('give exactly one of --keytag, --locator, --all', EXIT.USAGE);
          if (o.keytag !== undefined && !(Number.isInteger(o.keytag) && o.keytag >= 0 && o.keytag <= 65535)) {
            throw new EnforcerError('--keytag must be a number from 0 to 65535', EXIT.USAGE);
          }
          const zone = normaliseZoneName(o.zone, { path: '--zone' });
          const r = await ctx.withLease((db, fence) =>
            recordDsAnswer(db, fence, zone, what, { keyTag: o.keytag, locator: o.locator, all: o.all }, ctx.clock.now(), `key ${what}`),
          );
          if (ctx.json) return printJson(r);
          for (const k of r.keys) process.stdout.write(`${zone} key ${k.keyTag}: DS ${k.from} -> ${k.to}; ${DS_HELP[what].then}\n`);
        }),
      );
  }

  key
    .command('rollover')
    .description('start a roll of the zone\'s KSK, ZSK or CSK at the next run (also for <ManualRollover/> policies)')
    .requiredOption('--zone <name>', 'zone')
    .requiredOption('--keytype <role>', 'KSK, ZSK or CSK')
    .addHelpText('after', '\nExample:\n  enforcer key rollover --zone example.com --keytype ZSK')
    .action(
      action<{ zone: string; keytype: string }>(async (ctx, o) => {
        const role = o.keytype.toUpperCase();
        if (role !== 'KSK' && role !== 'ZSK' && role !== 'CSK') throw new EnforcerError('--keytype must be KSK, ZSK or CSK', EXIT.USAGE);
        const zone = normaliseZoneName(o.zone, { path: '--zone' });
        await ctx.withLease((db, fence) => requestRoll(db, fence, zone, role, 'key rollover'));
        if (ctx.json) return printJson({ zone, role, requested: true });
        process.stdout.write(`${zone}: ${role} roll requested; the next run starts it\n`);
      }),
    );

  registerKeyDsCheck(key);
}
