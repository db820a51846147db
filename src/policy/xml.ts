// Hardened XML reading for operator files (kasp.xml, zonelist.xml), on top of fast-xml-parser.
// Contract: parseXml(text, file) returns the single root element as a plain tree, or throws an
// InputError carrying the file and, where known, the line. It refuses DOCTYPE and ENTITY declarations
// outright (entity expansion bombs, external entities), input over MAX_XML_BYTES, and nesting deeper
// than MAX_XML_DEPTH; only the five predefined entities and character references are decoded.
// Element order is kept in `children` but callers look children up by name, so order never matters
// to them. ElementReader gives callers strict checks (unknown, duplicate, missing elements and
// attributes) with uniform messages.
//
// Line numbers: fast-xml-parser 5's `captureMetaData` records each element's start offset in the
// source (mapped back through its CR/LF normalisation); we turn that offset into a 1-based line.
// Malformed-XML lines come from XMLValidator, which runs first.

import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { InputError, quote } from './errors.js';

export { quote };

export const MAX_XML_BYTES = 10 * 1024 * 1024;
export const MAX_XML_DEPTH = 64;

export interface XmlElement {
  name: string;
  attributes: ReadonlyMap<string, string>;
  children: XmlElement[];
  /** Text content with entities decoded, trimmed; '' when none. */
  text: string;
  /** 1-based line of the opening tag, when known. */
  line: number | undefined;
}

const PARSER_OPTIONS = {
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  allowBooleanAttributes: false,
  parseTagValue: false,
  parseAttributeValue: false,
  // Text is trimmed by convert(); attribute values must reach callers untouched.
  trimValues: false,
  // Decoded by us: the library would also honour DOCTYPE-declared entities.
  processEntities: false,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  cdataPropName: '#cdata',
  captureMetaData: true,
  // Backstop only: checkDepth reports the depth with a line number first.
  maxNestedTags: MAX_XML_DEPTH + 1,
} as const;

const META = XMLParser.getMetaDataSymbol() as unknown as symbol;

export function parseXml(text: string, file: string): XmlElement {
  if (text.length > MAX_XML_BYTES || Buffer.byteLength(text, 'utf8') > MAX_XML_BYTES) {
    throw new InputError({ file }, `file is larger than ${MAX_XML_BYTES} bytes; refusing to parse it`);
  }
  const lines = new LineIndex(text);

  const decl = /<!(DOCTYPE|ENTITY)\b/i.exec(text);
  if (decl) {
    throw new InputError(
      { file, line: lines.lineOf(decl.index) },
      `${decl[1]!.toUpperCase()} declarations are not allowed (they enable entity expansion attacks); remove the <!${decl[1]} ...> declaration`,
    );
  }

  const valid = XMLValidator.validate(text, { allowBooleanAttributes: false });
  if (valid !== true) {
    throw new InputError({ file, line: valid.err.line }, `malformed XML: ${valid.err.msg}`);
  }

  checkDepth(text, file, lines);

  let raw: unknown;
  try {
    raw = new XMLParser(PARSER_OPTIONS).parse(text);
  } catch (e) {
    throw new InputError({ file }, `malformed XML: ${(e as Error).message}`);
  }

  const roots = (raw as RawNode[]).filter((n) => elementName(n) !== undefined);
  if (roots.length !== 1) {
    const second = roots[1] ? convert(roots[1], file, lines) : undefined;
    throw new InputError(
      { file, line: second?.line },
      roots.length === 0 ? 'no root element' : `more than one root element (second is <${second!.name}>)`,
    );
  }
  return convert(roots[0]!, file, lines);
}

type RawNode = Record<string, unknown> & { [k: symbol]: unknown };

function elementName(node: RawNode): string | undefined {
  return Object.keys(node).find((k) => k !== ':@' && k !== '#text' && k !== '#cdata');
}

function convert(node: RawNode, file: string, lines: LineIndex): XmlElement {
  const name = elementName(node)!;
  const meta = node[META] as { startIndex?: number } | undefined;
  const line = meta?.startIndex !== undefined ? lines.lineOf(meta.startIndex) : undefined;

  const attributes = new Map<string, string>();
  const rawAttrs = node[':@'] as Record<string, string> | undefined;
  if (rawAttrs) {
    for (const key of Object.keys(rawAttrs)) {
      attributes.set(key, decodeEntities(String(rawAttrs[key]), { file, line, path: undefined }));
    }
  }

  const children: XmlElement[] = [];
  const texts: string[] = [];
  for (const child of (node[name] as RawNode[]) ?? []) {
    if ('#text' in child) {
      texts.push(decodeEntities(String(child['#text']), { file, line, path: undefined }));
    } else if ('#cdata' in child) {
      for (const part of child['#cdata'] as RawNode[]) texts.push(String(part['#text'] ?? ''));
    } else if (elementName(child) !== undefined) {
      children.push(convert(child, file, lines));
    }
  }
  return { name, attributes, children, text: texts.join('').trim(), line };
}

