// `enforcer db migrate|status`.

import type { Command } from 'commander';
import { loadMigrations, migrate, schemaStatus } from '../../store/migrate.js';
import { openStore } from '../../store/open.js';
import { EXIT } from '../../util/exit-codes.js';
import { action } from '../action.js';
import { printJson, printTable } from '../output.js';

export function registerDb(program: Command): void {
  const db = program
    .command('db')
    .description('database schema')
    .addHelpText('after', '\nExamples:\n  enforcer db status\n  enforcer db migrate');
  db.command('migrate')
    .description('apply pending schema migrations (each in a transaction, under an advisory lock)')
    .addHelpText('after', '\nExample:\n  enforcer --config enforcer.yaml db migrate')
    .action(
      action(async (ctx) => {
        const store = await openStore(ctx.config, ctx.log);
        try {
          const applied = await migrate(store);
          const status = await schemaStatus(store);
          if (ctx.json) printJson({ applied, version: status.current, database: store.description });
          else process.stdout.write(applied.length ? `applied ${applied.join(', ')}; schema at version ${status.current}\n` : `schema up to date at version ${status.current}\n`);
        } finally {
          await store.close();
        }
      }),
    );
  db.command('status')
    .description('show applied and pending migrations')
    .addHelpText('after', '\nExample:\n  enforcer --config enforcer.yaml --json db status\n\nExit codes: 0 up to date, 1 migrations pending, 78 schema newer than this program.')
    .action(
      action(async (ctx) => {
        const store = await openStore(ctx.config, ctx.log);
        try {
          const s = await schemaStatus(store);
          const all = loadMigrations();
          if (ctx.json) {
            printJson({ database: store.description, current: s.current, latest: s.latest, pending: s.pending.map((m) => m.version), applied: s.applied });
          } else {
            process.stdout.write(`database ${store.description}: schema version ${s.current}, this program knows ${s.latest}\n`);
            printTable(
              ['VERSION', 'NAME', 'APPLIED'],
              [
                ...s.applied.map((a) => [a.version, a.name, a.appliedAt.toISOString()]),
                ...all.filter((m) => m.version > s.current).map((m) => [m.version, m.name, 'pending']),
              ],
            );
          }
          if (s.current > s.latest) return EXIT.SCHEMA_TOO_NEW;
          return s.pending.length ? EXIT.ERROR : EXIT.OK;
        } finally {
          await store.close();
        }
      }),
    );
}
