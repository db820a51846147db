// Interoperability with ldns and BIND for keys this project generated: DS records from ldns-key2ds and
// dnssec-dsfromkey must equal ours; zones signed by ldns-signzone and dnssec-signzone with our exported
// BIND-format keys must verify with ldns-verify-zone and dnssec-verify, and their RRSIGs with signature.ts.
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Algorithm } from '../../src/policy/policy.js';
import { algorithmInfo } from '../../src/dnssec/algorithms.js';
import { dnskeyFor, encodeDnskeyRdata } from '../../src/dnssec/dnskey.js';
import { makeDs, type DigestType } from '../../src/dnssec/ds.js';
import { rrsigSignedData } from '../../src/dnssec/rrsig.js';
import { verify } from '../../src/dnssec/signature.js';
import { bindKeyFilesFromKeystore, writeBindKeyFiles, type BindKeyFiles } from '../../src/keys/bind-export.js';
import { FileKeystore } from '../../src/keys/file-keystore.js';
import type { GeneratedKey } from '../../src/keys/keystore.js';
import { missingToolReason, requireTool } from '../helpers/tools.js';

const run = promisify(execFile);

const DS_TOOLS = ['ldns-key2ds', 'dnssec-dsfromkey'];
const SIGN_TOOLS = ['ldns-signzone', 'ldns-verify-zone', 'dnssec-signzone', 'dnssec-verify'];

function needTools(ctx: TestContext, names: string[]): void {
  const missing = names.filter((n) => !requireTool(n)); // throws in CI
  if (missing.length > 0) ctx.skip(missingToolReason(missing));
}

// RSA sizes are kept small where the size does not matter: generation dominates the run time.
const CASES: [Algorithm, number, number][] = [
  [8, 2048, 1024],
  [10, 2048, 1024],
  [13, 256, 256],
  [14, 384, 384],
  [15, 256, 256],
  [16, 456, 456],
];

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'enforcer-interop-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

interface Prepared {
  zone: string;
  dir: string;
  ksk: GeneratedKey;
  zsk: GeneratedKey;
  kskFiles: BindKeyFiles;
  zskFiles: BindKeyFiles;
}

async function prepare(algorithm: Algorithm, kskBits: number, zskBits: number): Promise<Prepared> {
  const zone = `alg${algorithm}.example`;
  const dir = join(work, zone);
  const ks = await FileKeystore.open('interop', join(dir, 'keystore'));
  const [ksk, zsk] = await Promise.all([ks.generate(algorithm, kskBits), ks.generate(algorithm, zskBits)]);
  const kskFiles = await bindKeyFilesFromKeystore(ks, ksk.locator, { zone, flags: 257, ttl: 3600 });
  const zskFiles = await bindKeyFilesFromKeystore(ks, zsk.locator, { zone, flags: 256, ttl: 3600 });
  await writeBindKeyFiles(dir, kskFiles);
  await writeBindKeyFiles(dir, zskFiles);
  const zoneText = [
    '$TTL 3600',
    `$ORIGIN ${zone}.`,
    '@ IN SOA ns1 hostmaster 2024010101 7200 3600 1209600 3600',
    '@ IN NS ns1',
    'ns1 IN A 192.0.2.53',
    'www IN A 192.0.2.80',
    'www IN A 192.0.2.81',
  ];
  // ldns-signzone finds the DNSKEYs in our .key files by itself; dnssec-signzone wants them in the zone,
  // and $INCLUDE makes BIND read our .key files, comments and all.
  await writeFile(join(dir, 'zone'), [...zoneText, ''].join('\n'));
  await writeFile(join(dir, 'zone.with-keys'), [...zoneText, `$INCLUDE ${kskFiles.key.name}`, `$INCLUDE ${zskFiles.key.name}`, ''].join('\n'));
  return { zone, dir, ksk, zsk, kskFiles, zskFiles };
}

/** `owner [ttl] [class] DS tag alg type digest…` from either tool, digest lower-cased. */
function parseDs(line: string): string {
  const tokens = line.replace(/;.*/, '').trim().split(/\s+/);
  const i = tokens.indexOf('DS');
  if (i < 0) throw new Error(`no DS in tool output: ${line}`);
  const [tag, alg, type, ...digest] = tokens.slice(i + 1);
  return `${tag} ${alg} ${type} ${digest.join('').toLowerCase()}`;
}

interface ZoneRr {
  owner: string;
  ttl: number;
  type: string;
  rdata: string[];
}

/** Zone files printed one record per line (ldns-signzone, dnssec-signzone -O full). */
function parseZone(text: string): ZoneRr[] {
  const out: ZoneRr[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/;.*/, '').trim();
    if (!line || line.startsWith('$')) continue;
    const [owner, ttl, cls, type, ...rdata] = line.split(/\s+/);
    if (cls !== 'IN') throw new Error(`unexpected zone line: ${raw}`);
    out.push({ owner: owner!.toLowerCase(), ttl: Number(ttl), type: type!, rdata });
  }
  return out;
}

const TYPE = { A: 1, DNSKEY: 48 } as const;

