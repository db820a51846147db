// Scale: the failover check over 1,000 zones on two local authoritative servers must come back with a
// verdict for every zone, all MATCH, quickly enough to run during a failover. The time is printed, not
// asserted (machines differ); the progress callback must see every zone exactly once.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { probeZones, type ZoneTarget } from '../../src/probe/probe-zones.js';
import { makeTestKey, signedZone, startResponder, type DnsResponder } from '../helpers/dns-responder.js';
import { expected } from './fixtures.js';

const ZONES = 1000;
let servers: DnsResponder[] = [];
let targets: ZoneTarget[] = [];

beforeAll(async () => {
  servers = await Promise.all([startResponder(), startResponder()]);
  const [ksk, zsk] = await Promise.all([makeTestKey(13, 257), makeTestKey(13, 256)]);
  for (let i = 0; i < ZONES; i++) {
    const name = `zone${i}.example`;
    const zone = signedZone(name, { publish: [ksk!, zsk!], signers: [ksk!] });
    for (const s of servers) s.setZone(zone);
    targets.push({ expected: expected(name, [ksk!, zsk!]), servers: servers.map((s) => s.server) });
  }
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

it(`probes ${ZONES} zones on 2 servers concurrently, every verdict MATCH`, async () => {
  const seen = new Set<string>();
  const t0 = performance.now();
  const results = await probeZones(targets, {
    concurrency: 64,
    queryOptions: { timeoutMs: 2000, retries: 2 },
    onZone: (r, done, total) => {
      expect(total).toBe(ZONES);
      expect(done).toBe(seen.size + 1);
      seen.add(r.zone);
    },
  });
  const elapsed = performance.now() - t0;
  console.log(`probe: ${ZONES} zones x 2 servers (${ZONES * 4} queries) in ${elapsed.toFixed(0)} ms`);
  expect(seen.size).toBe(ZONES);
  expect(results.map((r) => r.zone)).toEqual(targets.map((t) => `${t.expected.zone}.`));
  const bad = results.filter((r) => r.verdict !== 'MATCH');
  expect(bad.map((r) => r.reasons)).toEqual([]);
  expect(results.every((r) => r.servers.length === 2 && r.servers.every((s) => s.signature === 'valid'))).toBe(true);
});
