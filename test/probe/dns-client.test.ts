// The DNS client against real sockets: what it sends (EDNS0 1232 + DO, a fresh random id per attempt),
// what it accepts (only its own id and question, including after forged datagrams), and how each way a
// server can fail comes back as a typed error in bounded time instead of an exception.
import dgram from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import dnsPacket from 'dns-packet';
import { query } from '../../src/probe/dns-client.js';
import { makeTestKey, signedZone, startResponder, type Behaviour, type DnsResponder, type TestKey } from '../helpers/dns-responder.js';
import { FAST } from './fixtures.js';

let srv: DnsResponder;
let ksk: TestKey;

beforeAll(async () => {
  srv = await startResponder();
  ksk = await makeTestKey(15, 257);
});
afterAll(async () => {
  await srv?.close();
});

function serve(zone: string, behaviour: Behaviour = 'normal'): void {
  srv.setZone(signedZone(zone, { publish: [ksk], signers: [ksk], behaviour }));
}

describe('query', () => {
  it('returns the DNSKEY RRset with its RRSIG over UDP, matched case-insensitively', async () => {
    serve('plain.test');
    const r = await query(srv.server, 'PLAIN.Test', 'DNSKEY', FAST);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.answer).toMatchObject({ via: 'udp', rcode: 'NOERROR', authoritative: true });
    expect(r.answer.message.answers!.map((a) => a.type).sort()).toEqual(['DNSKEY', 'RRSIG']);
  });

  it('sends EDNS0 with a 1232-octet buffer and the DO bit, and a fresh random id on every attempt', async () => {
    const sink = dgram.createSocket('udp4');
    const seen: dnsPacket.DecodedPacket[] = [];
    sink.on('message', (m) => seen.push(dnsPacket.decode(m)));
    await new Promise<void>((r) => sink.bind(0, '127.0.0.1', r));
    const port = sink.address().port;
    const r = await query({ address: '127.0.0.1', port }, 'silent.test', 'DNSKEY', { timeoutMs: 30, retries: 9 });
    sink.close();
    expect(r).toMatchObject({ ok: false, error: { kind: 'timeout' } });
    expect(seen).toHaveLength(10);
    const opt = seen[0]!.additionals!.find((a) => a.type === 'OPT') as dnsPacket.OptAnswer;
    expect(opt).toMatchObject({ udpPayloadSize: 1232, flag_do: true });
    expect(seen[0]!.flag_rd).toBe(false);
    expect(new Set(seen.map((p) => p.id)).size).toBeGreaterThanOrEqual(9);
  });

  it('ignores a forged datagram with the wrong id and accepts the real answer that follows', async () => {
    serve('forged.test', 'forged-first');
    const r = await query(srv.server, 'forged.test', 'DNSKEY', FAST);
    expect(r).toMatchObject({ ok: true, answer: { via: 'udp' } });
  });

  it('falls back to TCP when the UDP answer is truncated', async () => {
    serve('tc.test', 'truncate-udp');
    const r = await query(srv.server, 'tc.test', 'DNSKEY', FAST);
    expect(r).toMatchObject({ ok: true, answer: { via: 'tcp' } });
  });

  it('goes to TCP by itself when the answer does not fit 1232 octets (a large RSA key set)', async () => {
    const rsa = await Promise.all([makeTestKey(8, 257, 2048), makeTestKey(8, 256, 2048), makeTestKey(8, 256, 2048)]);
    srv.setZone(signedZone('rsa.test', { publish: rsa, signers: rsa }));
    const r = await query(srv.server, 'rsa.test', 'DNSKEY', FAST);
    expect(r).toMatchObject({ ok: true, answer: { via: 'tcp' } });
  });

  const failures: [Behaviour, string][] = [
    ['drop', 'timeout'],
    ['truncate-always', 'truncated'],
    ['malformed', 'malformed'],
    ['wrong-id', 'mismatch'],
    ['wrong-question', 'mismatch'],
    ['oversized', 'oversized'],
    ['refused', 'rcode'],
  ];
  for (const [behaviour, kind] of failures) {
    it(`a server that answers "${behaviour}" gives a ${kind} error within the time allowed`, async () => {
      serve(`${behaviour}.test`, behaviour);
      const t0 = Date.now();
      const r = await query(srv.server, `${behaviour}.test`, 'DNSKEY', FAST);
      expect(r).toMatchObject({ ok: false, error: { kind } });
      // 2 attempts per transport at most, each 250 ms.
      expect(Date.now() - t0).toBeLessThan(4 * 250 + 500);
    });
  }

  it('a closed port is a network error, not a hang', async () => {
    const tmp = dgram.createSocket('udp4');
    await new Promise<void>((r) => tmp.bind(0, '127.0.0.1', r));
    const port = tmp.address().port;
    await new Promise<void>((r) => tmp.close(() => r()));
    const r = await query({ address: '127.0.0.1', port }, 'x.test', 'DNSKEY', { timeoutMs: 2000, retries: 0 });
    expect(r).toMatchObject({ ok: false, error: { kind: 'network' } });
  });

  it('refuses a TCP answer larger than the configured cap', async () => {
    serve('cap.test', 'truncate-udp');
    const r = await query(srv.server, 'cap.test', 'DNSKEY', { ...FAST, maxResponseBytes: 100 });
    expect(r).toMatchObject({ ok: false, error: { kind: 'oversized' } });
  });

  it('passes NXDOMAIN through as an answer (for the caller to judge)', async () => {
    serve('nx.test');
    const r = await query(srv.server, 'nothing.nx.test', 'DS', FAST);
    expect(r).toMatchObject({ ok: true, answer: { rcode: 'NXDOMAIN' } });
  });
});
