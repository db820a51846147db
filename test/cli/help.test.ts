// Every command and subcommand prints usage with an example.

import { describe, expect, it } from 'vitest';
import type { Command } from 'commander';
import { buildProgram } from '../../src/cli/main.js';
import { runCli } from '../helpers/cli.js';

function commandPaths(cmd: Command, prefix: string[] = []): string[][] {
  return cmd.commands
    .filter((c) => c.name() !== 'help')
    .flatMap((c) => [[...prefix, c.name()], ...commandPaths(c, [...prefix, c.name()])]);
}

describe('--help', () => {
  const paths = [[], ...commandPaths(buildProgram())];
  it('covers the command groups', () => {
    expect(paths.map((p) => p.join(' '))).toEqual(
      expect.arrayContaining(['run', 'db init', 'db migrate', 'db status', 'policy import', 'zonelist export', 'zone add', 'zone set-policy']),
    );
  });
  it.each(paths.map((p) => [p.join(' ') || '(top level)', p] as const))('%s --help shows usage and an example', async (_, p) => {
    const r = await runCli([...p, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: enforcer/);
    expect(r.stdout).toMatch(/Examples?:\n  enforcer /);
  });
  it('exits 2 on a usage error', async () => {
    const r = await runCli(['zone', 'add', '--zone', 'example.com']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/required option '--policy <name>' not specified/);
  });
});
