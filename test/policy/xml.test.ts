import { describe, it, expect } from 'vitest';
import { InputError } from '../../src/policy/errors.js';
import { ElementReader, MAX_XML_BYTES, MAX_XML_DEPTH, parseXml } from '../../src/policy/xml.js';

function nested(depth: number): string {
  let open = '';
  let close = '';
  for (let i = 0; i < depth; i++) {
    open += `<e${i} a="/>">`;
    close = `</e${i}>` + close;
  }
  return open + close;
}

describe('parseXml', () => {
  it('gives elements, attributes, decoded text and lines (CRLF too)', () => {
    const root = parseXml('\uFEFF<?xml version="1.0"?>\r\n<!-- c -->\r\n<a x="1 &amp; &#x32;">\r\n  <b>t &lt; &#65;<![CDATA[&amp;<raw>]]></b>\r\n</a>\r\n', 'f.xml');
    expect(root.name).toBe('a');
    expect(root.line).toBe(3);
    expect(root.attributes.get('x')).toBe('1 & 2');
    expect(root.children).toHaveLength(1);
    expect(root.children[0]).toMatchObject({ name: 'b', text: 't < A&amp;<raw>', line: 4 });
  });

  it('keeps attribute values untrimmed', () => {
    expect(parseXml('<a n=" x "/>', 'f.xml').attributes.get('n')).toBe(' x ');
  });

  it.each([
    ['<!DOCTYPE a><a/>', 'f.xml:1: DOCTYPE declarations are not allowed (they enable entity expansion attacks); remove the <!DOCTYPE ...> declaration'],
    ['<a>\n<!ENTITY x "y"></a>', 'f.xml:2: ENTITY declarations are not allowed (they enable entity expansion attacks); remove the <!ENTITY ...> declaration'],
    ['<a/><b/>', 'f.xml:1: more than one root element (second is <b>)'],
    ['', 'f.xml:1: malformed XML: Start tag expected.'],
    ['<a x="1 & 2"/>', `f.xml:1: malformed XML: '&' must start an entity reference such as &amp; (found "&")`],
    ['<a>&#0;</a>', 'f.xml:1: malformed XML: character reference &#0; is not a legal XML character'],
    ['<a>&ext;</a>', 'f.xml:1: malformed XML: undefined entity &ext; (only &amp; &lt; &gt; &quot; &apos; and character references are allowed)'],
    ['<a>\n<b x></b></a>', "f.xml:2: malformed XML: boolean attribute 'x' is not allowed."],
    ['<a __proto__="1"/>', 'f.xml: malformed XML: [SECURITY] Invalid name: "__proto__" is a reserved JavaScript keyword that could cause prototype pollution'],
  ])('refuses %j', (text, message) => {
    expect(() => parseXml(text, 'f.xml')).toThrow(InputError);
    expect(() => parseXml(text, 'f.xml')).toThrow(message);
  });

  it(`allows nesting ${MAX_XML_DEPTH} deep and refuses one more`, () => {
    expect(() => parseXml(nested(MAX_XML_DEPTH), 'f.xml')).not.toThrow();
    expect(() => parseXml(nested(MAX_XML_DEPTH + 1), 'f.xml')).toThrow(
      `f.xml:1: elements are nested more than ${MAX_XML_DEPTH} deep; refusing to parse`,
    );
    expect(() => parseXml(nested(10_000), 'f.xml')).toThrow(/nested more than/);
  });

  it('refuses input over the size limit before parsing', () => {
    const big = '<a>' + 'x'.repeat(MAX_XML_BYTES) + '</a>';
    expect(() => parseXml(big, 'big.xml')).toThrow(`big.xml: file is larger than ${MAX_XML_BYTES} bytes; refusing to parse it`);
    // Multi-byte characters count as bytes.
    const wide = '<a>' + 'é'.repeat(MAX_XML_BYTES / 2) + '</a>';
    expect(() => parseXml(wide, 'big.xml')).toThrow(/larger than/);
  });
});

describe('ElementReader', () => {
  const reader = (text: string): ElementReader => new ElementReader(parseXml(text, 'f.xml'), 'R', 'f.xml');

  it('reports missing required attributes and mixed content', () => {
    expect(() => reader('<r/>').expect({ attributes: { name: 'required' } })).toThrow(
      "f.xml:1: R@name: required attribute 'name' is missing on <r>",
    );
    expect(() => reader('<r>x<c/></r>').expect({ children: { c: 'optional' } })).toThrow('f.xml:1: R: unexpected text "x" in <r>');
    expect(() => reader('<r><c/></r>').text()).toThrow('f.xml:1: R/c: unknown element <c>: <r> takes no child elements');
    expect(() => reader('<r>x</r>').flag()).toThrow('f.xml:1: R: unexpected text "x" in <r>');
  });
});
