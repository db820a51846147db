// `enforcer check <name>`: monitoring checks in the monitoring-plugin conventions (Nagios, Icinga,
// NRPE): one status line with performance data, long output, exit 0 OK, 1 WARNING, 2 CRITICAL,
// 3 UNKNOWN — also when the check cannot run (bad option, bad configuration, database unreachable).
// Read-only like `status`: no lock, no lease, no write; only --output writes, atomically.
// The checks themselves live in src/checks/; this file wires options to them.

import type { Command } from 'commander';
import type { CheckSpec } from '../../checks/check.js';
import { checkTitle } from '../../checks/nagios.js';
import { emit, render, type Format } from '../../checks/output.js';
import { ALL_CHECKS } from '../../checks/registry.js';
import { runCheck } from '../../checks/runner.js';
import { CheckUsageError, formatOf, settingsOf, type CheckSettings, type RawCheckOptions } from '../../checks/settings.js';
import { exitCodeOf, unknownResult, type CheckResult } from '../../checks/types.js';
import { systemClock } from '../../util/clock.js';
import { classify } from '../action.js';
import { Context, type GlobalOptions } from '../context.js';

/** A usage error of `check` is UNKNOWN (3): exit 2 would page someone as CRITICAL. */
export const CHECK_USAGE_EXIT = 3;

/** Whether argv (after node and the script) runs `check`: its first word that is not a global option or a global option's value. */
export function isCheckInvocation(args: readonly string[], globalsWithValue: readonly string[]): boolean {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (globalsWithValue.includes(a)) i++;
    else if (a === '--') return args[i + 1] === 'check';
    else if (!a.startsWith('-')) return a === 'check';
  }
  return false;
}

const EXIT_CODES = `Exit codes (the monitoring-plugin convention): 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN
(also when the check cannot run: bad option, bad configuration, database unreachable).`;

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerCheck(program: Command): void {
  const check = program
    .command('check')
    .description('monitoring checks for Nagios, Icinga and Prometheus (read-only, safe on every node at any rate)')
    .addHelpText(
      'after',
      `
Examples:
  enforcer -c /etc/dnssec-enforcer/enforcer.yaml check all
  enforcer -c /etc/dnssec-enforcer/enforcer.yaml check signconf -w 1h -c 1d
  enforcer -c /etc/dnssec-enforcer/enforcer.yaml check live -w 3d -c 1d --zone example.com
  enforcer -c /etc/dnssec-enforcer/enforcer.yaml check all --format prometheus --output /var/lib/node_exporter/textfile/enforcer.prom

Global options (-c/--config, --json, --log-level) go before "check": after it, -c is the critical threshold.
Output: "NAME STATUS - summary | perfdata", then one line per finding, worst first.
${EXIT_CODES}
See docs/monitoring.md for command definitions, alert rules and what to do about each finding.`,
    );
  statusLineOnError(check, 'all');
  for (const spec of ALL_CHECKS) registerOne(check, spec);
}

/**
 * Commander's own usage errors (unknown option, missing value) still go to stderr with the usage,
 * and also become the status line on stdout, where the monitoring system looks.
 */
function statusLineOnError(cmd: Command, check: string): void {
  cmd.configureOutput({
    outputError: (text, write) => {
      write(text);
      const message = text.trim().split('\n')[0]!.replace(/^error: /, '');
      process.stdout.write(`${checkTitle(check)} UNKNOWN - usage: ${message}\n`);
    },
  });
}

