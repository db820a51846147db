// The `dsCheck` configuration section: parent servers per zone or for all zones, a resolver for
// discovery, the tuning knobs; every mistake named with file, line and field.

import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';

const base = [
  'node: ns-a',
  'policy: { kasp: kasp.xml, zonelist: zonelist.xml }',
  'signconf: { directory: signconf }',
  'keystores: { SoftHSM: { type: file, directory: keys } }',
];
const FILE = '/etc/enforcer/enforcer.yaml';
const parse = (...extra: string[]) => parseConfig([...base, ...extra].join('\n'), FILE);
const problem = (...extra: string[]) => {
  try {
    parse(...extra);
  } catch (e) {
    return (e as Error).message;
  }
  return null;
};

describe('dsCheck configuration', () => {
  it('is absent unless configured', () => {
    expect(parse().dsCheck).toBeUndefined();
  });

  it('parses per-zone lists (zone names normalised), a global list, the resolver and the knobs', () => {
    const c = parse(
      'dsCheck:',
      '  servers: ["192.0.2.53", "[2001:db8::53]:5353"]',
      '  zones: { Example.COM.: { servers: ["127.0.0.1:5300"] } }',
      '  resolver: 127.0.0.53',
      '  timeoutMs: 500',
      '  retries: 0',
      '  concurrency: 4',
    );
    expect(c.dsCheck).toEqual({
      servers: [{ address: '192.0.2.53', port: 53 }, { address: '2001:db8::53', port: 5353 }],
      zones: { 'example.com': { servers: [{ address: '127.0.0.1', port: 5300 }] } },
      resolver: { address: '127.0.0.53', port: 53 },
      timeoutMs: 500,
      retries: 0,
      concurrency: 4,
    });
    expect(parse('dsCheck: { resolver: "127.0.0.1:5353" }').dsCheck).toMatchObject({ servers: [], zones: {}, resolver: { port: 5353 } });
  });

  it('names the field and line of every mistake', () => {
    const at = (line: number, rest: string) => `${FILE}:${line}: ${rest}`;
    expect(problem('dsCheck: {}')).toBe(at(5, 'dsCheck.servers: is required (or give dsCheck.zones.<zone>.servers or dsCheck.resolver)'));
    expect(problem('dsCheck: { servers: ["ns1.example.net"] }')).toBe(
      at(5, 'dsCheck.servers.0: not an IP address: "ns1.example.net" (an IP address, optionally with :port)'),
    );
    expect(problem('dsCheck: { resolver: 53 }')).toBe(at(5, 'dsCheck.resolver: must be a string, not an integer'));
    expect(problem('dsCheck: { resolver: "localhost" }')).toBe(at(5, 'dsCheck.resolver: not an IP address: "localhost" (an IP address, optionally with :port)'));
    expect(problem('dsCheck: { parent: ["192.0.2.1"] }')).toBe(
      at(5, 'dsCheck.parent: unknown key (known keys here: servers, zones, resolver, timeoutMs, retries, concurrency)'),
    );
    expect(problem('dsCheck: { zones: { "a/b": { servers: ["192.0.2.1"] } } }')).toBe(at(5, `dsCheck.zones.a/b: zone name "a/b" contains a path separator '/'`));
    expect(problem('dsCheck: { zones: { example.com: { servers: ["192.0.2.1"] }, EXAMPLE.com: { servers: ["192.0.2.2"] } } }')).toBe(
      at(5, 'dsCheck.zones.EXAMPLE.com: names the zone example.com a second time'),
    );
    expect(problem('dsCheck: { zones: { example.com: {} } }')).toBe(at(5, 'dsCheck.zones.example.com.servers: is required'));
    expect(problem('dsCheck: { servers: [], resolver: "127.0.0.1" }')).toBe(at(5, 'dsCheck.servers: must name at least one server'));
    expect(problem('dsCheck: { resolver: "127.0.0.1", timeoutMs: 10 }')).toBe(at(5, 'dsCheck.timeoutMs: must be at least 50'));
    expect(problem('dsCheck: { resolver: "127.0.0.1", concurrency: 1000 }')).toBe(at(5, 'dsCheck.concurrency: must be at most 256'));
    expect(problem('dsCheck: [1]')).toBe(at(5, 'dsCheck: must be a mapping, not a list'));
    expect(problem('dscheck: {}')).toMatch(/dscheck: unknown key \(known keys here: .*\bds, dsCheck, hooks\b.*\)$/);
  });
});
