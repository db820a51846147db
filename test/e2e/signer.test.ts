// End to end with the real OpenDNSSEC signer: the enforcer (the real CLI, on PostgreSQL) generates a
// zone's keys in a SoftHSM token and writes its signconf; ods-signerd, configured for the same token
// and signconf, signs an unsigned zone file, and ldns-verify-zone accepts the result. Then the
// enforcer's clock (ENFORCER_CLOCK_OFFSET on a test database) runs through a ZSK roll by
// pre-publication; after every signconf the enforcer writes, the signer is told (`ods-signer update`)
// and the signed zone must carry exactly the keys the signconf asks for, sign with exactly its ZSKs,
// and verify. The roll must go through the published-but-not-signing stage and end with the new ZSK
// signing every RRset and the old one gone.
// Needs softhsm2, opendnssec-signer, ldnsutils, the pkcs11js build, and root (for the signer's private
// /run/opendnssec): `npm run test:e2e`, which .ci/run runs. Missing any of them fails under CI.

import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { createPostgresDatabase } from '../helpers/databases.js';
import { markDatabase } from '../helpers/ha-setup.js';
import { startSigner, type Signer } from '../helpers/ods-signer.js';
import { createSoftHsm, pkcs11Unavailable, type SoftHsm } from '../helpers/softhsm.js';
import { requireTool } from '../helpers/tools.js';
import { parseSigned, same, sorted, verifyZone, type SignedZone } from './signed-zone.js';

const ZONE = 'example.com';
const PIN = '246810';
const TOOLS = ['ods-signerd', 'ods-signer', 'ldns-verify-zone', 'unshare', 'mount'];

function unavailable(): string | null {
  const missing = TOOLS.filter((t) => !requireTool(t)); // throws under CI
  const pkcs11 = pkcs11Unavailable(); // throws under CI
  const root = process.getuid?.() === 0 ? null : 'the signer needs root for its private /run/opendnssec (unshare, mount)';
  if (root && process.env.CI) throw new Error(`end-to-end test: ${root}`);
  const reasons = [missing.length ? `not on PATH: ${missing.join(', ')}` : null, pkcs11, root].filter(Boolean);
  return reasons.length ? reasons.join('; ') : null;
}

