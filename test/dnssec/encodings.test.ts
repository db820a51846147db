// Encodings that the RFC examples do not reach: name rules, RFC 3110 corner cases, flags, comments,
// algorithm 1, high-S ECDSA, malformed inputs, and RRSIG signed data for wildcards and RRset order.
import { describe, expect, it } from 'vitest';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { p256 } from '@noble/curves/nist.js';
import { algorithmInfo, ALGORITHMS, isAllowedBits, UnsupportedAlgorithmError } from '../../src/dnssec/algorithms.js';
import { canonicalNameWire, fqdn, NameError } from '../../src/dnssec/name.js';
import {
  decodeDnskeyRdata, decodeRsaPublicKey, DnskeyError, dnskeyFor, encodeDnskeyRdata, encodeRsaPublicKey,
  keyObjectFromPublicKeyField, publicKeyFieldFromKeyObject, rsaModulusBits,
} from '../../src/dnssec/dnskey.js';
import { keyTag, KeyTagError } from '../../src/dnssec/key-tag.js';
import { decodeDsRdata, dsMatches, encodeDsRdata, makeDs } from '../../src/dnssec/ds.js';
import { dnskeyComment, dnskeyLine, dsLine } from '../../src/dnssec/presentation.js';
import { sign, verify } from '../../src/dnssec/signature.js';
import { rrsigSignedData, type RrsigFields } from '../../src/dnssec/rrsig.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('algorithm table', () => {
  it('covers exactly 8, 10, 13, 14, 15, 16 with their mnemonics', () => {
    expect(ALGORITHMS.map((a) => [a.number, a.mnemonic])).toEqual([
      [8, 'RSASHA256'], [10, 'RSASHA512'], [13, 'ECDSAP256SHA256'], [14, 'ECDSAP384SHA384'], [15, 'ED25519'], [16, 'ED448'],
    ]);
  });

  it('knows the fixed sizes and refuses odd ones', () => {
    expect(algorithmInfo(13).signatureBytes).toBe(64);
    expect(algorithmInfo(14).signatureBytes).toBe(96);
    expect(algorithmInfo(16).signatureBytes).toBe(114);
    expect(isAllowedBits(8, 2048)).toBe(true);
    expect(isAllowedBits(8, 512)).toBe(false);
    expect(isAllowedBits(13, 384)).toBe(false);
    expect(isAllowedBits(16, 448)).toBe(true);
    expect(() => algorithmInfo(5)).toThrow(UnsupportedAlgorithmError);
  });
});

describe('canonical names', () => {
  it('lower-cases ASCII and accepts the trailing dot or not', () => {
    expect(hex(canonicalNameWire('Example.COM'))).toBe(hex(canonicalNameWire('example.com.')));
    expect(hex(canonicalNameWire('example.com'))).toBe('076578616d706c6503636f6d00');
  });

  it('handles the root', () => {
    expect(hex(canonicalNameWire(''))).toBe('00');
    expect(hex(canonicalNameWire('.'))).toBe('00');
    expect(fqdn('')).toBe('.');
    expect(fqdn('Example.com')).toBe('example.com.');
  });

  it('refuses empty and oversized labels, long names and escapes', () => {
    expect(() => canonicalNameWire('a..b')).toThrow(NameError);
    expect(() => canonicalNameWire('x'.repeat(64) + '.com')).toThrow(NameError);
    expect(() => canonicalNameWire(Array(130).fill('ab').join('.'))).toThrow(NameError);
    expect(() => canonicalNameWire('a\\.b.com')).toThrow(NameError);
  });
});

