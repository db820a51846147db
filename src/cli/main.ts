// The `enforcer` command line: global options, one registration per command group, and the
// mapping of usage errors to exit code 2. Each command lives in src/cli/commands/.

import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { EXIT } from '../util/exit-codes.js';
import { CHECK_USAGE_EXIT, isCheckInvocation, registerCheck } from './commands/check.js';
import { registerConfig } from './commands/config.js';
import { registerDb } from './commands/db.js';
import { registerFailover } from './commands/failover.js';
import { registerSwitchover } from './commands/switchover.js';
import { registerKey } from './commands/key.js';
import { registerPlan } from './commands/plan.js';
import { registerRollover } from './commands/rollover.js';
import { registerSignconf } from './commands/signconf.js';
import { registerPolicy } from './commands/policy.js';
import { registerRun } from './commands/run.js';
import { registerStatus } from './commands/status.js';
import { registerZone } from './commands/zone.js';
import { registerZonelist } from './commands/zonelist.js';
import { DEFAULT_CONFIG } from './context.js';
import { LAB_TIME_HELP } from './test-settings.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

export function buildProgram(): Command {
  const program = new Command('enforcer')
    .description('DNSSEC key enforcer: keys, rollovers and signconf files for OpenDNSSEC-compatible signers')
    .version(pkg.version)
    .option('-c, --config <file>', `configuration file (env ENFORCER_CONFIG, default ${DEFAULT_CONFIG})`)
    .option('--json', 'machine-readable output on stdout')
    .addOption(new Option('--log-level <level>', 'log level (logs go to stderr)').choices(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']))
    .option('--lab-time <when>', LAB_TIME_HELP)
    .showHelpAfterError()
    .addHelpText(
      'after',
      `
Examples:
  enforcer --config /etc/dnssec-enforcer/enforcer.yaml run
  enforcer -c enforcer.yaml zone add --zone example.com --policy default
  enforcer -c enforcer.yaml --json zone list
  enforcer -c lab.yaml --lab-time 2027-02-22T05:00:00Z run     (a lab database only: see enforcer db init --help)

Exit codes:
  0 ok   1 error   2 usage   3 bad input (nothing changed)   4 some zones failed
  69 database unreachable   75 another node or process is acting   78 database schema newer than this program`,
    );
  registerRun(program);
  registerStatus(program);
  registerDb(program);
  registerPolicy(program);
  registerZonelist(program);
  registerZone(program);
  registerKey(program);
  registerRollover(program);
  registerPlan(program);
  registerSignconf(program);
  registerConfig(program);
  registerFailover(program);
  registerSwitchover(program);
  registerCheck(program);
  // Every (sub)command exits 2 on a usage error instead of commander's default 1.
  const exitOverride = (c: Command) => {
    c.exitOverride();
    c.commands.forEach(exitOverride);
  };
  exitOverride(program);
  return program;
}

/** Global options that take a value: `check` is found only after them (see isCheckInvocation). */
export const GLOBAL_OPTIONS_WITH_VALUE = ['-c', '--config', '--log-level', '--lab-time'] as const;

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  // `check` follows the monitoring-plugin conventions: -c is its critical threshold, so global options
  // must come before the command name there; and a usage error is UNKNOWN (3), since 2 means CRITICAL.
  const check = isCheckInvocation(argv.slice(2), GLOBAL_OPTIONS_WITH_VALUE);
  if (check) program.enablePositionalOptions();
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      const ok = e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help';
      process.exitCode = ok ? EXIT.OK : check ? CHECK_USAGE_EXIT : EXIT.USAGE;
      return;
    }
    throw e;
  }
}
