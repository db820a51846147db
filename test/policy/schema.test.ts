// Checks our files and serializer output against OpenDNSSEC's own RelaxNG schemas with xmllint
// (Debian: opendnssec-common + libxml2-utils). Skipped when the tools are absent, except under CI=true,
// where a missing tool is a failure so the check cannot silently disappear.
import { describe, it, expect } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseKasp, serializeKasp } from '../../src/policy/kasp.js';
import { parseZonelist, serializeZonelist } from '../../src/zones/zonelist.js';
import { examplePath, fixturePath, readExample, readFixture } from './read-fixture.js';

const SCHEMA_DIR = process.env.ODS_SCHEMA_DIR ?? '/usr/share/opendnssec';
const KASP_RNG = join(SCHEMA_DIR, 'kasp.rng');
const ZONELIST_RNG = join(SCHEMA_DIR, 'zonelist.rng');

const haveXmllint = spawnSync('xmllint', ['--version']).status === 0;
const available = haveXmllint && existsSync(KASP_RNG) && existsSync(ZONELIST_RNG);
const inCi = process.env.CI === 'true';

function validate(schema: string, file: string, input?: string): void {
  try {
    execFileSync('xmllint', ['--noout', '--relaxng', schema, file], {
      input,
      stdio: ['pipe', 'pipe', 'pipe'],
      encoding: 'utf8',
    });
  } catch (e) {
    const err = e as { stderr?: string };
    throw new Error(`xmllint rejected ${file === '-' ? 'generated document' : file}:\n${err.stderr ?? String(e)}\n${input ?? ''}`);
  }
}

describe('OpenDNSSEC RelaxNG schemas', () => {
  it('xmllint and the schemas are available (required under CI)', () => {
    if (inCi) expect(available, `xmllint or ${KASP_RNG}/${ZONELIST_RNG} missing`).toBe(true);
  });

  describe.skipIf(!available)('validation', () => {
    it('accepts the good kasp fixture and the bundled example', () => {
      validate(KASP_RNG, fixturePath('good/kasp.xml'));
      validate(KASP_RNG, examplePath('kasp.xml'));
    });

    it('accepts serializeKasp output', () => {
      const policies = [
        ...parseKasp(readFixture('good/kasp.xml'), 'kasp.xml'),
        ...parseKasp(readExample('kasp.xml'), 'kasp.xml').map((p) => ({ ...p, name: `example-${p.name}`, passthrough: true })),
      ];
      validate(KASP_RNG, '-', serializeKasp(policies));
    });

    it('accepts the good zonelist fixture and serializeZonelist output', () => {
      validate(ZONELIST_RNG, fixturePath('good/zonelist.xml'));
      validate(ZONELIST_RNG, '-', serializeZonelist(parseZonelist(readFixture('good/zonelist.xml'), 'zonelist.xml')));
      const example = parseZonelist(readExample('zonelist.xml'), 'zonelist.xml');
      validate(ZONELIST_RNG, '-', serializeZonelist(example, { signconfDir: '/var/lib/opendnssec/signconf' }));
    });
  });
});
