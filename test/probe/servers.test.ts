// Which servers are asked: explicit lists (per zone over global) as given, with ports, so private setups
// work; otherwise the zone's NS set found through a resolver, and then every address of every name server
// is asked - a server that differs cannot hide behind one that matches.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { query } from '../../src/probe/dns-client.js';
import { probeZones } from '../../src/probe/probe-zones.js';
import { parseServerAddress, serversForZone } from '../../src/probe/servers.js';
import { makeTestKey, signedZone, startResponder, type DnsResponder, type TestKey } from '../helpers/dns-responder.js';
import { FAST, expected } from './fixtures.js';

describe('parseServerAddress', () => {
  it('reads addresses with and without ports', () => {
    expect(parseServerAddress('192.0.2.1')).toEqual({ address: '192.0.2.1', port: 53 });
    expect(parseServerAddress('192.0.2.1:5353')).toEqual({ address: '192.0.2.1', port: 5353 });
    expect(parseServerAddress('2001:db8::1')).toEqual({ address: '2001:db8::1', port: 53 });
    expect(parseServerAddress('[2001:db8::1]:5353')).toEqual({ address: '2001:db8::1', port: 5353 });
  });
  it('refuses names and bad ports', () => {
    expect(() => parseServerAddress('ns1.example.com')).toThrow(/not an IP address/);
    expect(() => parseServerAddress('192.0.2.1:0')).toThrow(/bad port/);
    expect(() => parseServerAddress('192.0.2.1:70000')).toThrow(/bad port/);
  });
});

describe('server discovery', () => {
  let one: DnsResponder;
  let two: DnsResponder;
  let ksk: TestKey;
  let zsk: TestKey;
  let stranger: TestKey;

  beforeAll(async () => {
    one = await startResponder();
    // Same port on a second loopback address: discovered servers all use one configured port.
    two = await startResponder({ address: '127.0.0.2', port: one.server.port });
    [ksk, zsk, stranger] = await Promise.all([makeTestKey(13, 257), makeTestKey(13, 256), makeTestKey(13, 256)]);
    const glue = [
      { type: 'NS' as const, name: 'disc.test', ttl: 60, data: 'ns2.disc.test' },
      { type: 'A' as const, name: 'ns1.disc.test', ttl: 60, data: '127.0.0.1' },
      { type: 'A' as const, name: 'ns2.disc.test', ttl: 60, data: '127.0.0.2' },
    ];
    one.setZone(signedZone('disc.test', { publish: [ksk, zsk], signers: [ksk], extra: glue }));
    two.setZone(signedZone('disc.test', { publish: [ksk, zsk, stranger], signers: [ksk], extra: glue }));
  });
  afterAll(async () => {
    await Promise.all([one?.close(), two?.close()]);
  });

  it('prefers the zone list, then the global list, and only then discovers', async () => {
    const z = [{ address: '192.0.2.1', port: 53 }];
    const g = [{ address: '192.0.2.2', port: 53 }];
    expect(await serversForZone('x.test', { zoneServers: z, globalServers: g, resolver: one.server }, query)).toMatchObject({ ok: true, servers: z, discovered: false });
    expect(await serversForZone('x.test', { zoneServers: [], globalServers: g }, query)).toMatchObject({ ok: true, servers: g });
    expect(await serversForZone('x.test', {}, query)).toMatchObject({ ok: false });
  });

  it('finds every address of every name server through the resolver', async () => {
    const r = await serversForZone('disc.test', { resolver: one.server, discoveredPort: one.server.port }, query, FAST);
    expect(r).toEqual({
      ok: true, discovered: true, notes: [],
      servers: [{ address: '127.0.0.1', port: one.server.port }, { address: '127.0.0.2', port: one.server.port }],
    });
  });

  it('a zone without NS records cannot be probed', async () => {
    const r = await serversForZone('nope.disc.test', { resolver: one.server }, query, FAST);
    expect(r).toMatchObject({ ok: false });
  });

  it('the probe asks every discovered server, so the one that differs is caught', async () => {
    const [r] = await probeZones(
      [{ expected: expected('disc.test', [ksk, zsk]), source: { resolver: one.server, discoveredPort: one.server.port } }],
      { queryOptions: FAST },
    );
    expect(r!.verdict).toBe('MISMATCH');
    expect(r!.servers.map((s) => [s.server.address, s.verdict])).toEqual([['127.0.0.1', 'MATCH'], ['127.0.0.2', 'MISMATCH']]);
    expect(r!.servers[1]!.unexpected).toEqual([stranger.keyTag]);
  });

  it('a zone whose servers cannot be found is a mismatch that says so', async () => {
    const [r] = await probeZones([{ expected: expected('gone.test', [ksk]), source: { resolver: one.server } }], { queryOptions: FAST });
    expect(r!.verdict).toBe('MISMATCH');
    expect(r!.reasons[0]).toMatch(/^cannot find the servers of gone\.test\.: /);
  });
});
