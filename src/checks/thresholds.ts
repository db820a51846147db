// -w/--warning and -c/--critical thresholds in the monitoring-plugin range syntax
// ([@]start:end, `~` for minus infinity, an empty end for plus infinity; alert when the value is
// outside the range, or inside it with `@`), with unit suffixes s, m, h, d on the numbers.
// One deliberate convenience: a plain number guards the check's bad direction. For an age
// ("above is bad") `3600` is the standard `0:3600`; for time left ("below is bad") `2d` means
// `2d:` (alert below two days), which is what anyone typing it means.
// Contract: pure; parse errors are ThresholdError with the offending text.

import type { Status } from './types.js';

export type Direction = 'above' | 'below';

export interface Range {
  start: number;
  end: number;
  /** `@`: alert when the value is inside start..end instead of outside. */
  inside: boolean;
}

export interface Thresholds {
  warning: Range;
  critical: Range;
}

export class ThresholdError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ThresholdError';
  }
}

const UNITS: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600, d: 86400 };
const NUMBER = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))([smhd]?)$/;

function number(text: string, whole: string): number {
  const m = NUMBER.exec(text);
  if (!m) throw new ThresholdError(`${JSON.stringify(whole)} is not a threshold: ${JSON.stringify(text)} is not a number (with an optional unit s, m, h or d)`);
  return Number(m[1]) * UNITS[m[2]!]!;
}

export function parseRange(text: string, direction: Direction): Range {
  const t = text.trim();
  if (t === '') throw new ThresholdError('empty threshold');
  const inside = t.startsWith('@');
  const body = inside ? t.slice(1) : t;
  const colon = body.indexOf(':');
  if (colon < 0) {
    const n = number(body, text);
    if (inside) return { start: 0, end: n, inside };
    return direction === 'above' ? { start: 0, end: n, inside: false } : { start: n, end: Infinity, inside: false };
  }
  const a = body.slice(0, colon);
  const b = body.slice(colon + 1);
  const start = a === '~' ? -Infinity : a === '' ? 0 : number(a, text);
  const end = b === '' ? Infinity : number(b, text);
  if (start > end) throw new ThresholdError(`${JSON.stringify(text)}: the start of a range must not be above its end`);
  return { start, end, inside };
}

export function alerts(r: Range, value: number): boolean {
  const within = value >= r.start && value <= r.end;
  return r.inside ? within : !within;
}

export function statusFor(value: number, t: Thresholds): Status {
  if (alerts(t.critical, value)) return 'CRITICAL';
  if (alerts(t.warning, value)) return 'WARNING';
  return 'OK';
}

/** The range as performance data writes it, in base units (seconds). */
export function rangeText(r: Range): string {
  const n = (x: number) => String(Math.round(x * 1000) / 1000);
  const start = r.start === -Infinity ? '~' : n(r.start);
  const end = r.end === Infinity ? '' : n(r.end);
  const body = !r.inside && r.start === 0 && r.end !== Infinity ? end : `${start}:${end}`;
  return (r.inside ? '@' : '') + body;
}

