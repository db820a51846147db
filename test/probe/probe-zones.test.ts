// Acceptance: the live DNSKEY check against real authoritative servers on 127.0.0.1. Each zone is served
// by two test servers whose DNSKEY sets are really signed; each case breaks one thing and expects the
// verdict and the reason an operator would need to act on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeZones, type ZoneTarget } from '../../src/probe/probe-zones.js';
import type { ZoneComparison } from '../../src/probe/compare.js';
import { makeTestKey, signedZone, startResponder, type DnsResponder, type SignedZoneOptions, type TestKey } from '../helpers/dns-responder.js';
import { FAST, expected } from './fixtures.js';

let a: DnsResponder;
let b: DnsResponder;
let ksk: TestKey;
let zsk: TestKey;
let stranger: TestKey;

beforeAll(async () => {
  [a, b] = await Promise.all([startResponder(), startResponder()]);
  [ksk, zsk, stranger] = await Promise.all([makeTestKey(13, 257), makeTestKey(13, 256), makeTestKey(13, 256)]);
});
afterAll(async () => {
  await Promise.all([a?.close(), b?.close()]);
});

/** Serve `zone` on both servers (overrides for server B only), then probe it expecting KSK + ZSK. */
async function check(zone: string, onA: Partial<SignedZoneOptions> = {}, onB: Partial<SignedZoneOptions> = onA): Promise<ZoneComparison> {
  const normal: SignedZoneOptions = { publish: [ksk, zsk], signers: [ksk] };
  a.setZone(signedZone(zone, { ...normal, ...onA }));
  b.setZone(signedZone(zone, { ...normal, ...onB }));
  const target: ZoneTarget = { expected: expected(zone, [ksk, zsk]), servers: [a.server, b.server] };
  const [result] = await probeZones([target], { queryOptions: FAST });
  return result!;
}

