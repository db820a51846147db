// `check live` through the real CLI against real PostgreSQL and a real authoritative DNS responder on
// 127.0.0.1 whose DNSKEY sets are really signed with the zone keys: matching sets, a key missing on
// the server (tolerated only within the zone's propagation delay), an unexpected key, RRSIGs close
// to expiry against -w/-c, an unreachable server, and no probe configuration.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestKey } from '../helpers/dns-responder.js';
import { checkEnv, perfdataOf, type CheckEnv } from './setup.js';

/** Past the default policy's Zone/PropagationDelay (12 h) after the run: published keys must be served. */
const SETTLED = { ENFORCER_CLOCK_OFFSET: '+13h' };

describe('check live', () => {
  let env: CheckEnv;
  beforeAll(async () => {
    env = await checkEnv({ responder: true });
  });
  afterAll(async () => env?.close());

  it('is OK when every server serves the expected, validly signed DNSKEY set', async () => {
    const r = await env.check(env.standby, ['live'], SETTLED);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.line).toMatch(/^LIVE OK - 3 zones, every live DNSKEY set as expected; soonest RRSIG over DNSKEY expires in 13d1\dh \| /);
    expect(perfdataOf(r.line)).toMatchObject({ live_zones: 3, live_match: 3, live_mismatch: 0, live_unreachable: 0, live_rrsig_expiring: 0 });
    expect(r.line).toMatch(/'live_rrsig_min_left'=\d+s;172800:;86400:$/);
  });

  it('is CRITICAL naming zone, server and key tag when a server does not serve a key, once the propagation delay is over', async () => {
    const zsk = env.keys.find((k) => k.zone === 'example.com' && k.role === 'ZSK')!;
    env.serve('example.com', { omitTag: zsk.keyTag });
    try {
      const r = await env.check(env.standby, ['live'], SETTLED);
      expect(r.code).toBe(2);
      expect(r.line).toMatch(/^LIVE CRITICAL - 1 of 3 zones not as expected: example\.com mismatch;/);
      expect(r.stdout.split('\n')[1]).toMatch(
        new RegExp(`^CRITICAL example\\.com: served DNSKEY set differs from the database's: 127\\.0\\.0\\.1:${env.responder!.server.port}: missing key ${zsk.keyTag} \\(ZSK`),
      );
      expect(perfdataOf(r.line)).toMatchObject({ live_mismatch: 1, live_match: 2 });
      // Right after the run the key was published moments ago: the servers have the propagation delay to catch up.
      const early = await env.check(env.standby, ['live', '--zone', 'example.com']);
      expect(early.code, early.stdout).toBe(0);
      expect(early.line).toMatch(/^LIVE OK - 1 zone, every live DNSKEY set as expected; .*; 1 zone with keys within the propagation delay/);
    } finally {
      env.serve('example.com');
    }
  });

  it('is CRITICAL when a server serves a key the database does not know', async () => {
    const stranger = await makeTestKey(13, 256);
    env.serve('example.net', { addKeys: [stranger] });
    try {
      const r = await env.check(env.standby, ['live', '--zone', 'example.net'], SETTLED);
      expect(r.code).toBe(2);
      expect(r.stdout).toContain(`unexpected key ${stranger.keyTag} (ZSK`);
    } finally {
      env.serve('example.net');
    }
  });

  it('judges the soonest RRSIG over DNSKEY against -w/-c (time left: a plain value alerts below it)', async () => {
    const w = await env.check(env.standby, ['live', '-w', '20d', '-c', '2d'], SETTLED);
    expect(w.code).toBe(1);
    expect(w.stdout.split('\n')[1]).toMatch(/^WARNING example\.com: RRSIG over DNSKEY on 127\.0\.0\.1:\d+ expires in 13d1\dh \(\S+\): is the signer re-signing the zone\?$/);
    expect(perfdataOf(w.line)).toMatchObject({ live_rrsig_expiring: 3 });
    const soon = new Date(Date.now() + 13 * 3600_000 + 20 * 3600_000);
    env.serve('example.org', { expiration: soon });
    try {
      const c = await env.check(env.standby, ['live'], SETTLED);
      expect(c.code).toBe(2);
      expect(c.line).toMatch(/^LIVE CRITICAL - 3 zones, every live DNSKEY set as expected; soonest RRSIG over DNSKEY expires in (19|20)h/);
      expect(c.stdout.split('\n')[1]).toMatch(/^CRITICAL example\.org: RRSIG over DNSKEY on \S+ expires in (19|20)h/);
    } finally {
      env.serve('example.org');
    }
  });

  it('is WARNING when a server cannot be asked, UNKNOWN without a probe section', async () => {
    env.responder!.setBehaviour('example.org', 'drop');
    try {
      const r = await env.check(env.standby, ['live', '--zone', 'example.org'], SETTLED);
      expect(r.code).toBe(1);
      expect(r.line).toMatch(/^LIVE WARNING - 1 of 1 zone not as expected: example\.org unreachable/);
      expect(r.stdout).toMatch(/\nWARNING example\.org: not every server could be asked: 127\.0\.0\.1:\d+: server unreachable \(timeout\)/);
    } finally {
      env.responder!.setBehaviour('example.org', 'normal');
    }
    const r = await env.check(env.active, ['live']);
    expect(r.code).toBe(3);
    expect(r.line).toBe(`LIVE UNKNOWN - no probe servers configured: add a probe section to ${env.active}`);
  });
});
