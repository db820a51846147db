import { describe, it, expect } from 'vitest';
import { parseKasp, serializeKasp } from '../../src/policy/kasp.js';
import { InputError } from '../../src/policy/errors.js';
import type { Policy } from '../../src/policy/policy.js';
import { readExample, readFixture } from './read-fixture.js';

const DAY = 86_400;

const EXPECTED_DEFAULT: Policy = {
  name: 'default',
  description: 'KSK and ZSK, ECDSA P-256, NSEC3 & opt-out',
  passthrough: false,
  signatures: {
    resign: 7200,
    refresh: 3 * DAY,
    validityDefault: 14 * DAY,
    validityDenial: 14 * DAY,
    validityKeyset: 7 * DAY,
    jitter: 12 * 3600,
    inceptionOffset: 3600,
    maxZoneTtl: DAY,
  },
  denial: { type: 'NSEC3', ttl: 3600, optOut: true, resalt: 100 * DAY, algorithm: 1, iterations: 0, saltLength: 0 },
  keys: {
    ttl: 3600,
    retireSafety: 3600,
    publishSafety: 3600,
    shareKeys: true,
    purge: 14 * DAY,
    list: [
      {
        role: 'KSK', algorithm: 13, length: 256, lifetime: 365 * DAY, repository: 'SoftHSM', standby: 1,
        manualRollover: true, rfc5011: true, rollType: 'KskDoubleRRset',
      },
      {
        role: 'ZSK', algorithm: 13, length: 256, lifetime: 90 * DAY, repository: 'SoftHSM', standby: 0,
        manualRollover: false, rfc5011: false, rollType: 'ZskDoubleRrsig',
      },
    ],
  },
  zone: { propagationDelay: 43200, soaTtl: 3600, soaMinimum: 3600, soaSerial: 'datecounter' },
  parent: { registrationDelay: DAY, propagationDelay: 9999, dsTtl: 3600, soaTtl: 172800, soaMinimum: 10800 },
};

const EXPECTED_CSK: Policy = {
  name: 'csk',
  description: 'Single combined signing key, Ed25519, NSEC',
  passthrough: false,
  signatures: {
    resign: 600, refresh: 1800, validityDefault: 3600, validityDenial: 3600, validityKeyset: null,
    jitter: 60, inceptionOffset: 3600, maxZoneTtl: null,
  },
  denial: { type: 'NSEC' },
  keys: {
    ttl: 300, retireSafety: 360, publishSafety: 360, shareKeys: false, purge: null,
    list: [
      {
        role: 'CSK', algorithm: 15, length: 256, lifetime: 31 * DAY, repository: 'SoftHSM', standby: 0,
        manualRollover: false, rfc5011: false, rollType: 'CskPrePublication',
      },
    ],
  },
  zone: { propagationDelay: 300, soaTtl: 300, soaMinimum: 300, soaSerial: 'unixtime' },
  parent: { registrationDelay: 0, propagationDelay: 3600, dsTtl: 3600, soaTtl: 172800, soaMinimum: 10800 },
};

/** A policy with only the required elements, wrapped in <KASP>; `keys` replaces the key elements. */
function minimalKasp(keys: string, extra: { signatures?: string; policy?: string } = {}): string {
  return `<?xml version="1.0"?>
<KASP>
  <Policy name="minimal">${extra.policy ?? ''}
    <Description/>
    <Signatures>
      <Resign>PT2H</Resign><Refresh>P3D</Refresh>
      <Validity><Default>P14D</Default><Denial>P14D</Denial></Validity>
      <Jitter>PT12H</Jitter><InceptionOffset>PT300S</InceptionOffset>${extra.signatures ?? ''}
    </Signatures>
    <Denial><NSEC3><Resalt>P100D</Resalt><Hash><Algorithm>1</Algorithm><Iterations>0</Iterations><Salt length="0"/></Hash></NSEC3></Denial>
    <Keys>
      <TTL>PT3600S</TTL><RetireSafety>PT3600S</RetireSafety><PublishSafety>PT3600S</PublishSafety>
      ${keys}
    </Keys>
    <Zone><PropagationDelay>PT300S</PropagationDelay><SOA><TTL>PT3600S</TTL><Minimum>PT3600S</Minimum><Serial>counter</Serial></SOA></Zone>
    <Parent><PropagationDelay>PT1H</PropagationDelay><DS><TTL>PT3600S</TTL></DS><SOA><TTL>P2D</TTL><Minimum>PT3H</Minimum></SOA></Parent>
  </Policy>
</KASP>
`;
}