const ENTITY = /&(#x[0-9A-Fa-f]+|#[0-9]+|[A-Za-z_][\w.-]*)?;?/g;
const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(
  value: string,
  where: { file: string; line: number | undefined; path: undefined },
): string {
  if (!value.includes('&')) return value;
  return value.replace(ENTITY, (whole, ref: string | undefined) => {
    if (ref === undefined || !whole.endsWith(';')) {
      throw new InputError(where, `malformed XML: '&' must start an entity reference such as &amp; (found ${JSON.stringify(whole)})`);
    }
    if (ref.startsWith('#')) {
      const code = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      const ok =
        code === 0x9 || code === 0xa || code === 0xd ||
        (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) ||
        (code >= 0x10000 && code <= 0x10ffff);
      if (!ok) throw new InputError(where, `malformed XML: character reference &${ref}; is not a legal XML character`);
      return String.fromCodePoint(code);
    }
    const decoded = PREDEFINED[ref];
    if (decoded === undefined) {
      throw new InputError(where, `malformed XML: undefined entity &${ref}; (only &amp; &lt; &gt; &quot; &apos; and character references are allowed)`);
    }
    return decoded;
  });
}

// The document is known to be well-formed here, so a tag scanner is enough to measure depth.
const TAG =
  /<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<\?[\s\S]*?\?>|<(\/?)[^\s/>!?]+(?:[^>"']|"[^"]*"|'[^']*')*?(\/?)>/g;

function checkDepth(text: string, file: string, lines: LineIndex): void {
  let depth = 0;
  for (const m of text.matchAll(TAG)) {
    if (m[1] === undefined) continue; // comment, CDATA or processing instruction
    if (m[1] === '/') {
      depth--;
    } else if (depth + 1 > MAX_XML_DEPTH) {
      throw new InputError(
        { file, line: lines.lineOf(m.index) },
        `elements are nested more than ${MAX_XML_DEPTH} deep; refusing to parse`,
      );
    } else if (m[2] !== '/') {
      depth++;
    }
  }
}

class LineIndex {
  private readonly starts: number[] = [0];
  constructor(text: string) {
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }
  lineOf(index: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= index) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }
}

export type Occurs = 'required' | 'optional' | 'repeated';

export interface ElementSpec {
  children?: Record<string, Occurs>;
  attributes?: Record<string, 'required' | 'optional'>;
  /** Whether the element may carry text; leaves do, containers and flags do not. */
  text?: boolean;
}

/** Strict, path-aware access to one element. Call expect() once before reading. */
export class ElementReader {
  constructor(
    readonly element: XmlElement,
    readonly path: string,
    readonly file: string,
  ) {}

  get name(): string {
    return this.element.name;
  }

  get line(): number | undefined {
    return this.element.line;
  }

  error(detail: string, at: { path?: string; line?: number | undefined } = {}): InputError {
    return new InputError(
      { file: this.file, path: at.path ?? this.path, line: 'line' in at ? at.line : this.line },
      detail,
    );
  }

  withPath(path: string): ElementReader {
    return new ElementReader(this.element, path, this.file);
  }

  expect(spec: ElementSpec): this {
    const allowed = spec.children ?? {};
    const names = Object.keys(allowed);
    const firstSeen = new Map<string, XmlElement>();
    for (const child of this.element.children) {
      const occurs = Object.prototype.hasOwnProperty.call(allowed, child.name) ? allowed[child.name] : undefined;
      const at = { path: `${this.path}/${child.name}`, line: child.line };
      if (occurs === undefined) {
        throw this.error(
          names.length === 0
            ? `unknown element <${child.name}>: <${this.name}> takes no child elements`
            : `unknown element <${child.name}> in <${this.name}>; expected ${names.join(', ')}`,
          at,
        );
      }
      const first = firstSeen.get(child.name);
      if (first && occurs !== 'repeated') {
        throw this.error(
          `element <${child.name}> appears more than once${first.line !== undefined ? ` (first at line ${first.line})` : ''}`,
          at,
        );
      }
      if (!first) firstSeen.set(child.name, child);
    }

    const allowedAttrs = spec.attributes ?? {};
    for (const attr of this.element.attributes.keys()) {
      if (!Object.prototype.hasOwnProperty.call(allowedAttrs, attr)) {
        throw this.error(`unknown attribute '${attr}' on <${this.name}>`, { path: `${this.path}@${attr}` });
      }
    }
    for (const [attr, need] of Object.entries(allowedAttrs)) {
      if (need === 'required' && !this.element.attributes.has(attr)) {
        throw this.error(`required attribute '${attr}' is missing on <${this.name}>`, { path: `${this.path}@${attr}` });
      }
    }

    if (!spec.text && this.element.text !== '') {
      throw this.error(`unexpected text ${quote(this.element.text)} in <${this.name}>`);
    }

    for (const [name, occurs] of Object.entries(allowed)) {
      if (occurs === 'required' && !firstSeen.has(name)) {
        throw this.error(`required element <${name}> is missing`, { path: `${this.path}/${name}` });
      }
    }
    return this;
  }

  has(name: string): boolean {
    return this.element.children.some((c) => c.name === name);
  }

  /** A child that expect() declared required (or that the caller knows is present). */
  child(name: string): ElementReader {
    const found = this.optional(name);
    if (!found) throw this.error(`required element <${name}> is missing`, { path: `${this.path}/${name}` });
    return found;
  }

  optional(name: string): ElementReader | undefined {
    const el = this.element.children.find((c) => c.name === name);
    return el ? new ElementReader(el, `${this.path}/${name}`, this.file) : undefined;
  }

  /** All children of that name; paths get a 1-based [n] index when there is more than one. */
  all(name: string): ElementReader[] {
    const els = this.element.children.filter((c) => c.name === name);
    return els.map(
      (el, i) => new ElementReader(el, els.length > 1 ? `${this.path}/${name}[${i + 1}]` : `${this.path}/${name}`, this.file),
    );
  }

  /** Text of a leaf element: expect() it has no children, and it must not be empty. */
  text(): string {
    this.expect({ text: true });
    if (this.element.text === '') throw this.error(`<${this.name}> is empty`);
    return this.element.text;
  }

  /** An empty marker element such as <ShareKeys/>. */
  flag(): true {
    this.expect({});
    return true;
  }

  attribute(name: string): string | undefined {
    return this.element.attributes.get(name);
  }
}

/** Escape text or an attribute value for writing XML. */
export function escapeXml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}
