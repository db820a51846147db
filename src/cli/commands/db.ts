// `enforcer db init [--lab]|migrate|status`. `db init --lab` makes the configured database a lab
// database (src/enforcer/lab-database.ts); `db status` and `db migrate` name a lab or test
// database as such.

import type { Command } from 'commander';
import { initLabDatabase } from '../../enforcer/lab-database.js';
import { readDatabaseKind, type DatabaseKind } from '../../store/database-kind.js';
import type { Db } from '../../store/db.js';
import { loadMigrations, migrate, schemaStatus } from '../../store/migrate.js';
import { openStore } from '../../store/open.js';
import { EnforcerError, EXIT } from '../../util/exit-codes.js';
import { action } from '../action.js';
import { databaseKindNote, printJson, printLines, printTable } from '../output.js';

/** The kind, where the schema already has the meta table; null on an empty database. */
async function kindIfAny(store: Db, schemaVersion: number): Promise<DatabaseKind | null> {
  return schemaVersion >= 1 ? readDatabaseKind(store) : null;
}

const INIT_HELP = `
A lab database is where an operator rehearses a timeline: there --lab-time WHEN (a global option,
before the command) runs any command as if the time were WHEN, so a few runs walk through a
rollover that takes months, and \`plan\` can be compared with what the runs really do. Every
command on a lab database says so (a warning log line; \`status\`, \`run\` and \`db status\` show
LAB; \`check lease\` and \`check all\` are at least WARNING), and the mark is never removed.

--lab is refused, with nothing changed, when the database holds production data: a lease epoch
above 0 (an enforcer has acted on it), any policy, zone, key, signconf record, run, audit entry,
node role record or meta row, or a test-suite mark; and when this configuration's signconf
directory or file keystores already hold signconf files or keys. Give the lab a database (or
dataDirectory), a signconf directory and a keystore of its own, and run this before anything else.
On a lab database it changes nothing (exit 0).

Examples:
  enforcer --config lab.yaml db init --lab
  enforcer --config lab.yaml run
  enforcer --config lab.yaml --lab-time P2D run
  enforcer --config lab.yaml --lab-time 2027-02-22T05:00:00Z plan --until P1Y
  enforcer --config enforcer.yaml db init          (schema only, as db migrate)

Exit codes: 0 marked (or already a lab database), 1 refused: the database holds production data
or the lab's directories hold files (the message lists them), 3 bad configuration,
69 database unreachable, 75 the embedded database is in use by another process,
78 database schema newer than this program.`;

export function registerDb(program: Command): void {
  const db = program
    .command('db')
    .description('database schema; lab databases')
    .addHelpText('after', '\nExamples:\n  enforcer db status\n  enforcer db migrate\n  enforcer --config lab.yaml db init --lab');
  db.command('init')
    .description('bring the schema up to date; with --lab, mark an empty database as a lab database (a moved clock allowed)')
    .option('--lab', 'mark the database as a lab database: refused when it holds production data')
    .addHelpText('after', INIT_HELP)
    .action(
      action<{ lab?: boolean }>(async (ctx, o) => {
        const store = await ctx.db();
        const version = (await schemaStatus(store)).current;
        if (!o.lab) {
          const kind = await readDatabaseKind(store);
          if (ctx.json) printJson({ database: store.description, version, kind });
          else printLines([`database ${store.description}${databaseKindNote(kind)}: schema at version ${version}`]);
          return;
        }
        const r = await initLabDatabase(store, ctx.config, 'db init --lab');
        if (r.outcome === 'refused') {
          throw new EnforcerError(
            `refused: ${r.database} cannot become a lab database: ${r.found.join('; ')}. ` +
              'A lab needs a new, empty database (or dataDirectory), a signconf directory and a keystore of its own; ' +
              'run enforcer db init --lab there before anything else',
            EXIT.ERROR,
          );
        }
        const changed = r.outcome === 'marked';
        if (ctx.json) printJson({ database: r.database, version, kind: 'lab', changed });
        else {
          printLines([
            changed
              ? `database ${r.database} is now a LAB database: --lab-time WHEN (or ENFORCER_CLOCK_OFFSET) moves the clock there; every command on it says LAB`
              : `database ${r.database} is already a LAB database; nothing changed`,
          ]);
        }
        return { exitCode: EXIT.OK, message: changed ? 'marked as a lab database' : 'already a lab database', fields: { database: r.database, changed } };
      }),
    );
  db.command('migrate')
    .description('apply pending schema migrations (each in a transaction, under an advisory lock)')
    .addHelpText('after', '\nExample:\n  enforcer --config enforcer.yaml db migrate')
    .action(
      action(async (ctx) => {
        const store = await openStore(ctx.config, ctx.log);
        try {
          const applied = await migrate(store);
          const status = await schemaStatus(store);
          const kind = await kindIfAny(store, status.current);
          if (ctx.json) printJson({ applied, version: status.current, database: store.description, kind });
          else {
            const done = applied.length ? `applied ${applied.join(', ')}; schema at version ${status.current}` : `schema up to date at version ${status.current}`;
            process.stdout.write(`${done}${databaseKindNote(kind)}\n`);
          }
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
          // A schema newer than this program may keep the mark elsewhere: not read then.
          const kind = s.current <= s.latest ? await kindIfAny(store, s.current) : null;
          if (ctx.json) {
            printJson({ database: store.description, kind, current: s.current, latest: s.latest, pending: s.pending.map((m) => m.version), applied: s.applied });
          } else {
            process.stdout.write(`database ${store.description}${databaseKindNote(kind)}: schema version ${s.current}, this program knows ${s.latest}\n`);
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
