// Configuration: one bad-input fixture per error, each asserting the exact message (file, line,
// field); and the good path, including environment overrides and path resolution.

import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigFile, parseConfig } from '../../src/config/config.js';
import { InputError } from '../../src/policy/errors.js';
import { ROOT } from '../helpers/cli.js';

const dir = path.join(ROOT, 'test', 'fixtures', 'bad-config');

describe('bad configuration files', () => {
  const cases: Array<[string, string]> = [
    ['unknown-key.yaml', 'unknown-key.yaml:10: keystores.SoftHSM.dirctory: unknown key (known keys here: type, directory, module, tokenLabel, pinEnv, pinFile, sessions)'],
    ['wrong-type.yaml', 'wrong-type.yaml:12: lease.ttl: must be an integer, not a string'],
    ['not-yaml.yaml', 'not-yaml.yaml:3: not valid YAML: Nested mappings are not allowed in compact mappings'],
    ['missing-section.yaml', 'missing-section.yaml:1: signconf: is required'],
    ['bad-database-url.yaml', 'bad-database-url.yaml:2: database.url: has an invalid value "mysql://db.example.net/enforcer" (a postgres:// URL)'],
    ['renew-too-slow.yaml', 'renew-too-slow.yaml:9: lease.renewInterval: must be at most half of lease.ttl, so one missed renewal does not lose the lease'],
    ['duplicate-key.yaml', 'duplicate-key.yaml:2: not valid YAML: Map keys must be unique'],
    ['pending-critical-below-warning.yaml', 'pending-critical-below-warning.yaml:9: signer.pendingCritical: must be at least signer.pendingWarning (3600 s)'],
    ['max-skew-zero.yaml', 'max-skew-zero.yaml:8: clock.maxSkew: must be at least 1'],
    ['safe-period-too-short.yaml', 'safe-period-too-short.yaml:10: failover.safePeriod: must be longer than lease.ttl (120): a node counts as down only after its lease could have run out'],
  ];
  it.each(cases)('%s', (file, message) => {
    const full = path.join(dir, file);
    let err: unknown;
    try {
      loadConfigFile(full);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toBe(`${dir}/${message}`);
  });

  it('names a missing file', () => {
    expect(() => loadConfigFile('/nonexistent/enforcer.yaml')).toThrow('/nonexistent/enforcer.yaml: cannot read configuration: ENOENT');
  });
});

describe('good configuration', () => {
  const text = [
    'node: ns-a',
    'policy: { kasp: kasp.xml, zonelist: /etc/opendnssec/zonelist.xml }',
    'signconf: { directory: ../signconf }',
    'keystores: { SoftHSM: { type: file, directory: keys } }',
  ].join('\n');

  it('resolves relative paths against the config file and defaults to the embedded database', () => {
    const c = parseConfig(text, '/etc/enforcer/enforcer.yaml');
    expect(c).toMatchObject({
      node: 'ns-a',
      kasp: '/etc/enforcer/kasp.xml',
      zonelist: '/etc/opendnssec/zonelist.xml',
      signconfDirectory: '/etc/signconf',
      keystores: { SoftHSM: { type: 'file', directory: '/etc/enforcer/keys' } },
      database: { kind: 'embedded', directory: '/etc/enforcer/var/db' },
      lease: { ttlSeconds: 30, renewSeconds: 10 },
    });
  });

  it('takes the database URL from ENFORCER_DATABASE_URL', () => {
    const c = parseConfig(text, '/etc/enforcer/enforcer.yaml', { ENFORCER_DATABASE_URL: 'postgres://u:secret@db/enf?sslmode=verify-full' });
    expect(c.database).toEqual({ kind: 'postgres', url: 'postgres://u:secret@db/enf?sslmode=verify-full' });
  });
});

/** A minimal valid configuration plus extra lines; `problem` returns the error message or null. */
const base = [
  'node: ns-a',
  'policy: { kasp: kasp.xml, zonelist: zonelist.xml }',
  'signconf: { directory: signconf }',
  'keystores: { SoftHSM: { type: file, directory: keys } }',
];
const parse = (...extra: string[]) => parseConfig([...base, ...extra].join('\n'), '/etc/enforcer/enforcer.yaml');
const problem = (...extra: string[]) => {
  try {
    parse(...extra);
  } catch (e) {
    return (e as Error).message;
  }
  return null;
};

describe('lease and hooks configuration', () => {
  it('defaults to ttl 30 s, renew 10 s and no hooks with a 30 s timeout', () => {
    expect(parse()).toMatchObject({
      lease: { ttlSeconds: 30, renewSeconds: 10 },
      hooks: { onActive: null, onStandby: null, timeoutSeconds: 30 },
    });
  });

  it('derives the renew interval from a shorter ttl (a third of it)', () => {
    expect(parse('lease: { ttl: 6 }').lease).toEqual({ ttlSeconds: 6, renewSeconds: 2 });
    expect(parse('lease: { ttl: 5 }').lease).toEqual({ ttlSeconds: 5, renewSeconds: 1 });
    expect(parse('lease: { ttl: 120 }').lease).toEqual({ ttlSeconds: 120, renewSeconds: 10 });
  });

  it('checks the renew interval against the default ttl too', () => {
    expect(problem('lease: { renewInterval: 16 }')).toBe(
      '/etc/enforcer/enforcer.yaml:5: lease.renewInterval: must be at most half of lease.ttl, so one missed renewal does not lose the lease',
    );
    expect(parse('lease: { renewInterval: 15 }').lease).toEqual({ ttlSeconds: 30, renewSeconds: 15 });
  });

  it('bounds the ttl', () => {
    expect(problem('lease: { ttl: 4 }')).toBe('/etc/enforcer/enforcer.yaml:5: lease.ttl: must be at least 5');
    expect(problem('lease: { ttl: 3601 }')).toBe('/etc/enforcer/enforcer.yaml:5: lease.ttl: must be at most 3600');
  });

  it('reads hooks', () => {
    expect(parse('hooks:', '  onActive: systemctl start ods-signer', '  onStandby: systemctl stop ods-signer', '  timeout: 60').hooks).toEqual({
      onActive: 'systemctl start ods-signer',
      onStandby: 'systemctl stop ods-signer',
      timeoutSeconds: 60,
    });
  });

  it('refuses empty hook commands, bad timeouts and unknown hook keys', () => {
    expect(problem('hooks: { onActive: " " }')).toBe('/etc/enforcer/enforcer.yaml:5: hooks.onActive: has an invalid value " " (a shell command)');
    expect(problem('hooks: { timeout: 0 }')).toBe('/etc/enforcer/enforcer.yaml:5: hooks.timeout: must be at least 1');
    expect(problem('hooks: { onFailover: x }')).toBe(
      '/etc/enforcer/enforcer.yaml:5: hooks.onFailover: unknown key (known keys here: onActive, onStandby, timeout)',
    );
  });
});

describe('failover configuration', () => {
  it('defaults to a one-hour safe period, no automatic takeover and no publish command', () => {
    expect(parse().failover).toEqual({ safePeriodSeconds: 3600, autoTakeover: false, publishCommand: null, publishTimeoutSeconds: 30 });
  });

  it('reads every setting', () => {
    expect(parse('failover:', '  safePeriod: 7200', '  autoTakeover: true', '  publishCommand: ods-signer update --all', '  publishTimeout: 120').failover).toEqual({
      safePeriodSeconds: 7200,
      autoTakeover: true,
      publishCommand: 'ods-signer update --all',
      publishTimeoutSeconds: 120,
    });
  });

  it('refuses a safe period under a minute, a non-boolean switch and unknown keys', () => {
    expect(problem('failover: { safePeriod: 59 }')).toBe('/etc/enforcer/enforcer.yaml:5: failover.safePeriod: must be at least 60');
    expect(problem('failover: { autoTakeover: "yes" }')).toBe('/etc/enforcer/enforcer.yaml:5: failover.autoTakeover: must be true or false, not a string');
    expect(problem('failover: { partnerDown: true }')).toBe(
      '/etc/enforcer/enforcer.yaml:5: failover.partnerDown: unknown key (known keys here: safePeriod, autoTakeover, publishCommand, publishTimeout)',
    );
  });
});

describe('probe configuration', () => {
  it('is absent unless configured', () => {
    expect(parse().probe).toBeUndefined();
  });

  it('parses global and per-zone servers (default port 53) and the tuning knobs', () => {
    const c = parse(
      'probe:',
      '  servers: ["127.0.0.1:5300", "2001:db8::1", "[2001:db8::2]:5353"]',
      '  zones: { example.com: { servers: ["192.0.2.1"] } }',
      '  timeoutMs: 500',
      '  retries: 0',
      '  concurrency: 4',
    );
    expect(c.probe).toEqual({
      servers: [{ address: '127.0.0.1', port: 5300 }, { address: '2001:db8::1', port: 53 }, { address: '2001:db8::2', port: 5353 }],
      zones: { 'example.com': { servers: [{ address: '192.0.2.1', port: 53 }] } },
      timeoutMs: 500,
      retries: 0,
      concurrency: 4,
    });
  });

  it('refuses bad addresses, wrong types, unknown keys and an empty section, naming the field and line', () => {
    expect(problem('probe: { servers: ["ns1.example.net"] }')).toBe(
      '/etc/enforcer/enforcer.yaml:5: probe.servers.0: not an IP address: "ns1.example.net" (an IP address, optionally with :port)',
    );
    expect(problem('probe: { servers: ["127.0.0.1:99999"] }')).toBe(
      '/etc/enforcer/enforcer.yaml:5: probe.servers.0: bad port in "127.0.0.1:99999" (an IP address, optionally with :port)',
    );
    expect(problem('probe: { servers: "127.0.0.1" }')).toBe(
      '/etc/enforcer/enforcer.yaml:5: probe.servers: must be a list of server addresses, not a string',
    );
    expect(problem('probe: { servers: [] }')).toBe('/etc/enforcer/enforcer.yaml:5: probe.servers: must name at least one server');
    expect(problem('probe: { server: ["127.0.0.1"] }')).toBe(
      '/etc/enforcer/enforcer.yaml:5: probe.server: unknown key (known keys here: servers, zones, timeoutMs, retries, concurrency)',
    );
    expect(problem('probe: { zones: { example.com: {} } }')).toBe('/etc/enforcer/enforcer.yaml:5: probe.zones.example.com.servers: is required');
    expect(problem('probe: { servers: ["127.0.0.1"], timeoutMs: 5 }')).toBe('/etc/enforcer/enforcer.yaml:5: probe.timeoutMs: must be at least 50');
    expect(problem('probe: { servers: ["127.0.0.1"], retries: "2" }')).toBe('/etc/enforcer/enforcer.yaml:5: probe.retries: must be an integer, not a string');
    expect(problem('probe: {}')).toBe('/etc/enforcer/enforcer.yaml:5: probe.servers: is required (or give probe.zones.<zone>.servers)');
  });

  it('lists probe among the known top-level keys', () => {
    expect(problem("prob: {}")).toMatch(/prob: unknown key \(known keys here: .*hooks, failover, probe\)$/);
  });
});
