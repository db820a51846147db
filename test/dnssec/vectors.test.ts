// Published RFC examples: key tags, DS digests, presentation lines, and RRSIG verification.
import { describe, expect, it } from 'vitest';
import { createPrivateKey } from 'node:crypto';
import { p256, p384 } from '@noble/curves/nist.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { ed448 } from '@noble/curves/ed448.js';
import { decodeDnskeyRdata, encodeDnskeyRdata, type Dnskey } from '../../src/dnssec/dnskey.js';
import { keyTag } from '../../src/dnssec/key-tag.js';
import { dsMatches, makeDs, type DigestType } from '../../src/dnssec/ds.js';
import { dnskeyLine, dsLine } from '../../src/dnssec/presentation.js';
import { sign, verify } from '../../src/dnssec/signature.js';
import { rrsigSignedData } from '../../src/dnssec/rrsig.js';
import { bindKeyFiles } from '../../src/keys/bind-export.js';
import type { Algorithm } from '../../src/policy/policy.js';
import { only, parseRrsig, readVector, recordForSigning, type VectorFile } from './vectors.js';

function dnskeyOf(file: VectorFile): { owner: string; key: Dnskey; rdata: Uint8Array; ttl: number; line: string } {
  const r = only(file, 'DNSKEY');
  const key: Dnskey = {
    flags: Number(r.rdata[0]),
    protocol: Number(r.rdata[1]),
    algorithm: Number(r.rdata[2]),
    publicKey: new Uint8Array(Buffer.from(r.rdata.slice(3).join(''), 'base64')),
  };
  return { owner: r.owner, key, rdata: encodeDnskeyRdata(key), ttl: r.ttl, line: r.line };
}

function signedDataOf(file: VectorFile, rrsigRdata: string[]) {
  const { fields, signature } = parseRrsig(rrsigRdata);
  const covered = file.records.filter((r) => r.type !== 'RRSIG' && r.type !== 'DNSKEY' && r.type !== 'DS');
  return { fields, signature, data: rrsigSignedData(fields, covered.map(recordForSigning)) };
}

describe('RFC 4034 §5.4 / RFC 4509 §2.3: dskey.example.com', () => {
  const file = readVector('rfc4034-dskey.txt');
  const { owner, rdata, key } = dnskeyOf(file);

  it('has key tag 60485', () => {
    expect(keyTag(rdata)).toBe(60485);
  });

  it('gives the published SHA-1 digest when SHA-1 is asked for', () => {
    const ds = makeDs(owner, rdata, 1);
    expect(Buffer.from(ds.digest).toString('hex').toUpperCase()).toBe('2BB183AF5F22588179A53B0A98631FAD1A292118');
  });

  it('gives the published SHA-256 digest (RFC 4509)', () => {
    const ds = makeDs(owner, rdata, 2);
    expect(Buffer.from(ds.digest).toString('hex').toUpperCase()).toBe(
      'D4B7D520E7BB5F0F67674A0CCEB1E3E0614B93C4F9E99B8383F6A1E4469DA50A',
    );
  });

  it('prints DS lines exactly as the fixture holds them, for both digests', () => {
    for (const r of file.records.filter((x) => x.type === 'DS')) {
      const ds = makeDs(owner, rdata, Number(r.rdata[2]) as DigestType);
      expect(dsLine(owner, ds, { ttl: r.ttl })).toBe(r.line);
    }
  });

  it('ignores the case of the owner name', () => {
    const upper = makeDs('DSKEY.Example.COM', rdata, 2);
    expect(dsMatches(upper, 'dskey.example.com.', rdata)).toBe(true);
    expect(dnskeyLine('DSKEY.example.com', key, { ttl: 86400 })).toBe(only(file, 'DNSKEY').line);
  });
});

interface SigCase {
  file: string;
  algorithm: Algorithm;
  tag: number;
}

const SIGNATURE_CASES: SigCase[] = [
  { file: 'rfc5702-rsasha256.txt', algorithm: 8, tag: 9033 },
  { file: 'rfc5702-rsasha512.txt', algorithm: 10, tag: 3740 },
  { file: 'rfc6605-p256.txt', algorithm: 13, tag: 55648 },
  { file: 'rfc6605-p384.txt', algorithm: 14, tag: 10771 },
  { file: 'rfc8080-ed25519-1.txt', algorithm: 15, tag: 3613 },
  { file: 'rfc8080-ed25519-2.txt', algorithm: 15, tag: 35217 },
  { file: 'rfc8080-ed448-1.txt', algorithm: 16, tag: 9713 },
  { file: 'rfc8080-ed448-2.txt', algorithm: 16, tag: 38353 },
];

