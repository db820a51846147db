// The pure comparison of an expected key set with what servers serve: every algorithm the enforcer
// generates verifies (RSA through node:crypto, curves through @noble/curves), and each way a live set can
// differ from the database yields MISMATCH with the exact difference, while legitimate rollover states
// (a key on its way out, a second KSK) do not raise false alarms.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Algorithm } from '../../src/policy/policy.js';
import { compareZone, type ExpectedKey, type ServerProbe } from '../../src/probe/compare.js';
import { expectedZone } from '../../src/probe/expected-set.js';
import { liveDnskeySet } from '../../src/probe/live-dnskey.js';
import { keyTag } from '../../src/dnssec/key-tag.js';
import { encodeDnskeyRdata } from '../../src/dnssec/dnskey.js';
import { makeTestKey, signedZone, type SignedZoneOptions, type TestKey } from '../helpers/dns-responder.js';
import { dnskeyAnswer, expected } from './fixtures.js';

const SERVER = { address: '192.0.2.1', port: 53 };
const NOW = new Date();

function probeOf(zone: string, o: SignedZoneOptions): ServerProbe {
  return { server: SERVER, result: { ok: true, via: 'udp', set: liveDnskeySet(zone, dnskeyAnswer(signedZone(zone, o))) } };
}

describe('signature validation per algorithm', () => {
  const cases: [Algorithm, number][] = [[8, 1024], [10, 1024], [13, 256], [14, 384], [15, 256], [16, 456]];
  for (const [alg, bits] of cases) {
    it(`algorithm ${alg}: a really signed set is valid, a flipped bit is bad`, async () => {
      const [k, z] = await Promise.all([makeTestKey(alg, 257, bits), makeTestKey(alg, 256, bits)]);
      const good = compareZone(expected('alg.test', [k, z]), [probeOf('alg.test', { publish: [k, z], signers: [k] })], NOW);
      expect(good.verdict).toBe('MATCH');
      expect(good.servers[0]!.rrsigs).toMatchObject([{ keyTag: k.keyTag, algorithm: alg, status: 'valid' }]);
      const bad = compareZone(expected('alg.test', [k, z]), [probeOf('alg.test', { publish: [k, z], signers: [k], corruptSignatures: true })], NOW);
      expect(bad.servers[0]!.signature).toBe('bad');
    });
  }
});