/** Checks every RRSIG over the DNSKEY and A RRsets with our own verifier, from the zone's DNSKEYs. */
function verifyWithOurs(rrs: ZoneRr[], algorithm: Algorithm): number {
  const keys = rrs.filter((r) => r.type === 'DNSKEY').map((r) =>
    dnskeyFor(Number(r.rdata[0]), Number(r.rdata[2]) as Algorithm, new Uint8Array(Buffer.from(r.rdata.slice(3).join(''), 'base64'))));
  let checked = 0;
  for (const sig of rrs.filter((r) => r.type === 'RRSIG' && (r.rdata[0] === 'A' || r.rdata[0] === 'DNSKEY'))) {
    const [covered, alg, labels, ttl, exp, inc, tag, signer, ...b64] = sig.rdata;
    const toEpoch = (s: string) => Date.UTC(+s.slice(0, 4), +s.slice(4, 6) - 1, +s.slice(6, 8), +s.slice(8, 10), +s.slice(10, 12), +s.slice(12, 14)) / 1000;
    const fields = {
      typeCovered: TYPE[covered as 'A' | 'DNSKEY'], algorithm: Number(alg), labels: Number(labels), originalTtl: Number(ttl),
      expiration: toEpoch(exp!), inception: toEpoch(inc!), keyTag: Number(tag), signerName: signer!,
    };
    const rrset = rrs.filter((r) => r.owner === sig.owner && r.type === covered).map((r) => ({
      owner: r.owner,
      type: fields.typeCovered,
      rdata: covered === 'A'
        ? Uint8Array.from(r.rdata[0]!.split('.').map(Number))
        : encodeDnskeyRdata(dnskeyFor(Number(r.rdata[0]), Number(r.rdata[2]) as Algorithm, new Uint8Array(Buffer.from(r.rdata.slice(3).join(''), 'base64')))),
    }));
    const key = keys.find((k) => makeDs(signer!, encodeDnskeyRdata(k), 2).keyTag === fields.keyTag);
    expect(key, `DNSKEY with tag ${fields.keyTag}`).toBeDefined();
    expect(fields.algorithm).toBe(algorithm);
    const data = rrsigSignedData(fields, rrset);
    expect(verify(algorithm, key!.publicKey, data, new Uint8Array(Buffer.from(b64.join(''), 'base64'))), `RRSIG ${covered} ${tag}`).toBe(true);
    checked++;
  }
  return checked;
}

describe.each(CASES)('algorithm %i (KSK %i bits, ZSK %i bits)', (algorithm, kskBits, zskBits) => {
  let p: Prepared;
  beforeAll(async () => {
    p = await prepare(algorithm, kskBits, zskBits);
  }, 60_000);

  it('DS from ldns-key2ds and dnssec-dsfromkey equals ours (SHA-256 and SHA-384)', async (ctx) => {
    needTools(ctx, DS_TOOLS);
    for (const [files, key] of [[p.kskFiles, p.ksk], [p.zskFiles, p.zsk]] as const) {
      const keyPath = join(p.dir, files.key.name);
      const rdata = encodeDnskeyRdata(dnskeyFor(files === p.kskFiles ? 257 : 256, algorithm, key.publicKey));
      for (const [digestType, ldnsFlag, bindName] of [[2, '-2', 'SHA-256'], [4, '-4', 'SHA-384']] as [DigestType, string, string][]) {
        const ds = makeDs(p.zone, rdata, digestType);
        const ours = `${ds.keyTag} ${algorithm} ${digestType} ${Buffer.from(ds.digest).toString('hex')}`;
        const ldns = await run('ldns-key2ds', ['-f', '-n', ldnsFlag, keyPath]); // -f: ZSKs too
        expect(parseDs(ldns.stdout), `ldns-key2ds ${ldnsFlag}`).toBe(ours);
        const bind = await run('dnssec-dsfromkey', ['-a', bindName, keyPath]);
        expect(parseDs(bind.stdout), `dnssec-dsfromkey -a ${bindName}`).toBe(ours);
      }
    }
  }, 30_000);

  it('zones signed by ldns-signzone and dnssec-signzone with the exported keys verify', async (ctx) => {
    needTools(ctx, SIGN_TOOLS);
    const zoneFile = join(p.dir, 'zone');
    const keys = [join(p.dir, p.kskFiles.basename), join(p.dir, p.zskFiles.basename)];

    const ldnsOut = join(p.dir, 'zone.ldns');
    await run('ldns-signzone', ['-o', p.zone, '-f', ldnsOut, zoneFile, ...keys], { cwd: p.dir });
    await run('ldns-verify-zone', [ldnsOut]);
    const ldnsZone = parseZone(await readFile(ldnsOut, 'utf8'));
    expect(ldnsZone.filter((r) => r.type === 'DNSKEY')).toHaveLength(2);
    expect(verifyWithOurs(ldnsZone, algorithm)).toBeGreaterThanOrEqual(3);

    const bindOut = join(p.dir, 'zone.bind');
    await run('dnssec-signzone', ['-q', '-O', 'full', '-K', p.dir, '-o', p.zone, '-f', bindOut, `${zoneFile}.with-keys`, ...keys], { cwd: p.dir });
    await run('dnssec-verify', ['-q', '-o', p.zone, bindOut]);
    await run('ldns-verify-zone', [bindOut]);
    expect(verifyWithOurs(parseZone(await readFile(bindOut, 'utf8')), algorithm)).toBeGreaterThanOrEqual(3);
  }, 60_000);

  it(`uses ${algorithmInfo(algorithm).mnemonic} with the requested sizes`, () => {
    expect([p.ksk.bits, p.zsk.bits]).toEqual([kskBits, zskBits]);
  });
});
