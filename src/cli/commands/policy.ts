// `enforcer policy import|list|export`.

import path from 'node:path';
import type { Command } from 'commander';
import { applyInputs, parsePolicyFile } from '../../enforcer/import-files.js';
import { formatDurationReadable } from '../../policy/duration.js';
import { serializeKasp } from '../../policy/kasp.js';
import { listPolicies } from '../../store/policies.js';
import { action } from '../action.js';
import { printJson, printTable } from '../output.js';

export function registerPolicy(program: Command): void {
  const policy = program
    .command('policy')
    .description('key and signing policies (kasp.xml)')
    .addHelpText('after', '\nExamples:\n  enforcer policy import\n  enforcer policy list');
  policy
    .command('import')
    .description('import policies from kasp.xml (all or nothing)')
    .option('--file <path>', 'kasp.xml to import (default: the configured one)')
    .option('--remove-missing', 'delete policies that are not in the file (refused while zones use them)')
    .addHelpText('after', '\nExamples:\n  enforcer policy import\n  enforcer policy import --file /etc/opendnssec/kasp.xml --remove-missing')
    .action(
      action<{ file?: string; removeMissing?: boolean }>(async (ctx, opts) => {
        const file = opts.file ? path.resolve(opts.file) : ctx.config.kasp;
        const parsed = await parsePolicyFile(file);
        const r = await ctx.withLease((db, fence) =>
          applyInputs(db, fence, { policies: parsed }, { removeMissing: opts.removeMissing ?? false, actor: 'policy import', configured: ctx.config }),
        );
        if (ctx.json) printJson(r.policies);
        else {
          const c = r.policies!;
          process.stdout.write(
            `policies from ${file}: ${c.added.length} added, ${c.updated.length} updated, ${c.unchanged.length} unchanged, ${c.removed.length} removed\n`,
          );
        }
      }),
    );
  policy
    .command('list')
    .description('list the policies in the database')
    .addHelpText('after', '\nExamples:\n  enforcer policy list\n  enforcer --json policy list')
    .action(
      action(async (ctx) => {
        const policies = await listPolicies(await ctx.readDb());
        if (ctx.json) return printJson(policies);
        printTable(
          ['POLICY', 'KEYS', 'DENIAL', 'DESCRIPTION'],
          policies.map((p) => [
            p.name,
            p.keys.list.map((k) => `${k.role}/${k.algorithm}/${formatDurationReadable(k.lifetime)}`).join(' '),
            p.denial.type,
            p.description,
          ]),
        );
      }),
    );
  policy
    .command('export')
    .description('print the policies in the database as kasp.xml')
    .addHelpText('after', '\nExample:\n  enforcer policy export > kasp.xml')
    .action(
      action(async (ctx) => {
        process.stdout.write(serializeKasp(await listPolicies(await ctx.readDb())));
      }),
    );
}
