import { describe, it, expect } from 'vitest';
import { InputError } from '../../src/policy/errors.js';
import { normaliseZoneName, signconfFileName } from '../../src/zones/zone-name.js';

const label63 = 'a'.repeat(63);
// 63+1+63+1+63+1+61 = 253 characters.
const name253 = [label63, label63, label63, 'b'.repeat(61)].join('.');

describe('normaliseZoneName', () => {
  it.each([
    ['example.com', 'example.com'],
    ['Example.COM.', 'example.com'],
    ['_dmarc.example', '_dmarc.example'],
    ['-weird-.example', '-weird-.example'],
    ['xn--bcher-kva.example', 'xn--bcher-kva.example'],
    ['com', 'com'],
    ['1.0.10.in-addr.arpa.', '1.0.10.in-addr.arpa'],
    [`${label63}.example`, `${label63}.example`],
    [name253, name253],
    [`${name253}.`, name253],
  ])('accepts %j as %j', (input, expected) => {
    expect(normaliseZoneName(input, {})).toBe(expected);
  });

  it.each([
    ['', 'zone name "" is empty'],
    ['.', 'zone name "." is the root zone, which is not supported'],
    ['../etc', `zone name "../etc" contains a path separator '/'`],
    ['a/b', `zone name "a/b" contains a path separator '/'`],
    ['a\\b', `zone name "a\\\\b" contains a path separator '\\'`],
    ['a\u0000b', 'zone name "a\\u0000b" contains a control character (U+0000)'],
    ['a\nb', 'zone name "a\\nb" contains a control character (U+000A)'],
    ['a\u007fb', 'zone name "a\\u007fb" contains a control character (U+007F)'],
    ['a..b', 'zone name "a..b" has an empty label (two dots in a row, or a leading dot)'],
    ['..', 'zone name ".." has an empty label (two dots in a row, or a leading dot)'],
    ['.example', 'zone name ".example" has an empty label (two dots in a row, or a leading dot)'],
    ['example..', 'zone name "example.." has an empty label (two dots in a row, or a leading dot)'],
    [`${'a'.repeat(64)}.example`, `zone name "${'a'.repeat(64)}.example" has a label of 64 octets; at most 63 are allowed`],
    [`${name253}x`, `zone name "${name253.slice(0, 80)}…" is 254 characters long; at most 253 are allowed`],
    [' spaced', 'zone name " spaced" contains whitespace'],
    ['a b.example', 'zone name "a b.example" contains whitespace'],
    ['ünicode.example', 'zone name "ünicode.example" contains non-ASCII characters; write internationalised names as A-labels (xn--..., e.g. with `idn2`)'],
    ['a\u00a0b', 'zone name "a\\u00a0b" contains whitespace'],
    ['*.example', `zone name "*.example" contains '*'; only letters, digits, hyphen and underscore are allowed`],
    ['a:b', `zone name "a:b" contains ':'; only letters, digits, hyphen and underscore are allowed`],
  ])('rejects %j', (input, message) => {
    expect(() => normaliseZoneName(input, {})).toThrow(InputError);
    expect(() => normaliseZoneName(input, {})).toThrow(message);
  });

  it('names the file, line and path when given', () => {
    let caught: unknown;
    try {
      normaliseZoneName('a/b', { file: 'zonelist.xml', path: 'ZoneList/Zone[2]@name', line: 7 });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(InputError);
    const err = caught as InputError;
    expect(err.message).toBe(`zonelist.xml:7: ZoneList/Zone[2]@name: zone name "a/b" contains a path separator '/'`);
    expect([err.file, err.path, err.line]).toEqual(['zonelist.xml', 'ZoneList/Zone[2]@name', 7]);
    expect(() => normaliseZoneName('a b', { path: 'zone add --zone' })).toThrow(/^zone add --zone: zone name "a b" contains whitespace$/);
  });
});

describe('signconfFileName', () => {
  it('is <zone>.xml, normalised', () => {
    expect(signconfFileName('Example.COM.')).toBe('example.com.xml');
    expect(signconfFileName('_lab.xn--bcher-kva.example')).toBe('_lab.xn--bcher-kva.example.xml');
  });

  it('never yields a path', () => {
    for (const hostile of ['../etc/passwd', '..', '.', 'a/../../b', 'a\\b', 'x\u0000y', '']) {
      expect(() => signconfFileName(hostile)).toThrow(InputError);
    }
  });
});
