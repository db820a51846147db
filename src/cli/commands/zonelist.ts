// `enforcer zonelist import|export`.

import path from 'node:path';
import type { Command } from 'commander';
import { applyInputs, parseZonelistFile } from '../../enforcer/import-files.js';
import { listZones } from '../../store/zones.js';
import { serializeZonelist } from '../../zones/zonelist.js';
import { action } from '../action.js';
import { printJson } from '../output.js';

export function registerZonelist(program: Command): void {
  const zl = program
    .command('zonelist')
    .description('the zone list (zonelist.xml)')
    .addHelpText('after', '\nExamples:\n  enforcer zonelist import\n  enforcer zonelist export > zonelist.xml');
  zl.command('import')
    .description('import zones from zonelist.xml (all or nothing)')
    .option('--file <path>', 'zonelist.xml to import (default: the configured one)')
    .option('--remove-missing', 'delete zones that are not in the file')
    .addHelpText('after', '\nExamples:\n  enforcer zonelist import\n  enforcer zonelist import --file /etc/opendnssec/zonelist.xml --remove-missing')
    .action(
      action<{ file?: string; removeMissing?: boolean }>(async (ctx, opts) => {
        const file = opts.file ? path.resolve(opts.file) : ctx.config.zonelist;
        const parsed = await parseZonelistFile(file);
        const r = await ctx.withLease((db, fence) =>
          applyInputs(db, fence, { zones: parsed }, { removeMissing: opts.removeMissing ?? false, actor: 'zonelist import', configured: ctx.config }),
        );
        const c = r.zones!;
        if (ctx.json) printJson(c);
        else
          process.stdout.write(
            `zones from ${file}: ${c.added.length} added, ${c.updated.length} updated, ${c.unchanged.length} unchanged, ${c.removed.length} removed\n`,
          );
      }),
    );
  zl.command('export')
    .description('print the zones in the database as zonelist.xml')
    .addHelpText('after', '\nExample:\n  enforcer zonelist export > zonelist.xml')
    .action(
      action(async (ctx) => {
        // Full signconf paths make the export valid against OpenDNSSEC's zonelist schema.
        process.stdout.write(serializeZonelist(await listZones(await ctx.readDb()), { signconfDir: ctx.config.signconfDirectory }));
      }),
    );
}
