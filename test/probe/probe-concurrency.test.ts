// The probe is polite to the servers it checks: with the network injected, no more than `concurrency`
// server probes are ever in flight, whatever the number of zones, and every zone still gets a verdict.
import { expect, it } from 'vitest';
import type { QueryFn } from '../../src/probe/dns-client.js';
import { probeZones, type ZoneTarget } from '../../src/probe/probe-zones.js';

it('keeps at most `concurrency` server probes in flight across many zones', async () => {
  let inFlight = 0;
  let peak = 0;
  const asked = new Set<string>();
  const fakeQuery: QueryFn = async (server, name) => {
    asked.add(`${name}@${server.address}`);
    peak = Math.max(peak, ++inFlight);
    await new Promise((r) => setTimeout(r, 1));
    inFlight--;
    return { ok: false, error: { kind: 'timeout', message: 'no answer' } };
  };
  const targets: ZoneTarget[] = Array.from({ length: 200 }, (_, i) => ({
    expected: { zone: `z${i}.test`, keys: [] },
    servers: [{ address: '192.0.2.1', port: 53 }, { address: '192.0.2.2', port: 53 }, { address: '192.0.2.3', port: 53 }],
  }));
  const results = await probeZones(targets, { query: fakeQuery, concurrency: 7, soa: false });
  expect(peak).toBe(7);
  expect(asked.size).toBe(600);
  expect(results.every((r) => r.verdict === 'MISMATCH' && r.servers.length === 3 && r.servers.every((s) => s.unreachable))).toBe(true);
});
