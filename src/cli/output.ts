// Printing results: aligned plain-text tables for people, JSON for scripts (--json). Results go
// to stdout; logs go to stderr, so `--json` output can be piped without filtering.

import type { DatabaseKind } from '../store/database-kind.js';

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/**
 * A JSON array written element by element, byte for byte what printJson prints for the whole
 * array, waiting for stdout to drain: a listing of 10,000 zones never sits in memory at once.
 */
export function jsonArrayWriter(): { push: (item: unknown) => Promise<void>; end: () => Promise<void> } {
  let count = 0;
  const write = (text: string) =>
    new Promise<void>((resolve, reject) => {
      if (process.stdout.write(text, (e) => (e ? reject(e) : undefined))) resolve();
      else process.stdout.once('drain', resolve);
    });
  return {
    push: (item) => write(`${count++ === 0 ? '[\n' : ',\n'}${JSON.stringify(item, null, 2).replace(/^/gm, '  ')}`),
    end: () => write(count === 0 ? '[]\n' : '\n]\n'),
  };
}

export function printTable(headers: string[], rows: Array<Array<string | number | null | undefined>>): void {
  const cells = rows.map((r) => r.map((c) => (c === null || c === undefined ? '-' : String(c))));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]?.length ?? 0)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  process.stdout.write([line(headers), ...cells.map(line)].join('\n') + '\n');
}

export function printLines(lines: string[]): void {
  if (lines.length) process.stdout.write(lines.join('\n') + '\n');
}

/** What follows a database's description wherever a command names it: nothing for production. */
export function databaseKindNote(kind: DatabaseKind | null): string {
  if (kind === 'lab') return ' (LAB database: a moved clock is allowed; not for production)';
  if (kind === 'test') return ' (TEST database: test-only settings are allowed)';
  return '';
}

/** +90d2h, -30m, +5s: an offset in seconds in the largest units that fit (rounded to the second). */
export function formatOffset(seconds: number): string {
  let rest = Math.round(Math.abs(seconds));
  const parts: string[] = [];
  for (const [unit, size] of [['d', 86_400], ['h', 3600], ['m', 60], ['s', 1]] as const) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0) parts.push(`${n}${unit}`);
  }
  return `${seconds < 0 ? '-' : '+'}${parts.join('') || '0s'}`;
}
