// Wraps a command's work: builds the context from the global options, runs, closes the store,
// maps errors to the documented exit codes and logs one line with the outcome.

import type { Command } from 'commander';
import { InputError } from '../policy/errors.js';
import { EnforcerError, EXIT, type ExitCode } from '../util/exit-codes.js';
import { createLogger } from '../util/logger.js';
import { Context, type GlobalOptions } from './context.js';

/** What a command may return to have its outcome logged in its own words (one line, not two). */
export interface CommandOutcome {
  exitCode: ExitCode;
  message: string;
  fields?: Record<string, unknown>;
}

export type CommandFn<O> = (ctx: Context, opts: O, cmd: Command) => Promise<ExitCode | CommandOutcome | void>;

/** Exit code and message for any error; unknown errors are EXIT.ERROR. */
export function classify(e: unknown): { code: ExitCode; message: string } {
  if (e instanceof InputError) return { code: EXIT.BAD_INPUT, message: e.message };
  if (e instanceof EnforcerError) return { code: e.exitCode, message: e.message };
  return { code: EXIT.ERROR, message: e instanceof Error ? e.message : String(e) };
}

export function action<O>(fn: CommandFn<O>) {
  return async (...args: unknown[]): Promise<void> => {
    const cmd = args[args.length - 1] as Command;
    const opts = cmd.opts() as O;
    const global = cmd.optsWithGlobals() as GlobalOptions;
    const name = commandPath(cmd);
    let ctx: Context | null = null;
    try {
      ctx = Context.load(global);
      const r = (await fn(ctx, opts, cmd)) ?? EXIT.OK;
      if (ctx.labTimeUnused()) ctx.log.warn({ command: name, labTime: global.labTime }, `${name}: --lab-time had no effect: this command does not use the enforcer's clock`);
      const code = typeof r === 'object' ? r.exitCode : r;
      const message = typeof r === 'object' ? r.message : code === EXIT.OK ? 'ok' : `finished with exit code ${code}`;
      ctx.log.info({ command: name, exitCode: code, ...(typeof r === 'object' ? r.fields : {}) }, `${name}: ${message}`);
      process.exitCode = code;
    } catch (e) {
      const { code, message } = classify(e);
      const log = ctx?.log ?? createLogger({ level: global.logLevel ?? 'info' });
      // A stack only for the unexpected; the enforcer's own errors say all there is to say.
      const unexpected = e instanceof Error && !(e instanceof EnforcerError) && !(e instanceof InputError);
      log.error({ command: name, exitCode: code, ...(unexpected ? { stack: e.stack } : {}) }, `${name}: ${message}`);
      if (global.json) process.stdout.write(JSON.stringify({ error: message, exitCode: code }) + '\n');
      else process.stderr.write(`enforcer: ${message}\n`);
      process.exitCode = code;
    } finally {
      await ctx?.close().catch(() => undefined);
    }
  };
}

function commandPath(cmd: Command): string {
  const parts: string[] = [];
  for (let c: Command | null = cmd; c && c.parent; c = c.parent) parts.unshift(c.name());
  return parts.join(' ');
}