describe('DNSKEY RDATA and RSA public keys (RFC 3110)', () => {
  it('round-trips RDATA', () => {
    const key = dnskeyFor(257, 13, new Uint8Array(64).fill(7));
    const rdata = encodeDnskeyRdata(key);
    expect(hex(rdata.subarray(0, 4))).toBe('0101030d');
    expect(decodeDnskeyRdata(rdata)).toEqual(key);
  });

  it('uses the three-octet length form for exponents longer than 255 octets', () => {
    const exponent = new Uint8Array(256).fill(1);
    const modulus = new Uint8Array(128).fill(0xff);
    const field = encodeRsaPublicKey({ exponent, modulus });
    expect(hex(field.subarray(0, 3))).toBe('000100');
    expect(decodeRsaPublicKey(field)).toEqual({ exponent, modulus });
  });

  it('strips leading zeros when encoding and refuses them when decoding', () => {
    const field = encodeRsaPublicKey({ exponent: Uint8Array.of(0, 1, 0, 1), modulus: Uint8Array.of(0, 0xc1, 2) });
    expect(hex(field)).toBe('03010001c102');
    expect(() => decodeRsaPublicKey(Uint8Array.of(1, 3, 0, 0xc1))).toThrow(DnskeyError);
    expect(() => decodeRsaPublicKey(Uint8Array.of(5, 1, 2))).toThrow(DnskeyError);
  });

  it('measures modulus bits', () => {
    expect(rsaModulusBits(Uint8Array.of(0x80, 0))).toBe(16);
    expect(rsaModulusBits(Uint8Array.of(0x01, 0))).toBe(9);
  });

  it('converts node keys of every family to the field and back', () => {
    const cases: [8 | 13 | 14 | 15 | 16, ReturnType<typeof generateKeyPairSync>][] = [
      [8, generateKeyPairSync('rsa', { modulusLength: 1024 })],
      [13, generateKeyPairSync('ec', { namedCurve: 'P-256' })],
      [14, generateKeyPairSync('ec', { namedCurve: 'P-384' })],
      [15, generateKeyPairSync('ed25519')],
      [16, generateKeyPairSync('ed448')],
    ];
    for (const [alg, pair] of cases) {
      const field = publicKeyFieldFromKeyObject(alg, pair.privateKey);
      const back = keyObjectFromPublicKeyField(alg, field);
      expect(back.equals(pair.publicKey)).toBe(true);
    }
  });

  it('refuses a key of the wrong family or a malformed point', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(() => publicKeyFieldFromKeyObject(14, ec.publicKey)).toThrow(DnskeyError);
    expect(() => publicKeyFieldFromKeyObject(8, ec.publicKey)).toThrow(DnskeyError);
    expect(() => keyObjectFromPublicKeyField(13, new Uint8Array(64))).toThrow(DnskeyError);
    expect(() => keyObjectFromPublicKeyField(15, new Uint8Array(31))).toThrow(DnskeyError);
  });
});

describe('key tag', () => {
  it('refuses algorithm 1 (RSAMD5), whose tag rule differs', () => {
    const rdata = encodeDnskeyRdata({ flags: 256, protocol: 3, algorithm: 1, publicKey: Uint8Array.of(1, 3, 0xc1, 0x01) });
    expect(() => keyTag(rdata)).toThrow(KeyTagError);
    expect(() => makeDs('example.com', rdata, 2)).toThrow(KeyTagError);
  });

  it('folds the carry as Appendix B does (odd-length RDATA included)', () => {
    // 3 * 0xff00 + 2 * 0x00ff = 0x2fefe; adding the carry (2) and keeping 16 bits gives 0xff00.
    expect(keyTag(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff))).toBe(0xff00);
  });
});

describe('DS', () => {
  const rdata = encodeDnskeyRdata(dnskeyFor(257, 15, new Uint8Array(32).fill(9)));
  it('produces SHA-256 and SHA-384 digests of the right length and round-trips RDATA', () => {
    expect(makeDs('example.com', rdata, 2).digest.length).toBe(32);
    const ds = makeDs('example.com', rdata, 4);
    expect(ds.digest.length).toBe(48);
    expect(decodeDsRdata(encodeDsRdata(ds))).toEqual(ds);
    expect(dsMatches(ds, 'example.com', rdata)).toBe(true);
    expect(dsMatches(ds, 'example.org', rdata)).toBe(false);
  });

  it('refuses digest types it does not know', () => {
    expect(() => makeDs('example.com', rdata, 3 as never)).toThrow();
  });
});

describe('presentation', () => {
  const key = dnskeyFor(257, 13, new Uint8Array(64).fill(1));
  const tag = keyTag(encodeDnskeyRdata(key));

  it('prints DNSKEY, CDNSKEY, DS and CDS lines', () => {
    const b64 = Buffer.from(key.publicKey).toString('base64');
    expect(dnskeyLine('example.com', key, { ttl: 3600 })).toBe(`example.com. 3600 IN DNSKEY 257 3 13 ${b64}`);
    expect(dnskeyLine('example.com', key, { type: 'CDNSKEY' })).toBe(`example.com. IN CDNSKEY 257 3 13 ${b64}`);
    const ds = makeDs('example.com', encodeDnskeyRdata(key), 2);
    const digest = Buffer.from(ds.digest).toString('hex').toUpperCase();
    expect(dsLine('example.com', ds, { ttl: 3600 })).toBe(`example.com. 3600 IN DS ${tag} 13 2 ${digest}`);
    expect(dsLine('example.com', ds, { ttl: 0, type: 'CDS' })).toBe(`example.com. 0 IN CDS ${tag} 13 2 ${digest}`);
  });

  it("adds BIND's KSK/ZSK comment", () => {
    expect(dnskeyComment(key)).toBe(`; KSK; alg = ECDSAP256SHA256 ; key id = ${tag}`);
    const zsk = { ...key, flags: 256 };
    expect(dnskeyComment(zsk)).toMatch(/^; ZSK; alg = ECDSAP256SHA256 ; key id = \d+$/);
    expect(dnskeyLine('example.com', key, { ttl: 60, comment: true })).toMatch(/ ; KSK; alg = ECDSAP256SHA256 ; key id = \d+$/);
  });
});

