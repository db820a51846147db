// One fixture per error under test/fixtures/bad-input/, each with the exact message an operator sees.
import { describe, it, expect } from 'vitest';
import { readdirSync } from 'node:fs';
import { InputError } from '../../src/policy/errors.js';
import { parseKasp } from '../../src/policy/kasp.js';
import { checkPolicyReferences, parseZonelist } from '../../src/zones/zonelist.js';
import { fixturePath, readFixture } from './read-fixture.js';

const KASP_CASES: Record<string, string> = {
  'kasp-malformed.xml':
    "kasp-malformed.xml:12: malformed XML: Expected closing tag 'Jitter' (opened in line 12, col 4) instead of closing tag 'Jiter'.",
  'kasp-unknown-element.xml':
    'kasp-unknown-element.xml:13: KASP/Policy[name=csk]/Signatures/Audit: unknown element <Audit> in <Signatures>; expected Resign, Refresh, Validity, Jitter, InceptionOffset, MaxZoneTTL',
  'kasp-unknown-attribute.xml':
    "kasp-unknown-attribute.xml:24: KASP/Policy[name=csk]/Keys/CSK/Lifetime@unit: unknown attribute 'unit' on <Lifetime>",
  'kasp-bad-duration.xml':
    'kasp-bad-duration.xml:24: KASP/Policy[name=csk]/Keys/CSK/Lifetime: invalid duration "P1.5Y": fractional values are not supported, use whole seconds (e.g. PT90S)',
  'kasp-negative-duration.xml':
    'kasp-negative-duration.xml:6: KASP/Policy[name=csk]/Signatures/Resign: invalid duration "-PT10M": negative durations are not allowed',
  'kasp-huge-duration.xml':
    'kasp-huge-duration.xml:24: KASP/Policy[name=csk]/Keys/CSK/Lifetime: invalid duration "P100Y": longer than the maximum of 2147483647 seconds (about 68 years)',
  'kasp-empty-duration.xml':
    'kasp-empty-duration.xml:7: KASP/Policy[name=csk]/Signatures/Refresh: invalid duration "PT": no value given',
  'kasp-unsupported-algorithm.xml':
    'kasp-unsupported-algorithm.xml:23: KASP/Policy[name=csk]/Keys/CSK/Algorithm: algorithm 5 (RSASHA1) is not supported; supported: 8 (RSASHA256), 10 (RSASHA512), 13 (ECDSAP256SHA256), 14 (ECDSAP384SHA384), 15 (ED25519), 16 (ED448)',
  'kasp-bad-key-length.xml':
    'kasp-bad-key-length.xml:23: KASP/Policy[name=csk]/Keys/CSK/Algorithm@length: key length 1000 is invalid for algorithm 8 (RSASHA256): RSA keys must be 1024 to 4096 bits, in steps of 8',
  'kasp-bad-curve-length.xml':
    'kasp-bad-curve-length.xml:23: KASP/Policy[name=csk]/Keys/CSK/Algorithm@length: key length 384 is invalid for algorithm 13 (ECDSAP256SHA256): it must be 256 (or left out)',
  'kasp-missing-element.xml':
    'kasp-missing-element.xml:5: KASP/Policy[name=csk]/Signatures/Resign: required element <Resign> is missing',
  'kasp-duplicate-element.xml':
    'kasp-duplicate-element.xml:7: KASP/Policy[name=csk]/Signatures/Resign: element <Resign> appears more than once (first at line 6)',
  'kasp-duplicate-policy.xml':
    'kasp-duplicate-policy.xml:48: KASP/Policy[name=csk]: duplicate policy name "csk" (first defined at line 3)',
  'kasp-doctype-entity.xml':
    'kasp-doctype-entity.xml:2: DOCTYPE declarations are not allowed (they enable entity expansion attacks); remove the <!DOCTYPE ...> declaration',
  'kasp-undefined-entity.xml':
    'kasp-undefined-entity.xml:4: malformed XML: undefined entity &nbsp; (only &amp; &lt; &gt; &quot; &apos; and character references are allowed)',
  'kasp-csk-mixed.xml':
    'kasp-csk-mixed.xml:18: KASP/Policy[name=csk]/Keys: policy "csk" mixes <CSK> with <KSK>/<ZSK>; use either a CSK or a KSK and ZSK pair',
  'kasp-ksk-without-zsk.xml':
    'kasp-ksk-without-zsk.xml:18: KASP/Policy[name=csk]/Keys: policy "csk" has no <ZSK>; it needs a <CSK>, or at least one <KSK> and one <ZSK>',
  'kasp-bad-rolltype.xml':
    'kasp-bad-rolltype.xml:26: KASP/Policy[name=csk]/Keys/CSK/CskRollType: unknown roll type "KskDoubleDS"; expected CskPrePublication, CskDoubleRRset, CskSingleSignature, CskDoubleDS, CskDoubleSignature',
  'kasp-bad-serial.xml':
    'kasp-bad-serial.xml:33: KASP/Policy[name=csk]/Zone/SOA/Serial: unknown serial kind "date"; expected counter, datecounter, unixtime, keep',
  'kasp-nsec-and-nsec3.xml':
    'kasp-nsec-and-nsec3.xml:17: KASP/Policy[name=csk]/Denial: choose either <NSEC/> or <NSEC3>, not both',
  'kasp-wrong-root.xml': 'kasp-wrong-root.xml:2: ZoneList: root element is <ZoneList>, expected <KASP>',
  'kasp-deep-nesting.xml': 'kasp-deep-nesting.xml:3: elements are nested more than 64 deep; refusing to parse',
};

