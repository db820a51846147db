// `enforcer config fingerprint|compare`: is this node configured exactly like the active node?

import type { Command } from 'commander';
import { configDifferences } from '../../lease/config-diff.js';
import {
  DETAILS_META_KEY, fingerprintInput, fingerprintOf, FINGERPRINT_META_KEY, parseRecordedFingerprint, type FingerprintInput,
} from '../../lease/config-fingerprint.js';
import { getMeta } from '../../store/meta.js';
import { EnforcerError, EXIT } from '../../util/exit-codes.js';
import { action } from '../action.js';
import { printJson, printLines } from '../output.js';

export function registerConfig(program: Command): void {
  const config = program
    .command('config')
    .description("this node's configuration against the active node's")
    .addHelpText('after', '\nExamples:\n  enforcer config fingerprint\n  enforcer config compare');

  config
    .command('fingerprint')
    .description('SHA-256 over the parsed policies, zone list and keystore names (what both nodes must share)')
    .addHelpText('after', '\nExample:\n  enforcer config fingerprint')
    .action(
      action(async (ctx) => {
        const input = await fingerprintInput(ctx.config);
        const sha256 = fingerprintOf(input);
        if (ctx.json) return printJson({ sha256, policies: input.policies.length, zones: input.zones.length, keystores: input.keystoreNames });
        printLines([sha256]);
      }),
    );

  config
    .command('compare')
    .description("print one 'difference:' line per item that differs from the active node's recorded configuration")
    .addHelpText(
      'after',
      '\nExample:\n  enforcer config compare\n\nExit codes: 0 identical, 1 differences found (or nothing recorded yet to compare with), 3 this node\'s files do not parse.',
    )
    .action(
      action(async (ctx) => {
        const db = await ctx.readDb();
        const recorded = parseRecordedFingerprint(await getMeta(db, FINGERPRINT_META_KEY));
        const details = await getMeta(db, DETAILS_META_KEY);
        if (!recorded || details === null) {
          throw new EnforcerError('no configuration recorded yet: the active node records it at every run', EXIT.ERROR);
        }
        const mine = await fingerprintInput(ctx.config);
        const sha256 = fingerprintOf(mine);
        const diffs = sha256 === recorded.sha256 ? [] : configDifferences(mine, JSON.parse(details) as FingerprintInput, recorded.node);
        if (sha256 !== recorded.sha256 && diffs.length === 0) diffs.push(`fingerprint: this node ${sha256}, ${recorded.node} ${recorded.sha256}`);
        if (ctx.json) printJson({ node: ctx.config.node, sha256, recorded, differences: diffs });
        else if (diffs.length === 0) printLines([`identical to the configuration ${recorded.node} recorded at ${recorded.at} (${sha256.slice(0, 12)})`]);
        else printLines(diffs.map((d) => `difference: ${d}`));
        return diffs.length === 0 ? EXIT.OK : EXIT.ERROR;
      }),
    );
}