describe('signature primitives', () => {
  it('accepts high-S ECDSA signatures, which OpenSSL-based signers produce half the time', () => {
    const secret = p256.utils.randomSecretKey();
    const field = p256.getPublicKey(secret, false).subarray(1);
    const msg = new TextEncoder().encode('high-s');
    const sig = p256.sign(msg, secret, { lowS: true });
    const n = p256.Point.Fn.ORDER;
    const s = BigInt('0x' + hex(sig.subarray(32)));
    const high = new Uint8Array(64);
    high.set(sig.subarray(0, 32));
    high.set(Buffer.from((n - s).toString(16).padStart(64, '0'), 'hex'), 32);
    expect(verify(13, field, msg, sig)).toBe(true);
    expect(verify(13, field, msg, high)).toBe(true);
  });

  it('signs in DNSSEC wire form (r||s for ECDSA) with node keys', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const msg = new TextEncoder().encode('p384');
    const sig = sign(14, privateKey, msg);
    expect(sig.length).toBe(96);
    expect(verify(14, publicKeyFieldFromKeyObject(14, createPublicKey(privateKey)), msg, sig)).toBe(true);
  });

  it('returns false, not an exception, for malformed keys and signatures', () => {
    const msg = Uint8Array.of(1, 2, 3);
    expect(verify(13, new Uint8Array(63), msg, new Uint8Array(64))).toBe(false);
    expect(verify(13, new Uint8Array(64), msg, new Uint8Array(64))).toBe(false);
    expect(verify(15, new Uint8Array(32), msg, new Uint8Array(63))).toBe(false);
    expect(verify(8, Uint8Array.of(0), msg, new Uint8Array(64))).toBe(false);
  });

  it('refuses RSA keys outside the RFC sizes and mismatched signature lengths', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const field = publicKeyFieldFromKeyObject(8, privateKey);
    const msg = Uint8Array.of(4, 5, 6);
    const sig = sign(8, privateKey, msg);
    expect(verify(8, field, msg, sig)).toBe(true);
    expect(verify(10, field, msg, sign(10, privateKey, msg))).toBe(true);
    expect(verify(8, field, msg, sig.subarray(1))).toBe(false);
    expect(verify(10, field, msg, sig)).toBe(false); // SHA-256 signature is not an RSASHA512 one
  });

  it('throws for algorithms it does not implement', () => {
    expect(() => verify(5, new Uint8Array(10), new Uint8Array(1), new Uint8Array(1))).toThrow(UnsupportedAlgorithmError);
  });
});

describe('RRSIG signed data', () => {
  const fields: RrsigFields = {
    typeCovered: 1, algorithm: 13, labels: 2, originalTtl: 300, expiration: 2, inception: 1, keyTag: 42, signerName: 'Example.com',
  };
  const a = (ip: number[], owner = 'www.example.com') => ({ owner, type: 1, rdata: Uint8Array.from(ip) });

  it('orders and de-duplicates RDATA canonically', () => {
    const one = rrsigSignedData({ ...fields, labels: 3 }, [a([192, 0, 2, 9]), a([192, 0, 2, 1]), a([192, 0, 2, 9])]);
    const two = rrsigSignedData({ ...fields, labels: 3 }, [a([192, 0, 2, 1]), a([192, 0, 2, 9])]);
    expect(hex(one)).toBe(hex(two));
  });

  it('signs a wildcard expansion under the wildcard owner', () => {
    const expanded = rrsigSignedData(fields, [a([192, 0, 2, 1], 'www.Example.com')]);
    const wildcard = rrsigSignedData(fields, [a([192, 0, 2, 1], '*.example.com')]);
    expect(hex(expanded)).toBe(hex(wildcard));
  });

  it('refuses records that are not one RRset', () => {
    expect(() => rrsigSignedData(fields, [a([1, 1, 1, 1]), a([1, 1, 1, 2], 'mail.example.com')])).toThrow();
    expect(() => rrsigSignedData(fields, [])).toThrow();
  });
});