describe('compareZone', () => {
  let ksk: TestKey;
  let ksk2: TestKey;
  let zsk: TestKey;
  let zsk2: TestKey;
  beforeAll(async () => {
    [ksk, ksk2, zsk, zsk2] = await Promise.all([makeTestKey(13, 257), makeTestKey(13, 257), makeTestKey(13, 256), makeTestKey(13, 256)]);
  });

  it('tells apart two keys with the same tag (compares RDATA, not tags)', () => {
    // Swapping two public key octets of the same parity keeps the checksum, hence the tag.
    const pk = zsk.publicKey.slice();
    let i = 0;
    while (pk[i] === pk[i + 2]) i++;
    [pk[i], pk[i + 2]] = [pk[i + 2]!, pk[i]!];
    const twin: TestKey = { ...zsk, publicKey: pk };
    expect(keyTag(encodeDnskeyRdata({ flags: 256, protocol: 3, algorithm: 13, publicKey: pk }))).toBe(zsk.keyTag);
    const r = compareZone(expected('twin.test', [ksk, zsk]), [probeOf('twin.test', { publish: [ksk, twin], signers: [ksk] })], NOW);
    expect(r.verdict).toBe('MISMATCH');
    expect(r.servers[0]).toMatchObject({ missing: [zsk.keyTag], unexpected: [zsk.keyTag] });
  });

  it('a signature not yet valid is a mismatch', () => {
    const inception = new Date(NOW.getTime() + 3600_000);
    const r = compareZone(expected('early.test', [ksk, zsk]), [probeOf('early.test', { publish: [ksk, zsk], signers: [ksk], inception })], NOW);
    expect(r.servers[0]!.signature).toBe('not-yet-valid');
  });

  it('warns, without a mismatch, when the signature expires soon', () => {
    const expiration = new Date(NOW.getTime() + 2 * 3600_000);
    const r = compareZone(expected('soon.test', [ksk, zsk]), [probeOf('soon.test', { publish: [ksk, zsk], signers: [ksk], expiration })], NOW);
    expect(r.verdict).toBe('MATCH');
    expect(r.servers[0]!.warnings).toEqual([`RRSIG by key ${ksk.keyTag} expires in 2 h`]);
  });

  it('a single CSK that signs its own set matches', async () => {
    const csk = await makeTestKey(15, 257);
    const r = compareZone(expected('csk.test', [csk]), [probeOf('csk.test', { publish: [csk], signers: [csk] })], NOW);
    expect(r.verdict).toBe('MATCH');
  });

  it('a key on its way out (DNSKEY unretentive) may be served or not', () => {
    const exp = expectedZone('out.test', [
      { ...ksk, states: { dnskey: 'omnipresent', rrsigdnskey: 'omnipresent' } },
      { ...zsk, states: { dnskey: 'omnipresent', rrsigdnskey: 'na' } },
      { ...zsk2, states: { dnskey: 'unretentive', rrsigdnskey: 'na' } },
    ]);
    const without = compareZone(exp, [probeOf('out.test', { publish: [ksk, zsk], signers: [ksk] })], NOW);
    expect(without.verdict).toBe('MATCH');
    const still = compareZone(exp, [probeOf('out.test', { publish: [ksk, zsk, zsk2], signers: [ksk] })], NOW);
    expect(still.verdict).toBe('MATCH');
    expect(still.servers[0]!.warnings).toEqual([`key ${zsk2.keyTag} is still served (on its way out)`]);
  });

  it('hidden keys are not expected: serving one is a mismatch', () => {
    const exp = expectedZone('hidden.test', [
      { ...ksk, states: { dnskey: 'omnipresent', rrsigdnskey: 'omnipresent' } },
      { ...zsk, states: { dnskey: 'omnipresent', rrsigdnskey: 'na' } },
      { ...zsk2, states: { dnskey: 'hidden', rrsigdnskey: 'na' } },
    ]);
    const r = compareZone(exp, [probeOf('hidden.test', { publish: [ksk, zsk, zsk2], signers: [ksk] })], NOW);
    expect(r.servers[0]!.unexpected).toEqual([zsk2.keyTag]);
  });

  it('during a double-signature KSK rollover both KSKs must sign; one missing is a mismatch', () => {
    const exp = expectedZone('roll.test', [
      { ...ksk, states: { dnskey: 'omnipresent', rrsigdnskey: 'omnipresent' } },
      { ...ksk2, states: { dnskey: 'rumoured', rrsigdnskey: 'rumoured' } },
      { ...zsk, states: { dnskey: 'omnipresent', rrsigdnskey: 'na' } },
    ]);
    expect(compareZone(exp, [probeOf('roll.test', { publish: [ksk, ksk2, zsk], signers: [ksk, ksk2] })], NOW).verdict).toBe('MATCH');
    const one = compareZone(exp, [probeOf('roll.test', { publish: [ksk, ksk2, zsk], signers: [ksk] })], NOW);
    expect(one.servers[0]).toMatchObject({ verdict: 'MISMATCH', signature: 'missing', reasons: [`no RRSIG over DNSKEY by key ${ksk2.keyTag}`] });
  });

  it('an outgoing signer (RRSIG-DNSKEY unretentive) may still sign, or not', () => {
    const exp = expectedZone('sigout.test', [
      { ...ksk, states: { dnskey: 'omnipresent', rrsigdnskey: 'omnipresent' } },
      { ...ksk2, states: { dnskey: 'unretentive', rrsigdnskey: 'unretentive' } },
      { ...zsk, states: { dnskey: 'omnipresent', rrsigdnskey: 'na' } },
    ]);
    expect(compareZone(exp, [probeOf('sigout.test', { publish: [ksk, ksk2, zsk], signers: [ksk, ksk2] })], NOW).verdict).toBe('MATCH');
    expect(compareZone(exp, [probeOf('sigout.test', { publish: [ksk, zsk], signers: [ksk] })], NOW).verdict).toBe('MATCH');
  });

  it('an RRSIG whose signer name is not the zone does not count', () => {
    const set = liveDnskeySet('name.test', dnskeyAnswer(signedZone('name.test', { publish: [ksk, zsk], signers: [ksk] })));
    set.rrsigs[0]!.fields.signerName = 'other.test';
    const r = compareZone(expected('name.test', [ksk, zsk]), [{ server: SERVER, result: { ok: true, via: 'udp', set } }], NOW);
    expect(r.servers[0]!.signature).toBe('bad');
  });

  it('an empty DNSKEY answer misses every key and every signature', () => {
    const r = compareZone(expected('empty.test', [ksk, zsk]), [probeOf('empty.test', { publish: [], signers: [] })], NOW);
    expect(r.servers[0]).toMatchObject({ missing: [ksk.keyTag, zsk.keyTag].sort((x, y) => x - y), signature: 'missing' });
  });

  it('an unsigned zone matches when nothing is served, and not when a key is', () => {
    expect(compareZone({ zone: 'plain.test', keys: [] }, [probeOf('plain.test', { publish: [], signers: [] })], NOW).verdict).toBe('MATCH');
    const r = compareZone({ zone: 'plain.test', keys: [] }, [probeOf('plain.test', { publish: [ksk], signers: [ksk] })], NOW);
    expect(r.servers[0]).toMatchObject({ verdict: 'MISMATCH', unexpected: [ksk.keyTag], signature: 'unexpected-signer' });
  });

  it('is a mismatch when any one server is, and lists reasons per server', () => {
    const good = probeOf('two.test', { publish: [ksk, zsk], signers: [ksk] });
    const other = { address: '192.0.2.2', port: 5353 };
    const down: ServerProbe = { server: other, result: { ok: false, error: { kind: 'timeout', message: 'no answer within 2000 ms' } } };
    const r = compareZone(expected('two.test', [ksk, zsk]), [good, down], NOW);
    expect(r.verdict).toBe('MISMATCH');
    expect(r.reasons).toEqual(['192.0.2.2:5353: server unreachable (timeout): no answer within 2000 ms']);
    expect(r.servers.map((s) => s.verdict)).toEqual(['MATCH', 'MISMATCH']);
  });

  it('defaults: SEP keys must sign, others must not', () => {
    const keys: ExpectedKey[] = expected('d.test', [ksk, zsk]).keys;
    expect(keys.every((k) => k.signsKeyset === undefined && k.presence === undefined)).toBe(true);
    const r = compareZone({ zone: 'd.test', keys }, [probeOf('d.test', { publish: [ksk, zsk], signers: [ksk, zsk] })], NOW);
    expect(r.servers[0]!.signature).toBe('unexpected-signer');
  });
});