describe('enforcer + SoftHSM + ods-signerd', () => {
  const skip = unavailable();
  let hsm: SoftHsm;
  let dir: string;
  let config: string;
  let url: string;
  let drop: (() => Promise<void>) | undefined;
  let signer: Signer | undefined;
  /** Seconds the enforcer's clock runs ahead of the real one. */
  let offset = 0;

  beforeAll(async () => {
    if (skip) return;
    hsm = createSoftHsm();
    hsm.addToken('OpenDNSSEC', PIN);
    dir = mkdtempSync(path.join(os.tmpdir(), 'enforcer-e2e-'));
    for (const d of ['signconf', 'unsigned', 'signed']) mkdirSync(path.join(dir, d));
    writeFileSync(path.join(dir, 'kasp.xml'), KASP);
    writeFileSync(path.join(dir, 'zonelist.xml'), zonelist(dir));
    writeFileSync(path.join(dir, 'unsigned', ZONE), UNSIGNED_ZONE);
    writeFileSync(path.join(dir, 'hsm.pin'), `${PIN}\n`, { mode: 0o600 });
    ({ url, drop } = await createPostgresDatabase());
    await markDatabase({ url }); // lets ENFORCER_CLOCK_OFFSET through
    config = path.join(dir, 'enforcer.yaml');
    writeFileSync(
      config,
      [
        'node: e2e',
        `database: { url: "${url}" }`,
        'policy: { kasp: kasp.xml, zonelist: zonelist.xml }',
        'signconf: { directory: signconf }',
        'keystores:',
        '  SoftHSM:',
        '    type: pkcs11',
        `    module: ${hsm.module}`,
        '    tokenLabel: OpenDNSSEC',
        '    pinFile: hsm.pin',
        'log: { level: warn }',
        '',
      ].join('\n'),
    );
  });
  afterAll(async () => {
    await signer?.stop();
    await drop?.();
  });

  const enforcer = async (...args: string[]) => {
    const r = await runCli(['--config', config, '--json', ...args], { ...hsm.env, ENFORCER_CLOCK_OFFSET: `+${offset}` });
    if (r.code !== 0) throw new Error(`enforcer ${args.join(' ')}: exit ${r.code}\n${r.stdout}${r.stderr}`);
    return JSON.parse(r.stdout);
  };

  /** Tags the signconf asks for: published DNSKEYs, and the keys that sign zone data. */
  async function expected(): Promise<{ publish: number[]; zsk: number[]; ksk: number[] }> {
    const keys = (await enforcer('key', 'list', '--zone', ZONE)) as Array<{ locator: string; keyTag: number }>;
    const tagOf = new Map(keys.map((k) => [k.locator, k.keyTag]));
    const xml = readFileSync(path.join(dir, 'signconf', `${ZONE}.xml`), 'utf8');
    const out = { publish: [] as number[], zsk: [] as number[], ksk: [] as number[] };
    for (const m of xml.matchAll(/<Key>([\s\S]*?)<\/Key>/g)) {
      const tag = tagOf.get(/<Locator>(\w+)<\/Locator>/.exec(m[1]!)![1]!)!;
      if (m[1]!.includes('<Publish/>')) out.publish.push(tag);
      if (m[1]!.includes('<ZSK/>')) out.zsk.push(tag);
      if (m[1]!.includes('<KSK/>')) out.ksk.push(tag);
    }
    return { publish: sorted(out.publish), zsk: sorted(out.zsk), ksk: sorted(out.ksk) };
  }

  /** Waits until the signer's output carries what the signconf asks for, then has ldns-verify-zone check it. */
  async function signedAsExpected(want: { publish: number[]; zsk: number[]; ksk: number[] }): Promise<SignedZone> {
    const file = path.join(dir, 'signed', ZONE);
    const deadline = Date.now() + 60_000;
    let last: SignedZone | null = null;
    for (;;) {
      try {
        last = parseSigned(readFileSync(file, 'utf8'));
      } catch {
        last = null; // not written yet
      }
      if (last && matches(last, want)) break;
      if (Date.now() > deadline) {
        throw new Error(`signed zone never matched the signconf ${JSON.stringify(want)}; last seen ${JSON.stringify(last)}\n${signer?.output()}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    const v = await verifyZone(file);
    expect(v.code, v.output).toBe(0);
    expect(v.output).toContain('Zone is verified and complete');
    return last;
  }

  /**
   * The signed zone carries exactly the published DNSKEYs, the DNSKEY set is signed by exactly the KSKs,
   * every signature is by a published key, and the SOA (re-signed whenever the zone is) by exactly the
   * active ZSKs. ods-signerd keeps a still-published key's valid signatures on other RRsets until their
   * refresh time after the key stops being active, so those may still carry the previous ZSK's.
   */
  function matches(z: SignedZone, want: { publish: number[]; zsk: number[]; ksk: number[] }): boolean {
    const soa = sorted(z.rrsigs.filter((r) => r.covered === 'SOA').map((r) => r.tag));
    return same(z.dnskeys, want.publish) && same(z.dnskeySigners, want.ksk) && same(soa, want.zsk) && z.zoneSigners.every((t) => want.publish.includes(t));
  }

  it('signs with the enforcer\'s token keys, and re-signs through a ZSK roll', async (ctx) => {
    if (skip) return ctx.skip(skip);
    const first = await enforcer('run');
    expect(first).toMatchObject({ outcome: 'ok', keysGenerated: 2, signconfWritten: 1 });
    const initial = await expected();
    expect(initial.zsk).toHaveLength(1);
    expect(initial.ksk).toHaveLength(1);
    const oldZsk = initial.zsk[0]!;

    signer = await startSigner({
      dir: path.join(dir, 'signer'),
      repository: { name: 'SoftHSM', module: hsm.module, tokenLabel: 'OpenDNSSEC', pin: PIN },
      zonelist: path.join(dir, 'zonelist.xml'),
      kasp: path.join(dir, 'kasp.xml'),
      env: hsm.env,
    });
    const zones = await signer.command('zones');
    expect(zones).toContain(ZONE);
    // A fresh zone is signed by its one ZSK throughout.
    expect((await signedAsExpected(initial)).zoneSigners).toEqual(initial.zsk);

    // Drive the enforcer's clock from one due time to the next; tell the signer about each new signconf.
    const stages: Array<{ publish: number[]; zsk: number[] }> = [initial];
    let signconf = readFileSync(path.join(dir, 'signconf', `${ZONE}.xml`), 'utf8');
    let newZsk: number | null = null;
    for (let i = 0; i < 60; i++) {
      const s = await enforcer('run');
      expect(s.errors).toEqual([]);
      for (const r of s.dsRequests as Array<{ type: string; keyTag: number }>) {
        // The operator confirms the parent's DS at once.
        if (r.type === 'ds-submit') await enforcer('key', 'ds-seen', '--zone', ZONE, '--keytag', String(r.keyTag));
      }
      const now = readFileSync(path.join(dir, 'signconf', `${ZONE}.xml`), 'utf8');
      if (now !== signconf) {
        signconf = now;
        const want = await expected();
        expect(await signer.command('update', ZONE)).toMatch(/being updated|updated/);
        await signedAsExpected(want);
        stages.push(want);
        newZsk ??= want.publish.find((t) => t !== oldZsk && !initial.ksk.includes(t)) ?? null;
        if (newZsk !== null && !want.publish.includes(oldZsk)) break; // the old ZSK is gone: the roll is done
      }
      const next = s.nextRunAt ? Date.parse(s.nextRunAt) : Date.now() + offset * 1000 + 3_600_000;
      offset = Math.max(offset + 1, Math.ceil((next - Date.now()) / 1000));
    }

    expect(newZsk).not.toBeNull();
    // Pre-publication: the new ZSK was published while the old one still signed...
    expect(stages.some((st) => st.publish.includes(newZsk!) && same(st.zsk, [oldZsk]))).toBe(true);
    // ...and at the end the new ZSK signs every RRset, and the old one neither signs nor is published.
    const final = parseSigned(readFileSync(path.join(dir, 'signed', ZONE), 'utf8'));
    expect(final.zoneSigners, JSON.stringify(stages)).toEqual([newZsk]);
    expect(final.dnskeys).toEqual(sorted([...initial.ksk, newZsk!]));
    expect(final.rrsigs.filter((r) => r.tag === oldZsk)).toEqual([]);
    // Every authoritative RRset other than the DNSKEY set is signed by the new ZSK.
    expect(final.rrsigs.filter((r) => r.covered !== 'DNSKEY').every((r) => r.tag === newZsk)).toBe(true);
    expect(offset).toBeGreaterThan(6 * 86_400); // the ZSK lifetime (P7D) had to pass on the enforcer's clock
  });
});

function zonelist(dir: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<ZoneList>
  <Zone name="${ZONE}">
    <Policy>e2e</Policy>
    <SignerConfiguration>${dir}/signconf/${ZONE}.xml</SignerConfiguration>
    <Adapters>
      <Input><File>${dir}/unsigned/${ZONE}</File></Input>
      <Output><File>${dir}/signed/${ZONE}</File></Output>
    </Adapters>
  </Zone>
</ZoneList>
`;
}

// Short TTLs and signature validity so a ZSK roll (whose end waits for the signer to have replaced the old
// ZSK's signatures, up to validity - refresh) completes well within the 7-day ZSK lifetime; NSEC3 per RFC 9276.
const KASP = `<?xml version="1.0" encoding="UTF-8"?>
<KASP>
  <Policy name="e2e">
    <Description>end-to-end test: KSK and ZSK, ECDSA P-256, in a PKCS#11 token</Description>
    <Signatures>
      <Resign>PT1H</Resign>
      <Refresh>P1D</Refresh>
      <Validity><Default>P2D</Default><Denial>P2D</Denial></Validity>
      <Jitter>PT1H</Jitter>
      <InceptionOffset>PT3600S</InceptionOffset>
      <MaxZoneTTL>PT3600S</MaxZoneTTL>
    </Signatures>
    <Denial>
      <NSEC3><Resalt>P100D</Resalt><Hash><Algorithm>1</Algorithm><Iterations>0</Iterations><Salt length="0"/></Hash></NSEC3>
    </Denial>
    <Keys>
      <TTL>PT3600S</TTL>
      <RetireSafety>PT3600S</RetireSafety>
      <PublishSafety>PT3600S</PublishSafety>
      <Purge>P1D</Purge>
      <KSK><Algorithm length="256">13</Algorithm><Lifetime>P365D</Lifetime><Repository>SoftHSM</Repository></KSK>
      <ZSK><Algorithm length="256">13</Algorithm><Lifetime>P7D</Lifetime><Repository>SoftHSM</Repository></ZSK>
    </Keys>
    <Zone>
      <PropagationDelay>PT3600S</PropagationDelay>
      <SOA><TTL>PT3600S</TTL><Minimum>PT3600S</Minimum><Serial>unixtime</Serial></SOA>
    </Zone>
    <Parent>
      <PropagationDelay>PT3600S</PropagationDelay>
      <DS><TTL>PT3600S</TTL></DS>
      <SOA><TTL>PT3600S</TTL><Minimum>PT3600S</Minimum></SOA>
    </Parent>
  </Policy>
</KASP>
`;

const UNSIGNED_ZONE = `$ORIGIN ${ZONE}.
$TTL 3600
@        IN SOA  ns1.${ZONE}. hostmaster.${ZONE}. 1 7200 3600 1209600 3600
         IN NS   ns1.${ZONE}.
         IN NS   ns2.${ZONE}.
         IN MX   10 mail.${ZONE}.
ns1      IN A    192.0.2.1
ns2      IN AAAA 2001:db8::2
mail     IN A    192.0.2.25
www      IN A    192.0.2.80
         IN TXT  "served by the end-to-end test"
sub      IN NS   ns.sub.${ZONE}.
ns.sub   IN A    192.0.2.53
`;