const key = (role: string, alg: string, lengthAttr = ''): string =>
  `<${role}><Algorithm${lengthAttr}>${alg}</Algorithm><Lifetime>P1Y</Lifetime><Repository>SoftHSM</Repository></${role}>`;

describe('parseKasp', () => {
  it('reads a realistic file with two policies', () => {
    const policies = parseKasp(readFixture('good/kasp.xml'), 'kasp.xml');
    expect(policies).toEqual([EXPECTED_DEFAULT, EXPECTED_CSK]);
  });

  it('applies OpenDNSSEC defaults to a minimal KSK/ZSK policy', () => {
    const [p] = parseKasp(minimalKasp(key('KSK', '8') + key('ZSK', '13')), 'min.xml');
    expect(p!.description).toBe('');
    expect(p!.passthrough).toBe(false);
    expect(p!.signatures.validityKeyset).toBeNull();
    expect(p!.signatures.maxZoneTtl).toBeNull();
    expect(p!.denial).toEqual({
      type: 'NSEC3', ttl: 0, optOut: false, resalt: 100 * DAY, algorithm: 1, iterations: 0, saltLength: 0,
    });
    expect(p!.keys.shareKeys).toBe(false);
    expect(p!.keys.purge).toBeNull();
    expect(p!.parent.registrationDelay).toBe(0);
    const [ksk, zsk] = p!.keys.list;
    expect(ksk).toEqual({
      role: 'KSK', algorithm: 8, length: 2048, lifetime: 365 * DAY, repository: 'SoftHSM', standby: 0,
      manualRollover: false, rfc5011: false, rollType: 'KskDoubleSignature',
    });
    expect(zsk).toMatchObject({ role: 'ZSK', algorithm: 13, length: 256, rollType: 'ZskPrePublication' });
  });

  it('defaults a CSK to CskPrePublication and the curve size', () => {
    const [p] = parseKasp(minimalKasp(key('CSK', '14')), 'min.xml');
    expect(p!.keys.list).toEqual([
      {
        role: 'CSK', algorithm: 14, length: 384, lifetime: 365 * DAY, repository: 'SoftHSM', standby: 0,
        manualRollover: false, rfc5011: false, rollType: 'CskPrePublication',
      },
    ]);
  });

  it('reads Passthrough, CskSingleSignature and accepts 448 for Ed448 (stored as 456)', () => {
    const csk = `<CSK><Algorithm length="448">16</Algorithm><Lifetime>P1Y</Lifetime><Repository>SoftHSM</Repository>
      <CskRollType>CskSingleSignature</CskRollType><RFC5011/></CSK>`;
    const [p] = parseKasp(minimalKasp(csk, { policy: '<Passthrough/>' }), 'min.xml');
    expect(p!.passthrough).toBe(true);
    expect(p!.keys.list[0]).toMatchObject({ algorithm: 16, length: 456, rollType: 'CskSingleSignature', rfc5011: true });
  });

  it('accepts RSA sizes 1024..4096 in steps of 8', () => {
    for (const bits of [1024, 1032, 2048, 3072, 4096]) {
      const [p] = parseKasp(minimalKasp(key('KSK', '8', ` length="${bits}"`) + key('ZSK', '10', ` length="${bits}"`)), 'k.xml');
      expect(p!.keys.list.map((k) => k.length)).toEqual([bits, bits]);
    }
    for (const bits of [512, 1020, 1025, 4104, 0]) {
      expect(() => parseKasp(minimalKasp(key('KSK', '8', ` length="${bits}"`) + key('ZSK', '8')), 'k.xml')).toThrow(InputError);
    }
  });

  it('indexes repeated key elements in error paths', () => {
    const text = minimalKasp(key('KSK', '13') + key('KSK', '8', ' length="999"') + key('ZSK', '13'));
    expect(() => parseKasp(text, 'k.xml')).toThrow(
      'k.xml:13: KASP/Policy[name=minimal]/Keys/KSK[2]/Algorithm@length: key length 999 is invalid for algorithm 8 (RSASHA256): RSA keys must be 1024 to 4096 bits, in steps of 8',
    );
  });

  it('refuses RFC5011 on a ZSK and a ZSK roll type on a KSK', () => {
    const zsk = '<ZSK><Algorithm>13</Algorithm><Lifetime>P1Y</Lifetime><Repository>SoftHSM</Repository><RFC5011/></ZSK>';
    expect(() => parseKasp(minimalKasp(key('KSK', '13') + zsk), 'k.xml')).toThrow(
      'k.xml:13: KASP/Policy[name=minimal]/Keys/ZSK/RFC5011: unknown element <RFC5011> in <ZSK>; expected Algorithm, Lifetime, Repository, Standby, ManualRollover, ZskRollType',
    );
    const ksk = '<KSK><Algorithm>13</Algorithm><Lifetime>P1Y</Lifetime><Repository>SoftHSM</Repository><ZskRollType>ZskPrePublication</ZskRollType></KSK>';
    expect(() => parseKasp(minimalKasp(ksk + key('ZSK', '13')), 'k.xml')).toThrow(/KSK\/ZskRollType: unknown element <ZskRollType> in <KSK>/);
  });

  it('refuses a file without policies, and bad NSEC3 parameters', () => {
    expect(() => parseKasp('<KASP/>', 'empty.xml')).toThrow('empty.xml:1: KASP: no <Policy> is defined');
    const withHash = (alg: string, iter: string): string =>
      minimalKasp(key('CSK', '13')).replace('<Algorithm>1</Algorithm><Iterations>0</Iterations>', `<Algorithm>${alg}</Algorithm><Iterations>${iter}</Iterations>`);
    expect(() => parseKasp(withHash('2', '0'), 'n.xml')).toThrow(
      'n.xml:10: KASP/Policy[name=minimal]/Denial/NSEC3/Hash/Algorithm: NSEC3 hash algorithm 2 is not supported; only 1 (SHA-1, RFC 5155) is defined',
    );
    expect(() => parseKasp(withHash('1', '65536'), 'n.xml')).toThrow(
      'n.xml:10: KASP/Policy[name=minimal]/Denial/NSEC3/Hash/Iterations: expected a whole number from 0 to 65535, got "65536"',
    );
    expect(() => parseKasp(withHash('1', '-1'), 'n.xml')).toThrow(/Iterations: expected a whole number from 0 to 65535, got "-1"/);
  });

  it('accepts a hex salt exported by OpenDNSSEC and ignores it', () => {
    const text = minimalKasp(key('CSK', '13')).replace('<Salt length="0"/>', '<Salt length="4">DEADbeef</Salt>');
    expect(parseKasp(text, 'k.xml')[0]!.denial).toMatchObject({ saltLength: 4 });
    expect(() => parseKasp(text.replace('DEADbeef', 'xyz'), 'k.xml')).toThrow(/Salt: salt "xyz" is not hexadecimal/);
  });

  it('refuses an empty required leaf and text inside a container', () => {
    expect(() => parseKasp(minimalKasp(key('CSK', '13')).replace('<Resign>PT2H</Resign>', '<Resign> </Resign>'), 'k.xml')).toThrow(
      'k.xml:6: KASP/Policy[name=minimal]/Signatures/Resign: <Resign> is empty',
    );
    expect(() => parseKasp(minimalKasp(key('CSK', '13')).replace('<Keys>', '<Keys>oops'), 'k.xml')).toThrow(
      'k.xml:11: KASP/Policy[name=minimal]/Keys: unexpected text "oops" in <Keys>',
    );
  });

  it('refuses bad policy names', () => {
    const named = (attr: string): string => minimalKasp(key('CSK', '13')).replace('<Policy name="minimal">', `<Policy${attr}>`);
    expect(() => parseKasp(named(''), 'k.xml')).toThrow("k.xml:3: KASP/Policy@name: required attribute 'name' is missing on <Policy>");
    expect(() => parseKasp(named(' name=""'), 'k.xml')).toThrow('k.xml:3: KASP/Policy@name: policy name is empty');
    expect(() => parseKasp(named(' name=" x"'), 'k.xml')).toThrow('k.xml:3: KASP/Policy@name: policy name " x" has leading or trailing whitespace');
    expect(() => parseKasp(named(' name="a&#9;b"'), 'k.xml')).toThrow('k.xml:3: KASP/Policy@name: policy name "a\\tb" contains a control character');
  });
});

