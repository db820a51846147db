// Key generation for every algorithm and the self-test that guards each new key.
import { describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import type { Algorithm } from '../../src/policy/policy.js';
import { algorithmInfo } from '../../src/dnssec/algorithms.js';
import { publicKeyFieldFromKeyObject } from '../../src/dnssec/dnskey.js';
import { sign, verify } from '../../src/dnssec/signature.js';
import { generateKeyPair, KeyGenerationError, selfTest, SelfTestError } from '../../src/keys/generate.js';

describe.each([
  [13, 256, 64],
  [14, 384, 96],
  [15, 256, 32],
  [16, 456, 57],
] as [Algorithm, number, number][])('algorithm %i', (algorithm, bits, fieldBytes) => {
  it('generates a key whose public key field matches its private key and passes the self-test', async () => {
    const pair = await generateKeyPair(algorithm, bits);
    expect(pair.algorithm).toBe(algorithm);
    expect(pair.bits).toBe(bits);
    expect(pair.publicKey.length).toBe(fieldBytes);
    expect(pair.privateKey.type).toBe('private');
    expect(publicKeyFieldFromKeyObject(algorithm, pair.privateKey)).toEqual(pair.publicKey);
    await selfTest(algorithm, pair.publicKey, (data) => sign(algorithm, pair.privateKey, data));
  });

  it('makes a different key every time', async () => {
    const a = await generateKeyPair(algorithm, bits);
    const b = await generateKeyPair(algorithm, bits);
    expect(Buffer.from(a.publicKey).equals(Buffer.from(b.publicKey))).toBe(false);
  });
});

describe('RSA', () => {
  it.each([
    [8, 1024],
    [10, 1024],
    [8, 2048],
    [10, 2048],
  ] as [Algorithm, number][])('algorithm %i with %i bits', async (algorithm, bits) => {
    const pair = await generateKeyPair(algorithm, bits);
    expect(pair.bits).toBe(bits);
    // RFC 3110 with e = 65537: one length octet, three exponent octets, then the modulus.
    expect(Buffer.from(pair.publicKey.subarray(0, 4)).toString('hex')).toBe('03010001');
    expect(pair.publicKey.length).toBe(4 + bits / 8);
    await selfTest(algorithm, pair.publicKey, (data) => sign(algorithm, pair.privateKey, data));
  }, 30_000);
});

describe('sizes', () => {
  it('refuses sizes the algorithm does not have', async () => {
    await expect(generateKeyPair(13, 384)).rejects.toThrow(KeyGenerationError);
    await expect(generateKeyPair(8, 512)).rejects.toThrow(KeyGenerationError);
    await expect(generateKeyPair(10, 8192)).rejects.toThrow(KeyGenerationError);
  });

  it('accepts 448 as a spelling of Ed448 and reports 456 bits as BIND does', async () => {
    expect((await generateKeyPair(16, 448)).bits).toBe(algorithmInfo(16).defaultBits);
  });
});

describe('self-test', () => {
  const good = async (algorithm: Algorithm) => generateKeyPair(algorithm, algorithmInfo(algorithm).defaultBits);

  it('rejects a signer that returns garbage', async () => {
    const pair = await good(13);
    await expect(selfTest(13, pair.publicKey, () => new Uint8Array(64).fill(1))).rejects.toThrow(SelfTestError);
  });

  it('rejects a signer that signs with a different key (a corrupted or swapped key)', async () => {
    const pair = await good(15);
    const other = generateKeyPairSync('ed25519').privateKey;
    await expect(selfTest(15, pair.publicKey, (d) => sign(15, other, d))).rejects.toThrow(/does not verify/);
  });

  it('rejects a signer whose signature has one flipped bit', async () => {
    const pair = await good(14);
    const corrupt = (d: Uint8Array) => {
      const s = sign(14, pair.privateKey, d);
      s[5]! ^= 0x01;
      return s;
    };
    await expect(selfTest(14, pair.publicKey, corrupt)).rejects.toThrow(SelfTestError);
  });

  it('rejects an RSA signature made with the wrong hash (RSASHA256 key used as RSASHA512)', async () => {
    const pair = await generateKeyPair(8, 1024);
    await expect(selfTest(10, pair.publicKey, (d) => sign(8, pair.privateKey, d))).rejects.toThrow(SelfTestError);
  });

  it('reports a throwing signer without echoing its message', async () => {
    const pair = await good(16);
    const err = await rejection(selfTest(16, pair.publicKey, () => {
      throw new Error('SECRET-MATERIAL');
    }));
    expect(err).toBeInstanceOf(SelfTestError);
    expect(err.message).not.toContain('SECRET-MATERIAL');
  });

  it('passes with a correct signer, and the signature verifies independently', async () => {
    const pair = await good(13);
    let seen: { data: Uint8Array; sig: Uint8Array } | undefined;
    await selfTest(13, pair.publicKey, (data) => {
      const sig = sign(13, pair.privateKey, data);
      seen = { data, sig };
      return sig;
    });
    expect(seen && verify(13, pair.publicKey, seen.data, seen.sig)).toBe(true);
  });
});

/** The error a promise rejects with; fails the test when it resolves. */
async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the promise to reject');
}
