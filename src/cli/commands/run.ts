// `enforcer run`: the cron job.

import type { Command } from 'commander';
import { runEnforcer, type RunSummary } from '../../enforcer/run.js';
import { EXIT } from '../../util/exit-codes.js';
import { normaliseZoneName } from '../../zones/zone-name.js';
import { action } from '../action.js';
import { printJson } from '../output.js';
import { autoTakeoverDue } from '../../failover/auto-takeover.js';
import { runFailover } from '../../failover/failover.js';
import { printFailover } from '../../failover/report.js';

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('enforce every due zone (with --force every zone): keys, states, signconf files (the cron job)')
    .option('--zone <name...>', 'only these zones')
    .option('--force', 'examine every zone (or the --zone ones), due or not, and rewrite its signconf file even when unchanged (as `enforcer signconf`)')
    .option('--quiet', 'print the summary only when the operator must act (errors, DS changes at the parent); for cron')
    .addHelpText(
      'after',
      `
Examples:
  enforcer --config /etc/dnssec-enforcer/enforcer.yaml run
  enforcer --config /etc/dnssec-enforcer/enforcer.yaml run --force   (rewrite every signconf file now)
  */5 * * * *  enforcer --config /etc/dnssec-enforcer/enforcer.yaml run --quiet   (crontab, same line on both nodes;
               with log.file set, cron mails only when the operator must act)

Exit codes: 0 done (or standby: nothing to do on this node), 4 some zones failed,
75 another process holds the run lock or lease (or this run lost it), 3 bad input,
69 database unreachable, 1 error (e.g. a failing role-change hook).`,
    )
    .action(
      action<{ zone?: string[]; force?: boolean; quiet?: boolean }>(async (ctx, opts) => {
        const db = await ctx.db();
        const zones = opts.zone?.map((z) => normaliseZoneName(z, { path: '--zone' }));
        const summary = await runEnforcer(
          { db, config: ctx.config, keystores: ctx.keystores, clock: ctx.clock, log: ctx.log },
          { ...(zones ? { zones } : {}), force: opts.force ?? false },
        );
        const silent = summary.role === 'standby' ? await autoTakeoverDue(db, ctx.config) : null;
        if (silent) {
          ctx.log.warn({ activeNode: silent.node }, `automatic takeover: ${silent.why}`);
          const report = await runFailover(
            { config: ctx.config, openDb: async () => db, keystores: ctx.keystores, clock: ctx.clock, log: ctx.log },
            { partnerDown: false, reason: 'automatic takeover (failover.autoTakeover)', actor: 'run (automatic takeover)' },
          );
          if (ctx.json) printJson(report);
          else printFailover(report);
          return { exitCode: report.exitCode, message: `automatic takeover: failover ${report.verdict}`, fields: { verdict: report.verdict, from: silent.node } };
        }
        const needsOperator = summary.errors.length > 0 || summary.dsRequests.length > 0;
        if (ctx.json) printJson({ ...summary, ...ctx.labJson() });
        else if (!opts.quiet || needsOperator) process.stdout.write(describeRun(summary, ctx.labBanner()) + '\n');
        if (summary.role === 'standby') {
          // Exactly one log line on the standby: the same cron entry runs on both nodes.
          return {
            exitCode: EXIT.OK,
            message: `standby: ${summary.activeNode} is the active node (epoch ${summary.epoch}); nothing to do on ${summary.node}`,
            fields: { role: 'standby', activeNode: summary.activeNode, epoch: summary.epoch },
          };
        }
        return summary.errors.length > 0 ? EXIT.PARTIAL : EXIT.OK;
      }),
    );
}

/** The run's report; `banner` (a lab database's) comes first. */
export function describeRun(s: RunSummary, banner: string | null = null): string {
  const head = banner ? [banner] : [];
  if (s.role === 'standby') return [...head, `standby: ${s.activeNode} is the active node (epoch ${s.epoch}); nothing done on ${s.node}`].join('\n');
  const lines = [
    ...head,
    `run on ${s.node} (epoch ${s.epoch}): ${s.outcome}`,
    `  zones examined ${s.zonesExamined}, changed ${s.zonesChanged}, signconf written ${s.signconfWritten}, keys generated ${s.keysGenerated}`,
  ];
  if (s.runsAbandoned > 0) {
    lines.push(`  earlier runs abandoned: ${s.runsAbandoned} (left running by a process that stopped without finishing: killed?)`);
  }
  if (s.tempFilesRemoved > 0 || s.tempFilesNotRemoved > 0) {
    const failed = s.tempFilesNotRemoved > 0 ? `, ${s.tempFilesNotRemoved} could not be removed (see the log)` : '';
    lines.push(`  stale temp files removed: ${s.tempFilesRemoved} (left by interrupted writes)${failed}`);
  }
  const imp = s.imported;
  if (imp?.policies) lines.push(`  policies: ${fmtCounts(imp.policies)}`);
  if (imp?.zones) lines.push(`  zones: ${fmtCounts(imp.zones)}`);
  for (const r of s.dsRequests) {
    lines.push(
      r.type === 'ds-submit'
        ? `  ds-submit: ${r.zone} key ${r.keyTag}: put its DS at the parent, then: enforcer key ds-seen --zone ${r.zone} --keytag ${r.keyTag}`
        : `  ds-retract: ${r.zone} key ${r.keyTag}: remove its DS from the parent, then: enforcer key ds-gone --zone ${r.zone} --keytag ${r.keyTag}`,
    );
  }
  for (const c of s.dsCommands) {
    const interrupted = c.interruptedAt ? `, after an attempt interrupted at ${c.interruptedAt}` : '';
    lines.push(`  ${c.type} command: ${c.zone} key ${c.keyTag} (attempt ${c.attempt}${interrupted}): ${c.ok ? 'ok' : `${c.summary}; the next run tries again`}`);
  }
  for (const e of s.errors) lines.push(`  error: ${e.zone}: ${e.message}`);
  lines.push(`  next run needed: ${s.nextRunAt ?? 'when a zone is added'}`);
  return lines.join('\n');
}

function fmtCounts(c: { added: string[]; updated: string[]; unchanged: string[]; removed: string[] }): string {
  return `${c.added.length} added, ${c.updated.length} updated, ${c.unchanged.length} unchanged, ${c.removed.length} removed`;
}
