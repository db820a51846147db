// InputError: the one error type for bad operator input (kasp.xml, zonelist.xml, zone names).
// Contract: the message is `FILE:LINE: PATH: detail`, dropping whatever is unknown (line, file, path),
// so an operator can jump straight to the offending element; the parts stay available as fields
// for callers that render errors differently (JSON output, exit codes).

export interface InputLocation {
  /** Name of the input file as the operator gave it. */
  file?: string | undefined;
  /** Element path such as `KASP/Policy[name=default]/Keys/ZSK/Lifetime`, or a field name. */
  path?: string | undefined;
  /** 1-based line of the element, when known. */
  line?: number | undefined;
}

export class InputError extends Error {
  readonly file: string | undefined;
  readonly path: string | undefined;
  readonly line: number | undefined;
  /** What is wrong, without the location prefix. */
  readonly detail: string;

  constructor(where: InputLocation, detail: string) {
    super(formatInputError(where, detail));
    this.name = 'InputError';
    this.file = where.file;
    this.path = where.path;
    this.line = where.line;
    this.detail = detail;
  }
}

export function formatInputError(where: InputLocation, detail: string): string {
  let prefix = '';
  if (where.file !== undefined && where.file !== '') {
    prefix = where.line !== undefined ? `${where.file}:${where.line}: ` : `${where.file}: `;
  }
  if (where.path !== undefined && where.path !== '') prefix += `${where.path}: `;
  return prefix + detail;
}

/**
 * A value quoted for a message: JSON string syntax, with every control, format or non-space
 * separator character escaped so hostile input cannot hide in a terminal; long values shortened.
 */
export function quote(value: string, max = 80): string {
  const short = value.length > max ? value.slice(0, max) + '…' : value;
  return JSON.stringify(short).replace(
    /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]/gu,
    (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'),
  );
}
