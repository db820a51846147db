import { describe, it, expect } from 'vitest';
import { parseKasp } from '../../src/policy/kasp.js';
import type { ZoneEntry } from '../../src/policy/policy.js';
import { checkPolicyReferences, parseZonelist, serializeZonelist } from '../../src/zones/zonelist.js';
import { readExample, readFixture } from './read-fixture.js';

const GOOD: ZoneEntry[] = [
  {
    name: 'example.com',
    policy: 'default',
    signconfPath: '/var/lib/opendnssec/signconf/example.com.xml',
    input: { type: 'File', path: '/var/lib/opendnssec/unsigned/example.com' },
    output: { type: 'File', path: '/var/lib/opendnssec/signed/example.com' },
  },
  {
    name: 'example.net',
    policy: 'default',
    signconfPath: '/var/lib/opendnssec/signconf/example.net.xml',
    input: { type: 'DNS', path: '/etc/opendnssec/addns.xml' },
    output: { type: 'File', path: '/var/lib/opendnssec/signed/example.net' },
  },
  {
    name: '_lab.xn--bcher-kva.example',
    policy: 'csk',
    signconfPath: '/var/lib/opendnssec/signconf/_lab.xn--bcher-kva.example.xml',
    input: { type: 'File', path: '/var/lib/opendnssec/unsigned/_lab.xn--bcher-kva.example' },
    output: { type: 'File', path: '/var/lib/opendnssec/signed/_lab.xn--bcher-kva.example' },
  },
];

describe('parseZonelist', () => {
  it('reads three zones, normalising names and both adapter forms', () => {
    expect(parseZonelist(readFixture('good/zonelist.xml'), 'zonelist.xml')).toEqual(GOOD);
  });

  it('reads the bundled example, without signconf paths', () => {
    const zones = parseZonelist(readExample('zonelist.xml'), 'zonelist.xml');
    expect(zones.map((z) => [z.name, z.policy, z.signconfPath])).toEqual([
      ['example.com', 'default', null],
      ['example.net', 'default', null],
      ['example.org', 'lab', null],
    ]);
    expect(zones[2]!.input).toEqual({ type: 'File', path: 'var/unsigned/example.org' });
    expect(zones[2]!.output).toEqual({ type: 'File', path: 'var/signed/example.org' });
    const policies = parseKasp(readExample('kasp.xml'), 'kasp.xml').map((p) => p.name);
    expect(() => checkPolicyReferences(zones, policies, 'zonelist.xml')).not.toThrow();
  });

  it('accepts an empty zone list (OpenDNSSEC ships one) and zones without adapters', () => {
    expect(parseZonelist('<ZoneList>\n<!-- nothing yet -->\n</ZoneList>', 'z.xml')).toEqual([]);
    expect(parseZonelist('<ZoneList><Zone name="a.example"><Policy>p</Policy></Zone></ZoneList>', 'z.xml')).toEqual([
      { name: 'a.example', policy: 'p', signconfPath: null, input: null, output: null },
    ]);
  });

  it('refuses both adapter forms at once and empty paths', () => {
    const both = '<ZoneList><Zone name="a.example"><Policy>p</Policy><Adapters><Input><File>x</File>\n<Adapter type="DNS">y</Adapter></Input></Adapters></Zone></ZoneList>';
    expect(() => parseZonelist(both, 'z.xml')).toThrow(
      'z.xml:2: ZoneList/Zone[name=a.example]/Adapters/Input: give either <File> or <Adapter>, not both',
    );
    const empty = '<ZoneList><Zone name="a.example"><Policy>p</Policy><SignerConfiguration> </SignerConfiguration></Zone></ZoneList>';
    expect(() => parseZonelist(empty, 'z.xml')).toThrow(
      'z.xml:1: ZoneList/Zone[name=a.example]/SignerConfiguration: <SignerConfiguration> is empty',
    );
  });

  it('indexes zones whose name is unusable', () => {
    const text = '<ZoneList>\n<Zone name="ok.example"><Policy>p</Policy></Zone>\n<Zone name="bad name"><Policy>p</Policy></Zone>\n</ZoneList>';
    expect(() => parseZonelist(text, 'z.xml')).toThrow('z.xml:3: ZoneList/Zone[2]@name: zone name "bad name" contains whitespace');
  });
});

describe('checkPolicyReferences', () => {
  it('names the zone, the policy and the line', () => {
    const zones = parseZonelist(readFixture('good/zonelist.xml'), 'zonelist.xml');
    expect(() => checkPolicyReferences(zones, ['default', 'csk'], 'zonelist.xml')).not.toThrow();
    expect(() => checkPolicyReferences(zones, new Set(['default']), 'zonelist.xml')).toThrow(
      'zonelist.xml:28: ZoneList/Zone[name=_lab.xn--bcher-kva.example]/Policy: zone "_lab.xn--bcher-kva.example" uses unknown policy "csk"; known policies: default',
    );
    // Entries built elsewhere have no line.
    expect(() => checkPolicyReferences([{ ...GOOD[0]! }], [], 'db')).toThrow(
      'db: ZoneList/Zone[name=example.com]/Policy: zone "example.com" uses unknown policy "default"; no policies are defined',
    );
  });
});

describe('serializeZonelist', () => {
  it('round-trips', () => {
    const zones = parseZonelist(readFixture('good/zonelist.xml'), 'zonelist.xml');
    expect(parseZonelist(serializeZonelist(zones), 'x.xml')).toEqual(zones);
    const example = parseZonelist(readExample('zonelist.xml'), 'zonelist.xml');
    expect(parseZonelist(serializeZonelist(example), 'x.xml')).toEqual(example);
    const odd: ZoneEntry[] = [
      { name: 'a.example', policy: 'p & <q>', signconfPath: null, input: null, output: { type: 'DNS', path: '/etc/a"b.xml' } },
    ];
    expect(parseZonelist(serializeZonelist(odd), 'x.xml')).toEqual(odd);
  });

  it('fills in signconf paths from a directory when asked', () => {
    const example = parseZonelist(readExample('zonelist.xml'), 'zonelist.xml');
    const text = serializeZonelist(example, { signconfDir: '/var/lib/enforcer/signconf/' });
    expect(parseZonelist(text, 'x.xml').map((z) => z.signconfPath)).toEqual([
      '/var/lib/enforcer/signconf/example.com.xml',
      '/var/lib/enforcer/signconf/example.net.xml',
      '/var/lib/enforcer/signconf/example.org.xml',
    ]);
  });

  it('refuses to write a hostile zone name', () => {
    expect(() => serializeZonelist([{ ...GOOD[0]!, name: '../x' }])).toThrow(/contains a path separator/);
  });
});
