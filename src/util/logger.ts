// One pino logger per process: JSON lines to stderr (or a file), human-readable when stderr is a TTY.
// Secrets are redacted by path so that a careless log call cannot leak a password or key.

import { pino, type Logger, type DestinationStream } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

export interface LoggerOptions {
  level?: string;
  /** Write JSON lines to this file instead of stderr. */
  file?: string | null;
  /** Force pretty (true) or JSON (false); default: pretty when stderr is a TTY. */
  pretty?: boolean;
}

const REDACT = [
  'password',
  '*.password',
  'pin',
  '*.pin',
  'privateKey',
  '*.privateKey',
  'secret',
  '*.secret',
  'config.database.url',
];

export function createLogger(opts: LoggerOptions = {}): Logger {
  const level = opts.level ?? 'info';
  let dest: DestinationStream;
  if (opts.file) {
    dest = pino.destination({ dest: opts.file, sync: true, mkdir: true });
  } else if (opts.pretty ?? process.stderr.isTTY) {
    dest = pretty({ destination: 2, sync: true, colorize: true, translateTime: 'SYS:standard', ignore: 'pid,hostname' });
  } else {
    dest = pino.destination({ dest: 2, sync: true });
  }
  return pino({ level, redact: { paths: REDACT, censor: '****' }, base: { pid: process.pid } }, dest);
}

/** A logger that drops everything; for library code under test. */
export const silentLogger: Logger = pino({ level: 'silent' });
