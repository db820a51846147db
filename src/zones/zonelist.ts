// zonelist.xml (OpenDNSSEC 2.1) to and from ZoneEntry.
// Contract: parseZonelist(text, file) returns the zones in file order with normalised names, or throws
// an InputError for the first problem (unknown element, duplicate zone, hostile name, ...). Policy names
// are not checked here: the importer calls checkPolicyReferences against what the database knows.
// Differences from zonelist.rng, on purpose: <SignerConfiguration> and <Adapters> (and each of Input and
// Output) are optional, since the enforcer derives signconf paths from its signconf directory.
// `<File>path</File>` and `<Adapter type="File">path</Adapter>` both mean type 'File'; the other adapter
// OpenDNSSEC's signer knows is 'DNS' (path = its addns.xml).

import { InputError } from '../policy/errors.js';
import type { ZoneEntry } from '../policy/policy.js';
import { ElementReader, escapeXml, parseXml, quote } from '../policy/xml.js';
import { normaliseZoneName, signconfFileName } from './zone-name.js';

const ADAPTER_TYPES = ['File', 'DNS'] as const;

/** Line of each parsed zone's <Policy> element, for checkPolicyReferences' messages. */
const policyLines = new WeakMap<ZoneEntry, number | undefined>();

export function parseZonelist(text: string, file: string): ZoneEntry[] {
  const doc = parseXml(text, file);
  const root = new ElementReader(doc, 'ZoneList', file);
  if (doc.name !== 'ZoneList') throw root.error(`root element is <${doc.name}>, expected <ZoneList>`, { path: doc.name });
  root.expect({ children: { Zone: 'repeated' } });

  const firstLine = new Map<string, number | undefined>();
  return root.all('Zone').map((r) => {
    const rawName = r.attribute('name');
    if (rawName === undefined) throw r.error("required attribute 'name' is missing on <Zone>", { path: `${r.path}@name` });
    const name = normaliseZoneName(rawName, { file, path: `${r.path}@name`, line: r.line });
    const z = r.withPath(`ZoneList/Zone[name=${name}]`);
    if (firstLine.has(name)) {
      const first = firstLine.get(name);
      throw z.error(`duplicate zone ${quote(name)}${first !== undefined ? ` (first defined at line ${first})` : ''}`);
    }
    firstLine.set(name, z.line);

    z.expect({
      attributes: { name: 'required' },
      children: { Policy: 'required', SignerConfiguration: 'optional', Adapters: 'optional' },
    });
    const policyReader = z.child('Policy');
    const signconf = z.optional('SignerConfiguration');
    const adapters = z.optional('Adapters')?.expect({ children: { Input: 'optional', Output: 'optional' } });
    const input = adapters?.optional('Input');
    const output = adapters?.optional('Output');
    const entry: ZoneEntry = {
      name,
      policy: policyReader.text(),
      signconfPath: signconf ? path(signconf) : null,
      input: input ? adapter(input) : null,
      output: output ? adapter(output) : null,
    };
    policyLines.set(entry, policyReader.line);
    return entry;
  });
}

function adapter(r: ElementReader): { type: string; path: string } {
  r.expect({ children: { File: 'optional', Adapter: 'optional' } });
  const file = r.optional('File');
  const other = r.optional('Adapter');
  if (file && other) throw r.error('give either <File> or <Adapter>, not both', { line: other.line });
  if (file) return { type: 'File', path: path(file) };
  if (!other) throw r.error('required element <File> or <Adapter> is missing');
  other.expect({ attributes: { type: 'required' }, text: true });
  const type = other.attribute('type')!;
  if (!(ADAPTER_TYPES as readonly string[]).includes(type)) {
    throw other.error(`unknown adapter type ${quote(type)}; expected ${ADAPTER_TYPES.join(' or ')}`, { path: `${other.path}@type` });
  }
  return { type, path: path(other) };
}

function path(r: ElementReader): string {
  r.expect({ text: true, attributes: r.name === 'Adapter' ? { type: 'required' } : {} });
  const value = r.element.text;
  if (value === '') throw r.error(`<${r.name}> is empty`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) throw r.error(`path ${quote(value)} contains a control character`);
  return value;
}

/** Throws for the first zone whose policy is not in policyNames. */
export function checkPolicyReferences(zones: readonly ZoneEntry[], policyNames: Iterable<string>, file: string): void {
  const known = new Set(policyNames);
  for (const zone of zones) {
    if (known.has(zone.policy)) continue;
    const list = [...known].sort();
    throw new InputError(
      { file, path: `ZoneList/Zone[name=${zone.name}]/Policy`, line: policyLines.get(zone) },
      `zone ${quote(zone.name)} uses unknown policy ${quote(zone.policy)}` +
        (list.length > 0 ? `; known policies: ${list.join(', ')}` : '; no policies are defined'),
    );
  }
}

export interface SerializeZonelistOptions {
  /** Writes `<dir>/<zone>.xml` for zones without a signconf path, as zonelist.rng requires one. */
  signconfDir?: string;
}

export function serializeZonelist(zones: readonly ZoneEntry[], options: SerializeZonelistOptions = {}): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>', '<ZoneList>'];
  const leaf = (name: string, value: string): string => `<${name}>${escapeXml(value)}</${name}>`;
  const adapterLine = (a: { type: string; path: string }): string =>
    a.type === 'File' ? leaf('File', a.path) : `<Adapter type="${escapeXml(a.type)}">${escapeXml(a.path)}</Adapter>`;
  for (const z of zones) {
    const name = normaliseZoneName(z.name);
    out.push(`\t<Zone name="${escapeXml(name)}">`, `\t\t${leaf('Policy', z.policy)}`);
    const signconf =
      z.signconfPath ??
      (options.signconfDir !== undefined ? `${options.signconfDir.replace(/\/+$/, '')}/${signconfFileName(name)}` : null);
    if (signconf !== null) out.push(`\t\t${leaf('SignerConfiguration', signconf)}`);
    if (z.input || z.output) {
      out.push('\t\t<Adapters>');
      if (z.input) out.push('\t\t\t<Input>', `\t\t\t\t${adapterLine(z.input)}`, '\t\t\t</Input>');
      if (z.output) out.push('\t\t\t<Output>', `\t\t\t\t${adapterLine(z.output)}`, '\t\t\t</Output>');
      out.push('\t\t</Adapters>');
    }
    out.push('\t</Zone>');
  }
  out.push('</ZoneList>', '');
  return out.join('\n');
}
