// Zone names as operators type them, turned into the one spelling the enforcer stores and files use.
// Contract: normaliseZoneName returns a lower-case name without trailing dot, or throws an InputError.
// Beyond RFC 1035 sizes (≤ 253 characters, labels 1..63 octets) it allows letters, digits, hyphen and
// underscore only, because the name becomes a file name (signconf) and appears in logs and commands:
// anything that could escape a directory or hide in a terminal ('/', '\', '..', NUL, control characters,
// whitespace) can never get through. Internationalised names must be given as A-labels (xn--...).
// The root zone is refused: its signconf file would be named '.xml' and nobody runs the root on this.

import { InputError, quote } from '../policy/errors.js';

export const MAX_ZONE_NAME_LENGTH = 253;
export const MAX_LABEL_LENGTH = 63;

export interface ZoneNameSource {
  file?: string | undefined;
  path?: string | undefined;
  line?: number | undefined;
}

export function normaliseZoneName(input: string, where: ZoneNameSource = {}): string {
  const shown = quote(input);
  const fail = (what: string): never => {
    throw new InputError(where, `zone name ${shown} ${what}`);
  };

  if (input === '') fail('is empty');
  // eslint-disable-next-line no-control-regex
  const control = /[\u0000-\u001f\u007f]/.exec(input);
  if (control) fail(`contains a control character (U+${control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')})`);
  if (/\s/.test(input)) fail('contains whitespace');
  if (/[^\u0000-\u007f]/.test(input)) {
    fail('contains non-ASCII characters; write internationalised names as A-labels (xn--..., e.g. with `idn2`)');
  }
  const separator = /[/\\]/.exec(input);
  if (separator) fail(`contains a path separator '${separator[0]}'`);
  if (input === '.') fail('is the root zone, which is not supported');

  const name = (input.endsWith('.') ? input.slice(0, -1) : input).toLowerCase();
  if (name.length > MAX_ZONE_NAME_LENGTH) {
    fail(`is ${name.length} characters long; at most ${MAX_ZONE_NAME_LENGTH} are allowed`);
  }
  for (const label of name.split('.')) {
    if (label === '') fail("has an empty label (two dots in a row, or a leading dot)");
    if (label.length > MAX_LABEL_LENGTH) {
      fail(`has a label of ${label.length} octets; at most ${MAX_LABEL_LENGTH} are allowed`);
    }
    const bad = /[^a-z0-9_-]/.exec(label);
    if (bad) fail(`contains '${bad[0]}'; only letters, digits, hyphen and underscore are allowed`);
  }
  return name;
}

/** File name of a zone's signconf: `<zone>.xml`, guaranteed to be a single path component. */
export function signconfFileName(zone: string): string {
  const file = `${normaliseZoneName(zone)}.xml`;
  if (/[/\\\u0000]/.test(file) || file.startsWith('.')) {
    throw new Error(`internal error: signconf file name ${JSON.stringify(file)} is not a plain file name`);
  }
  return file;
}
