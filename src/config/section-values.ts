// Checks shared by the configuration sections the generic schema checker cannot express (lists of
// server addresses, bounded integers): `probe` and `dsCheck`. Contract: pure; each returns the
// parsed value or the first problem as a dotted path and message, like the schema checker.

import { parseServerAddress, type ServerAddress } from '../probe/servers.js';
import type { SchemaProblem } from './schema.js';

export type Checked<T> = { ok: true; value: T } | { ok: false; problem: SchemaProblem };

const ADDRESS_HINT = '(an IP address, optionally with :port)';

/** A list of "address[:port]" strings, parsed exactly as the DNS client dials them. */
export function serverList(v: unknown, path: string, optional: boolean): Checked<ServerAddress[]> {
  if (v === undefined || v === null) {
    return optional ? { ok: true, value: [] } : { ok: false, problem: { path, message: 'is required' } };
  }
  if (!Array.isArray(v)) return { ok: false, problem: { path, message: `must be a list of server addresses, not ${kind(v)}` } };
  if (v.length === 0) return { ok: false, problem: { path, message: 'must name at least one server' } };
  const out: ServerAddress[] = [];
  for (const [i, item] of v.entries()) {
    const one = serverAddress(item, `${path}.${i}`);
    if (!one.ok) return one;
    out.push(one.value);
  }
  return { ok: true, value: out };
}

export function serverAddress(v: unknown, path: string): Checked<ServerAddress> {
  if (typeof v !== 'string') return { ok: false, problem: { path, message: `must be a string, not ${kind(v)}` } };
  try {
    return { ok: true, value: parseServerAddress(v) };
  } catch (e) {
    return { ok: false, problem: { path, message: `${(e as Error).message} ${ADDRESS_HINT}` } };
  }
}

/** The optional integer fields of `section`, each within its bounds; absent ones are null. */
export function boundedIntegers(raw: Record<string, unknown>, section: string, bounds: Record<string, { min: number; max: number }>): Checked<Record<string, number | null>> {
  const out: Record<string, number | null> = {};
  for (const [key, { min, max }] of Object.entries(bounds)) {
    const v = raw[key];
    const path = `${section}.${key}`;
    if (v === undefined || v === null) {
      out[key] = null;
      continue;
    }
    if (typeof v !== 'number' || !Number.isInteger(v)) return { ok: false, problem: { path, message: `must be an integer, not ${kind(v)}` } };
    if (v < min) return { ok: false, problem: { path, message: `must be at least ${min}` } };
    if (v > max) return { ok: false, problem: { path, message: `must be at most ${max}` } };
    out[key] = v;
  }
  return { ok: true, value: out };
}

export function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function kind(v: unknown): string {
  if (v === null || v === undefined) return 'empty';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'number') return Number.isInteger(v) ? 'an integer' : 'a number';
  return `a ${typeof v}`;
}