const ZONELIST_CASES: Record<string, string> = {
  'zonelist-duplicate-zone.xml':
    'zonelist-duplicate-zone.xml:25: ZoneList/Zone[name=example.com]: duplicate zone "example.com" (first defined at line 3)',
  'zonelist-hostile-name.xml':
    `zonelist-hostile-name.xml:3: ZoneList/Zone@name: zone name "../etc" contains a path separator '/'`,
  'zonelist-hostile-name-slash.xml':
    `zonelist-hostile-name-slash.xml:3: ZoneList/Zone@name: zone name "a/b" contains a path separator '/'`,
  'zonelist-hostile-name-backslash.xml':
    `zonelist-hostile-name-backslash.xml:3: ZoneList/Zone@name: zone name "a\\\\b.example" contains a path separator '\\'`,
  'zonelist-hostile-name-dotdot.xml':
    'zonelist-hostile-name-dotdot.xml:3: ZoneList/Zone@name: zone name "a..b" has an empty label (two dots in a row, or a leading dot)',
  'zonelist-hostile-name-control.xml':
    'zonelist-hostile-name-control.xml:3: ZoneList/Zone@name: zone name "a\\tb" contains a control character (U+0009)',
  'zonelist-hostile-name-unicode.xml':
    'zonelist-hostile-name-unicode.xml:3: ZoneList/Zone@name: zone name "ünicode.example" contains non-ASCII characters; write internationalised names as A-labels (xn--..., e.g. with `idn2`)',
  'zonelist-hostile-name-root.xml':
    'zonelist-hostile-name-root.xml:3: ZoneList/Zone@name: zone name "." is the root zone, which is not supported',
  'zonelist-unknown-element.xml':
    'zonelist-unknown-element.xml:5: ZoneList/Zone[name=example.com]/Signer: unknown element <Signer> in <Zone>; expected Policy, SignerConfiguration, Adapters',
  'zonelist-bad-adapter.xml':
    'zonelist-bad-adapter.xml:7: ZoneList/Zone[name=example.com]/Adapters/Input/Adapter@type: unknown adapter type "FTP"; expected File or DNS',
  'zonelist-missing-policy.xml':
    'zonelist-missing-policy.xml:3: ZoneList/Zone[name=example.com]/Policy: required element <Policy> is missing',
};

function thrown(fn: () => unknown): InputError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return e as InputError;
  }
  throw new Error('expected an InputError, nothing was thrown');
}

describe('bad-input corpus', () => {
  it('has a test for every fixture', () => {
    const files = readdirSync(fixturePath('bad-input')).sort();
    const covered = [...Object.keys(KASP_CASES), ...Object.keys(ZONELIST_CASES), 'zonelist-unknown-policy.xml'].sort();
    expect(files).toEqual(covered);
  });

  for (const [file, message] of Object.entries(KASP_CASES)) {
    it(file, () => {
      const err = thrown(() => parseKasp(readFixture(`bad-input/${file}`), file));
      expect(err.message).toBe(message);
      expect(err.file).toBe(file);
    });
  }

  for (const [file, message] of Object.entries(ZONELIST_CASES)) {
    it(file, () => {
      const err = thrown(() => parseZonelist(readFixture(`bad-input/${file}`), file));
      expect(err.message).toBe(message);
      expect(err.file).toBe(file);
    });
  }

  it('zonelist-unknown-policy.xml (against the good kasp.xml)', () => {
    const policies = parseKasp(readFixture('good/kasp.xml'), 'kasp.xml').map((p) => p.name);
    const file = 'zonelist-unknown-policy.xml';
    const zones = parseZonelist(readFixture(`bad-input/${file}`), file);
    const err = thrown(() => checkPolicyReferences(zones, policies, file));
    expect(err.message).toBe(
      'zonelist-unknown-policy.xml:15: ZoneList/Zone[name=example.org]/Policy: zone "example.org" uses unknown policy "nosuch"; known policies: csk, default',
    );
    expect([err.path, err.line]).toEqual(['ZoneList/Zone[name=example.org]/Policy', 15]);
  });
});