describe('live DNSKEY check against two authoritative servers', () => {
  it('GO: both servers serve exactly the expected keys, validly signed', async () => {
    const r = await check('go.test');
    expect(r.verdict).toBe('MATCH');
    expect(r.reasons).toEqual([]);
    for (const s of r.servers) {
      expect(s).toMatchObject({ verdict: 'MATCH', missing: [], unexpected: [], signature: 'valid', via: 'udp', soaSerial: 1 });
    }
  });

  it('a missing key is reported by its tag on every server', async () => {
    const r = await check('missing.test', { publish: [ksk] });
    expect(r.verdict).toBe('MISMATCH');
    for (const s of r.servers) {
      expect(s.verdict).toBe('MISMATCH');
      expect(s.missing).toEqual([zsk.keyTag]);
      expect(s.unexpected).toEqual([]);
      expect(s.signature).toBe('valid');
      expect(s.reasons.join()).toContain(`missing key ${zsk.keyTag}`);
    }
  });

  it('an unexpected extra key is reported by its tag', async () => {
    const r = await check('extra.test', { publish: [ksk, zsk, stranger] });
    expect(r.verdict).toBe('MISMATCH');
    for (const s of r.servers) {
      expect(s.unexpected).toEqual([stranger.keyTag]);
      expect(s.missing).toEqual([]);
      expect(s.reasons.join()).toContain(`unexpected key ${stranger.keyTag}`);
    }
  });

  it('an expired RRSIG over the DNSKEY set is a mismatch naming the expiry', async () => {
    const expiration = new Date(Date.now() - 3600_000);
    const r = await check('expired.test', { inception: new Date(Date.now() - 86400_000), expiration });
    expect(r.verdict).toBe('MISMATCH');
    for (const s of r.servers) {
      expect(s.missing).toEqual([]);
      expect(s.signature).toBe('expired');
      expect(s.reasons.join()).toContain(`key ${ksk.keyTag} expired at ${new Date(Math.floor(expiration.getTime() / 1000) * 1000).toISOString()}`);
    }
  });

  it('a signature that does not verify is "bad"', async () => {
    const r = await check('badsig.test', { corruptSignatures: true });
    expect(r.servers.map((s) => s.signature)).toEqual(['bad', 'bad']);
    expect(r.reasons.join()).toContain('does not verify');
  });

  it('a DNSKEY set signed only by the ZSK lacks the KSK signature and has an unexpected signer', async () => {
    const r = await check('zsksigned.test', { signers: [zsk] });
    expect(r.verdict).toBe('MISMATCH');
    const s = r.servers[0]!;
    expect(s.signature).toBe('missing');
    expect(s.reasons).toContain(`no RRSIG over DNSKEY by key ${ksk.keyTag}`);
    expect(s.reasons.join()).toContain(`signed by key ${zsk.keyTag}, which the database does not expect`);
  });

  it('one of two servers differing: only that server is a mismatch', async () => {
    const r = await check('split.test', {}, { publish: [ksk, stranger] });
    expect(r.verdict).toBe('MISMATCH');
    const [sa, sb] = r.servers;
    expect(sa).toMatchObject({ server: a.server, verdict: 'MATCH' });
    expect(sb).toMatchObject({ server: b.server, verdict: 'MISMATCH', missing: [zsk.keyTag], unexpected: [stranger.keyTag] });
    expect(r.reasons.every((x) => x.startsWith(`127.0.0.1:${b.server.port}: `))).toBe(true);
  });

  it('a server that times out is unreachable, and the zone is not a match', async () => {
    const t0 = Date.now();
    const r = await check('slow.test', {}, { behaviour: 'drop' });
    expect(r.verdict).toBe('MISMATCH');
    expect(r.servers[0]!.verdict).toBe('MATCH');
    const s = r.servers[1]!;
    expect(s).toMatchObject({ verdict: 'MISMATCH', unreachable: true, signature: null, error: { kind: 'timeout' } });
    expect(s.reasons[0]).toMatch(/^server unreachable \(timeout\)/);
    // Bounded: (1 + retries) attempts of timeoutMs, not forever.
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('a truncated UDP answer is fetched over TCP and matches', async () => {
    const before = a.queries.tcp;
    const r = await check('big.test', { behaviour: 'truncate-udp' });
    expect(r.verdict).toBe('MATCH');
    expect(r.servers.map((s) => s.via)).toEqual(['tcp', 'tcp']);
    expect(a.queries.tcp).toBeGreaterThan(before);
  });

  it('an answer truncated over TCP too is an error, not a partial key set', async () => {
    const r = await check('alwaystc.test', {}, { behaviour: 'truncate-always' });
    expect(r.servers[1]).toMatchObject({ verdict: 'MISMATCH', error: { kind: 'truncated' }, unreachable: false });
  });

  it('a malformed answer is an error for that server only', async () => {
    const r = await check('garbled.test', {}, { behaviour: 'malformed' });
    expect(r.verdict).toBe('MISMATCH');
    expect(r.servers[0]!.verdict).toBe('MATCH');
    expect(r.servers[1]).toMatchObject({ verdict: 'MISMATCH', unreachable: false, error: { kind: 'malformed' } });
    expect(r.reasons.join()).toContain('malformed answer');
  });

  it('answers with a wrong id or question are never accepted', async () => {
    const r1 = await check('wrongid.test', {}, { behaviour: 'wrong-id' });
    expect(r1.servers[1]).toMatchObject({ verdict: 'MISMATCH', error: { kind: 'mismatch' } });
    const r2 = await check('wrongq.test', {}, { behaviour: 'wrong-question' });
    expect(r2.servers[1]).toMatchObject({ verdict: 'MISMATCH', error: { kind: 'mismatch' } });
  });

  it('a lame server (no AA bit) is not taken as serving the zone', async () => {
    const r = await check('lame.test', {}, { behaviour: 'not-authoritative' });
    expect(r.servers[1]).toMatchObject({ verdict: 'MISMATCH', error: { kind: 'not-authoritative' } });
  });

  it('a server that does not serve the zone at all (REFUSED) is a mismatch', async () => {
    a.setZone(signedZone('only-on-a.test', { publish: [ksk, zsk], signers: [ksk] }));
    b.removeZone('only-on-a.test');
    const [r] = await probeZones([{ expected: expected('only-on-a.test', [ksk, zsk]), servers: [a.server, b.server] }], { queryOptions: FAST });
    expect(r!.servers[1]).toMatchObject({ verdict: 'MISMATCH', error: { kind: 'rcode' } });
    expect(r!.reasons.join()).toContain('REFUSED');
  });

  it('a zone with no servers to ask is never a match', async () => {
    const [r] = await probeZones([{ expected: expected('nowhere.test', [ksk]), servers: [] }]);
    expect(r).toMatchObject({ verdict: 'MISMATCH', reasons: ['no servers to ask'] });
  });
});
