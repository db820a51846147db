// A real pino logger whose lines land in an array, for asserting what was logged.

import { pino, type Logger } from 'pino';

export function captureLogger(): { log: Logger; lines: Array<Record<string, unknown> & { msg: string; level: number }> } {
  const lines: Array<Record<string, unknown> & { msg: string; level: number }> = [];
  const log = pino({ level: 'debug' }, { write: (s: string) => void lines.push(JSON.parse(s)) });
  return { log, lines };
}
