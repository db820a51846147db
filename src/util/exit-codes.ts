// Process exit codes, one table for the whole CLI so the README and the code cannot drift apart.
// Cron wrappers and monitoring read these; changing a number is a breaking change.

export const EXIT = {
  OK: 0,
  /** Unexpected runtime failure (I/O error, bug). */
  ERROR: 1,
  /** Bad command line (unknown option, missing argument). */
  USAGE: 2,
  /** Bad input: configuration, kasp.xml, zonelist.xml, zone name. Nothing was changed. */
  BAD_INPUT: 3,
  /** A run finished, but at least one zone failed; the others were processed. */
  PARTIAL: 4,
  /** The database could not be reached. Nothing was changed. */
  DB_UNAVAILABLE: 69,
  /** Another node holds the lease or the lock; this run must not act. */
  NOT_ACTIVE: 75,
  /** The database schema is newer than this program; upgrade the enforcer first. */
  SCHEMA_TOO_NEW: 78,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error that knows which exit code it maps to; anything else exits with EXIT.ERROR. */
export class EnforcerError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = EXIT.ERROR,
  ) {
    super(message);
    this.name = 'EnforcerError';
  }
}
