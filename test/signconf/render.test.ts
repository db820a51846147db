// Signconf content: key flags follow the record states, the stamp proves the content, and the
// output validates against OpenDNSSEC's signconf.rng (xmllint; required under CI).

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readStamp, stampSignconf } from '../../src/signconf/metadata.js';
import { renderSignconf, type SignconfKey } from '../../src/signconf/render.js';
import { signconfPathFor } from '../../src/signconf/paths.js';
import type { KeyStates } from '../../src/store/keys.js';
import { samplePolicy } from '../helpers/sample-policy.js';

const SIGNCONF_RNG = `${process.env.ODS_SCHEMA_DIR ?? '/usr/share/opendnssec'}/signconf.rng`;
const available = spawnSync('xmllint', ['--version']).status === 0 && existsSync(SIGNCONF_RNG);

const st = (ds: string, dnskey: string, rrsigdnskey: string, rrsig: string) => ({ ds, dnskey, rrsigdnskey, rrsig }) as KeyStates;
const key = (locator: string, flags: 256 | 257, states: KeyStates): SignconfKey => ({ flags, algorithm: 13, locator, states });

const keys: SignconfKey[] = [
  key('aa'.repeat(16), 257, st('omnipresent', 'omnipresent', 'omnipresent', 'na')), // active KSK
  key('bb'.repeat(16), 256, st('na', 'omnipresent', 'na', 'omnipresent')), // active ZSK
  key('cc'.repeat(16), 256, st('na', 'rumoured', 'na', 'hidden')), // pre-published ZSK
  key('dd'.repeat(16), 256, st('na', 'unretentive', 'na', 'hidden')), // ZSK being withdrawn
  key('ee'.repeat(16), 257, st('hidden', 'hidden', 'hidden', 'na')), // generated, not yet used
];

function keyBlocks(xml: string): string[] {
  return [...xml.matchAll(/<Key>([\s\S]*?)<\/Key>/g)].map((m) => m[1]!.replace(/\s+/g, ' ').trim());
}

describe('renderSignconf', () => {
  const nsec3 = renderSignconf({ zone: 'example.com', policy: samplePolicy('p'), keys, nsec3Salt: 'a1b2c3d4e5f60718' });

  it('derives Publish, KSK and ZSK from the record states and leaves out keys the signer has no use for', () => {
    expect(keyBlocks(nsec3)).toEqual([
      `<Flags>257</Flags> <Algorithm>13</Algorithm> <Locator>${'aa'.repeat(16)}</Locator> <KSK/> <Publish/>`,
      `<Flags>256</Flags> <Algorithm>13</Algorithm> <Locator>${'bb'.repeat(16)}</Locator> <ZSK/> <Publish/>`,
      `<Flags>256</Flags> <Algorithm>13</Algorithm> <Locator>${'cc'.repeat(16)}</Locator> <Publish/>`,
    ]);
  });

  it('writes the NSEC3 parameters with the zone salt, and NSEC when the policy says so', () => {
    expect(nsec3).toMatch(/<NSEC3>\s*<TTL>PT0S<\/TTL>\s*<Hash>\s*<Algorithm>1<\/Algorithm>\s*<Iterations>0<\/Iterations>\s*<Salt>a1b2c3d4e5f60718<\/Salt>/);
    const nsec = renderSignconf({ zone: 'example.com', policy: samplePolicy('p', { denial: { type: 'NSEC' } }), keys, nsec3Salt: null });
    expect(nsec).toMatch(/<Denial>\s*<NSEC\/>\s*<\/Denial>/);
    expect(() => renderSignconf({ zone: 'example.com', policy: samplePolicy('p'), keys, nsec3Salt: null })).toThrow(/no salt chosen yet/);
  });

  it('stamps the document with a hash that detects any change', () => {
    const { text, hash } = stampSignconf(nsec3, { epoch: 7, node: 'ns-a', writtenAt: new Date('2026-11-24T00:00:00Z') });
    expect(text.split('\n')[1]).toBe(`<!-- dnssec-enforcer epoch=7 node=ns-a written=2026-11-24T00:00:00.000Z sha256=${hash} -->`);
    expect(readStamp(text)).toEqual({ stamp: { epoch: 7, node: 'ns-a', writtenAt: new Date('2026-11-24T00:00:00Z'), hash }, actualHash: hash });
    const edited = readStamp(text.replace('<Flags>257', '<Flags>256'));
    expect(edited.actualHash).not.toBe(hash);
    expect(readStamp(nsec3).stamp).toBeNull();
  });

  it.skipIf(!available && process.env.CI !== 'true')('validates against OpenDNSSEC signconf.rng', () => {
    expect(available, `xmllint or ${SIGNCONF_RNG} missing: .ci/run installs libxml2-utils and opendnssec-common`).toBe(true);
    const nsec = renderSignconf({ zone: 'example.com', policy: samplePolicy('p', { denial: { type: 'NSEC' }, passthrough: true }), keys, nsec3Salt: null });
    for (const doc of [nsec3, nsec, stampSignconf(nsec3, { epoch: 1, node: 'n', writtenAt: new Date(0) }).text]) {
      execFileSync('xmllint', ['--noout', '--relaxng', SIGNCONF_RNG, '-'], { input: doc, stdio: ['pipe', 'pipe', 'pipe'] });
    }
  });
});

describe('signconfPathFor', () => {
  it('keeps every signconf file directly inside the signconf directory', () => {
    expect(signconfPathFor('/var/sc', 'example.com', null)).toBe('/var/sc/example.com.xml');
    expect(signconfPathFor('/var/sc', 'example.com', 'custom.xml')).toBe('/var/sc/custom.xml');
    expect(signconfPathFor('/var/sc', 'example.com', '/var/sc/abs.xml')).toBe('/var/sc/abs.xml');
    for (const bad of ['../escape.xml', '/etc/passwd', 'sub/dir.xml', '/var/sc2/x.xml']) {
      expect(() => signconfPathFor('/var/sc', 'example.com', bad)).toThrow(/is not a file directly inside the signconf directory \/var\/sc/);
    }
  });
});