describe('serializeKasp', () => {
  it('round-trips the good fixture', () => {
    const policies = parseKasp(readFixture('good/kasp.xml'), 'kasp.xml');
    const text = serializeKasp(policies);
    expect(parseKasp(text, 'export.xml')).toEqual(policies);
    // Exact seconds are written as days/hours/minutes/seconds, never Y or M.
    expect(text).toContain('<Lifetime>P365D</Lifetime>');
    expect(text).toContain('<Lifetime>P31D</Lifetime>');
    expect(text).toContain('<KskRollType>KskDoubleRRset</KskRollType>');
    expect(text).toContain('<ZskRollType>ZskDoubleRRsig</ZskRollType>');
    // Absent optional values stay absent.
    const cskPart = text.slice(text.indexOf('<Policy name="csk">'));
    expect(cskPart).not.toMatch(/<Keyset>|<MaxZoneTTL>|<Purge>|<ShareKeys|<Standby>|<RFC5011|<ManualRollover/);
  });

  it('round-trips the bundled example and policies with every option', () => {
    const example = parseKasp(readExample('kasp.xml'), 'kasp.xml');
    expect(example.map((p) => p.name)).toEqual(['default', 'lab']);
    expect(parseKasp(serializeKasp(example), 'x.xml')).toEqual(example);

    const all: Policy = {
      ...EXPECTED_DEFAULT,
      name: 'all <&> "options"',
      description: "quotes ' \" and <tags> & ampersands",
      passthrough: true,
      keys: {
        ...EXPECTED_DEFAULT.keys,
        list: [
          ...EXPECTED_DEFAULT.keys.list,
          { ...EXPECTED_DEFAULT.keys.list[0]!, algorithm: 8, length: 4096, rollType: 'KskDoubleDS', standby: 2 },
          { ...EXPECTED_DEFAULT.keys.list[1]!, algorithm: 16, length: 456, rollType: 'ZskDoubleSignature' },
        ],
      },
    };
    const csk: Policy = {
      ...EXPECTED_CSK,
      keys: { ...EXPECTED_CSK.keys, list: [{ ...EXPECTED_CSK.keys.list[0]!, rfc5011: true, manualRollover: true, rollType: 'CskDoubleDS' }] },
    };
    // Round trip groups keys by role, as kasp.rng orders them.
    const back = parseKasp(serializeKasp([all, csk]), 'x.xml');
    expect(back[1]).toEqual(csk);
    expect(back[0]!.keys.list.map((k) => `${k.role}/${k.algorithm}`)).toEqual(['KSK/13', 'KSK/8', 'ZSK/13', 'ZSK/16']);
    expect(back[0]).toEqual({ ...all, keys: { ...all.keys, list: [all.keys.list[0], all.keys.list[2], all.keys.list[1], all.keys.list[3]] } });
  });
});