describe.each(SIGNATURE_CASES)('$file', ({ file: name, algorithm, tag }) => {
  const file = readVector(name);
  const { owner, key, rdata, ttl, line } = dnskeyOf(file);

  it(`has key tag ${tag} and round-trips its DNSKEY`, () => {
    expect(key.algorithm).toBe(algorithm);
    expect(keyTag(rdata)).toBe(tag);
    expect(decodeDnskeyRdata(rdata)).toEqual(key);
    expect(dnskeyLine(owner, key, { ttl })).toBe(line);
  });

  const dsRecords = file.records.filter((r) => r.type === 'DS');
  if (dsRecords.length > 0) it('reproduces the published DS', () => {
    for (const r of dsRecords) {
      const ds = makeDs(owner, rdata, Number(r.rdata[2]) as DigestType);
      expect(ds.keyTag).toBe(Number(r.rdata[0]));
      expect(ds.algorithm).toBe(Number(r.rdata[1]));
      expect(Buffer.from(ds.digest).toString('hex')).toBe(r.rdata[3]!.toLowerCase());
      expect(dsLine(owner, ds, { ttl: r.ttl })).toBe(r.line.replace(r.rdata[3]!, r.rdata[3]!.toUpperCase()));
    }
  });

  it('verifies the published RRSIG from the DNSKEY public key field alone', () => {
    const { fields, signature, data } = signedDataOf(file, only(file, 'RRSIG').rdata);
    expect(fields.keyTag).toBe(tag);
    expect(verify(algorithm, key.publicKey, data, signature)).toBe(true);
  });

  it('rejects the RRSIG over altered data or with an altered signature', () => {
    const { signature, data } = signedDataOf(file, only(file, 'RRSIG').rdata);
    const badData = data.slice();
    badData[badData.length - 1]! ^= 1;
    expect(verify(algorithm, key.publicKey, badData, signature)).toBe(false);
    const badSig = signature.slice();
    badSig[10]! ^= 0x40;
    expect(verify(algorithm, key.publicKey, data, badSig)).toBe(false);
  });

  if (file.privateKey) {
    const priv = file.privateKey;
    it('derives the published public key from the published private key', () => {
      const derived = derivePublic(algorithm, priv);
      expect(Buffer.from(derived).toString('base64')).toBe(Buffer.from(key.publicKey).toString('base64'));
    });

    it('exports the private key in the same BIND form the RFC prints', () => {
      const files = bindKeyFiles({ zone: owner, flags: key.flags, algorithm, privateKey: keyObjectOf(algorithm, priv, key.publicKey) });
      expect(files.keyTag).toBe(tag);
      expect(files.private.content).toContain(`PrivateKey: ${Buffer.from(priv).toString('base64')}\n`);
    });
  }

  if (algorithm === 15 || algorithm === 16) {
    it('reproduces the corrected (erratum 4935) signature exactly: EdDSA is deterministic', () => {
      const { data, signature } = signedDataOf(file, only(file, 'RRSIG').rdata);
      const mine = sign(algorithm, keyObjectOf(algorithm, file.privateKey!, key.publicKey), data);
      expect(Buffer.from(mine).toString('base64')).toBe(Buffer.from(signature).toString('base64'));
    });

    it('confirms the erratum: the signature first published was made over labels = 3', () => {
      // The published RRSIG claims 3 labels for a 2-label owner, which rrsig.ts rightly refuses to build,
      // so build it with the true count and patch the labels octet (offset 3 of the RRSIG RDATA prefix).
      const original = file.originalRrsig!;
      expect(original[2]).toBe('3');
      const { data: asCorrected, signature } = signedDataOf(file, [...original.slice(0, 2), '2', ...original.slice(3)]);
      expect(verify(algorithm, key.publicKey, asCorrected, signature)).toBe(false);
      const asPublished = asCorrected.slice();
      asPublished[3] = 3;
      expect(verify(algorithm, key.publicKey, asPublished, signature)).toBe(true);
      const mine = sign(algorithm, keyObjectOf(algorithm, file.privateKey!, key.publicKey), asPublished);
      expect(Buffer.from(mine).equals(Buffer.from(signature))).toBe(true);
    });
  }
});

function derivePublic(algorithm: Algorithm, priv: Uint8Array): Uint8Array {
  switch (algorithm) {
    case 13:
      return p256.getPublicKey(priv, false).subarray(1);
    case 14:
      return p384.getPublicKey(priv, false).subarray(1);
    case 15:
      return ed25519.getPublicKey(priv);
    case 16:
      return ed448.getPublicKey(priv);
    default:
      throw new Error('no private key form for RSA vectors');
  }
}

function keyObjectOf(algorithm: Algorithm, priv: Uint8Array, pub: Uint8Array) {
  const b = (x: Uint8Array) => Buffer.from(x).toString('base64url');
  if (algorithm === 13 || algorithm === 14) {
    const half = pub.length / 2;
    return createPrivateKey({
      format: 'jwk',
      key: { kty: 'EC', crv: algorithm === 13 ? 'P-256' : 'P-384', d: b(priv), x: b(pub.subarray(0, half)), y: b(pub.subarray(half)) },
    });
  }
  return createPrivateKey({ format: 'jwk', key: { kty: 'OKP', crv: algorithm === 15 ? 'Ed25519' : 'Ed448', d: b(priv), x: b(pub) } });
}