function registerOne(group: Command, spec: CheckSpec): void {
  const cmd = group.command(spec.name).description(spec.description);
  statusLineOnError(cmd, spec.name);
  const t = spec.thresholds;
  if (t) {
    const unit = 'seconds, or with a unit s, m, h, d; a range in the monitoring-plugin syntax ([@]start:end) works too';
    cmd.option('-w, --warning <range>', `warning threshold on ${t.what} (${unit}); default ${t.warning}`);
    cmd.option('-c, --critical <range>', `critical threshold (same syntax); default ${t.critical}`);
  }
  if (spec.name !== 'lease' && spec.name !== 'keystore') cmd.option('--zone <name>', 'only this zone (repeat for more)', collect);
  if (spec.name === 'signconf' || spec.name === 'all') {
    cmd.option('--database-only', "compare the records with the database's state but leave the files alone (a standby without the active node's signconf directory)");
  }
  if (spec.name === 'lease' || spec.name === 'all') cmd.option('--ignore-node <name>', 'a node taken out of service: do not report its stale role record (repeat for more)', collect);
  cmd
    .option('--format <format>', 'nagios (default), json or prometheus (text exposition for the node_exporter textfile collector)')
    .option('--json', 'the same as --format json (as the global --json)')
    .option('--output <file>', 'write the output to this file, atomically, instead of stdout')
    .option('--max-lines <n>', 'long output lines at most (nagios format; default 10)')
    .addHelpText('after', helpFor(spec))
    .action(async (opts: RawCheckOptions, c: Command) => {
      try {
        process.exitCode = await runCheckCommand(spec, opts, c.optsWithGlobals() as GlobalOptions);
      } catch (e) {
        // Whatever went wrong, the monitoring system gets a status line, not a stack trace.
        process.stdout.write(`${checkTitle(spec.name)} UNKNOWN - internal error: ${(e as Error).message}\n`);
        process.exitCode = CHECK_USAGE_EXIT;
      }
    });
}

function helpFor(spec: CheckSpec): string {
  const name = spec.name;
  const t = spec.thresholds;
  const examples = [
    `enforcer -c /etc/dnssec-enforcer/enforcer.yaml check ${name}`,
    ...(t ? [`enforcer -c /etc/dnssec-enforcer/enforcer.yaml check ${name} -w ${t.warning} -c ${t.critical}`] : []),
    `enforcer -c /etc/dnssec-enforcer/enforcer.yaml check ${name} --format prometheus --output /var/lib/node_exporter/textfile/enforcer-${name}.prom`,
  ];
  const thresholds = t
    ? `\nThresholds: -w/-c on ${t.what}; defaults -w ${t.warning} -c ${t.critical}. A plain value alerts ${t.direction === 'above' ? 'above' : 'below'} it.`
    : name === 'all'
      ? '\nThresholds: each check uses its defaults; give -w/-c to the individual checks.'
      : '\nThresholds: none (nothing here is a matter of degree).';
  return `\nExamples:\n${examples.map((e) => `  ${e}`).join('\n')}\n${thresholds}\n\n${EXIT_CODES}`;
}

async function runCheckCommand(spec: CheckSpec, opts: RawCheckOptions, globals: GlobalOptions): Promise<0 | 1 | 2 | 3> {
  let format: Format = 'nagios';
  let settings: CheckSettings;
  try {
    format = formatOf(opts, globals.json === true);
    settings = settingsOf(spec, opts);
  } catch (e) {
    if (!(e instanceof CheckUsageError)) throw e;
    // Usage errors go to stdout (where the monitoring system looks) and never into --output.
    process.stdout.write(render(unknownResult(spec.name, `usage: ${e.message}`), { format, node: null, at: systemClock.now() }));
    return CHECK_USAGE_EXIT;
  }
  let ctx: Context | null = null;
  let configError: string | null = null;
  try {
    ctx = Context.load(globals);
  } catch (e) {
    configError = classify(e).message;
  }
  try {
    const c = ctx;
    const result: CheckResult = c
      ? // The clock is read through ctx: opening the database may shift it (test databases only).
        await runCheck(spec, { config: c.config, openDb: () => c.readDb(), now: () => c.clock.now(), nodeNow: () => c.nodeClock.now() }, settings)
      : unknownResult(spec.name, `configuration: ${configError}`);
    const text = render(result, { format, maxLines: settings.maxLines, node: ctx?.config.node ?? null, at: (ctx?.clock ?? systemClock).now() });
    try {
      await emit(text, opts.output);
    } catch (e) {
      process.stdout.write(`${checkTitle(spec.name)} UNKNOWN - cannot write ${opts.output}: ${(e as Error).message}\n`);
      return 3;
    }
    ctx?.log.debug({ command: `check ${spec.name}`, status: result.status, findings: result.findings.length }, `check ${spec.name}: ${result.status}`);
    return exitCodeOf(result.status);
  } finally {
    await ctx?.close().catch(() => undefined);
  }
}
