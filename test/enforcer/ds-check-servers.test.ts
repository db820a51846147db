// `key ds-check` against real parent servers on 127.0.0.1 (UDP and TCP): what one server's answer
// means, the verdict per key from every server's answer, and finding the parent's servers through
// a resolver. Every way a server can fail must end as "not confirmed" with the server named.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { query } from '../../src/probe/dns-client.js';
import { formatServer } from '../../src/probe/servers.js';
import type { DsCheckConfig } from '../../src/config/ds-check-config.js';
import { askParentServer, type ServerAnswer } from '../../src/enforcer/ds-check-ask.js';
import { parentServersFor } from '../../src/enforcer/ds-check-parent.js';
import { foreignDs, keyVerdict } from '../../src/enforcer/ds-check-verdict.js';
import { makeTestKey, signedZone, startResponder, type DnsResponder, type TestKey } from '../helpers/dns-responder.js';
import { dsRecord, parentZone } from '../helpers/parent-zone.js';

const FAST = { timeoutMs: 250, retries: 1 };
const CHILD = 'child.org';

let p1: DnsResponder;
let p2: DnsResponder;
let ksk: TestKey;
let other: TestKey;

function config(o: Partial<DsCheckConfig>): DsCheckConfig {
  return { servers: [], zones: {}, resolver: null, timeoutMs: null, retries: null, concurrency: null, ...o };
}

const ask = (r: DnsResponder, parent: string | null = null) => askParentServer(CHILD, r.server, parent, query, FAST);

beforeAll(async () => {
  p1 = await startResponder();
  // The second parent server listens on the same port at another loopback address, as discovered
  // nameservers all share one port.
  p2 = await startResponder({ address: '127.0.0.2', port: p1.server.port });
  [ksk, other] = await Promise.all([makeTestKey(13, 257), makeTestKey(13, 257)]);
});
afterAll(async () => {
  await Promise.all([p1?.close(), p2?.close()]);
});
// One case's child zone must not answer in the next one.
beforeEach(() => {
  for (const p of [p1, p2]) p.removeZone(CHILD);
});

describe('one parent server', () => {
  it('reads a served DS set, a delegation without DS and a missing delegation alike', async () => {
    p1.setZone(parentZone('org', { children: { [CHILD]: [dsRecord(CHILD, ksk, { ttl: 7200 })], 'bare.org': [] } }));
    const served = await ask(p1);
    expect(served).toMatchObject({ ok: true, rcode: 'NOERROR', via: 'udp', ttl: 7200, problem: null });
    expect(served.ds.map((d) => d.keyTag)).toEqual([ksk.keyTag]);
    const nodata = await askParentServer('bare.org', p1.server, null, query, FAST);
    expect(nodata).toMatchObject({ ok: true, ds: [], rcode: 'NOERROR', answeredFrom: 'org.' });
    const nxdomain = await askParentServer('missing.org', p1.server, 'org.', query, FAST);
    expect(nxdomain).toMatchObject({ ok: true, ds: [], rcode: 'NXDOMAIN', answeredFrom: 'org.' });
  });

  it('turns SERVFAIL, REFUSED, silence, a lame server and a malformed answer into a named problem', async () => {
    const cases = [
      ['servfail', 'rcode', /SERVFAIL/],
      ['refused', 'rcode', /REFUSED/],
      ['drop', 'timeout', /no answer within 250 ms/],
      ['not-authoritative', 'not-authoritative', /without the AA bit: the server is lame/],
      ['malformed', 'malformed', /malformed answer/],
    ] as const;
    for (const [behaviour, kind, message] of cases) {
      p1.setZone(parentZone('org', { children: { [CHILD]: [dsRecord(CHILD, ksk)] }, behaviour }));
      const a = await ask(p1);
      expect(a, behaviour).toMatchObject({ ok: false, ds: [], problem: { kind } });
      expect(a.problem!.message, behaviour).toMatch(message);
      expect(a.problem!.message, behaviour).toContain(formatServer(p1.server));
    }
  });

  it('refuses an answer from the child zone itself, and from another zone than the known parent', async () => {
    // A server of the child (not the parent) answers NODATA from the child's own apex.
    p1.setZone(signedZone(CHILD, { publish: [ksk], signers: [ksk] }));
    expect((await ask(p1)).problem).toMatchObject({ kind: 'wrong-zone', message: expect.stringMatching(/serves the child zone, not its parent/) });
    p1.removeZone(CHILD);
    p1.setZone(parentZone('org', { children: { [CHILD]: [] } }));
    expect((await ask(p1, 'net.')).problem).toMatchObject({ kind: 'wrong-zone', message: expect.stringMatching(/answered from org\., not by the parent zone net\./) });
    expect((await ask(p1, 'org.')).ok).toBe(true);
  });
});

describe('the verdict per key', () => {
  const answers = async (ds1: ReturnType<typeof dsRecord>[], ds2: ReturnType<typeof dsRecord>[]): Promise<ServerAnswer[]> => {
    p1.setZone(parentZone('org', { children: { [CHILD]: ds1 } }));
    p2.setZone(parentZone('org', { children: { [CHILD]: ds2 } }));
    return [await ask(p1), await ask(p2)];
  };
  const s1 = () => formatServer(p1.server);
  const s2 = () => formatServer(p2.server);

  it('confirms a DS only when every server serves one matching the key', async () => {
    const both = await answers([dsRecord(CHILD, ksk)], [dsRecord(CHILD, ksk, { digestType: 4 })]);
    expect(keyVerdict(CHILD, ksk, 'ds-seen', both)).toMatchObject({ verdict: 'confirmed', servers: [{ serves: true }, { serves: true }] });
    expect(keyVerdict(CHILD, ksk, 'ds-gone', both)).toMatchObject({ verdict: 'pending', reason: `still served by ${s1()}, ${s2()}` });

    const one = await answers([dsRecord(CHILD, ksk)], []);
    const v = keyVerdict(CHILD, ksk, 'ds-seen', one);
    expect(v).toMatchObject({ verdict: 'pending', servers: [{ server: s1(), serves: true }, { server: s2(), serves: false }] });
    expect(v.reason).toBe(`not served by ${s2()}`);
  });

  it('does not take a foreign DS, or one with the right tag and a wrong digest, for the key', async () => {
    const foreign = await answers([dsRecord(CHILD, other)], [dsRecord(CHILD, other)]);
    const v = keyVerdict(CHILD, ksk, 'ds-seen', foreign);
    expect(v.verdict).toBe('pending');
    expect(v.reason).toContain(`${s1()} serves only DS records for other keys`);
    expect(foreignDs(CHILD, foreign[0]!, [ksk]).map((d) => d.keyTag)).toEqual([other.keyTag]);
    // For a retraction, a foreign DS left behind does not hold the key back.
    expect(keyVerdict(CHILD, ksk, 'ds-gone', foreign).verdict).toBe('confirmed');

    const corrupt = await answers([dsRecord(CHILD, ksk, { corrupt: true })], [dsRecord(CHILD, ksk)]);
    const c = keyVerdict(CHILD, ksk, 'ds-seen', corrupt);
    expect(c.verdict).toBe('pending');
    expect(c.reason).toMatch(new RegExp(`serves ${ksk.keyTag} 13 2 [0-9A-F]{64} with this key's tag but a digest that does not match the key`));
  });

  it('keeps a retraction waiting while a server serves a DS with the key tag and a digest type it cannot check', async () => {
    const odd = await answers([dsRecord(CHILD, ksk, { claimDigestType: 3 })], []);
    expect(keyVerdict(CHILD, ksk, 'ds-gone', odd)).toMatchObject({ verdict: 'pending', reason: `still served by ${s1()}` });
    expect(keyVerdict(CHILD, ksk, 'ds-seen', odd).verdict).toBe('pending');
  });

  it('says unknown, naming the server and why, when one server gives no usable answer', async () => {
    p1.setZone(parentZone('org', { children: { [CHILD]: [dsRecord(CHILD, ksk)] } }));
    p2.setZone(parentZone('org', { children: { [CHILD]: [dsRecord(CHILD, ksk)] }, behaviour: 'servfail' }));
    const v = keyVerdict(CHILD, ksk, 'ds-seen', [await ask(p1), await ask(p2)]);
    expect(v.verdict).toBe('unknown');
    expect(v.reason).toContain(`no usable answer from ${s2()} (DS child.org. from ${s2()}: SERVFAIL)`);
    expect(keyVerdict(CHILD, ksk, 'ds-seen', [])).toMatchObject({ verdict: 'unknown', reason: 'no parent server to ask' });
  });
});

describe('finding the parent servers', () => {
  it('uses the zone list, else the global list, else asks the resolver for the parent zone and all its addresses', async () => {
    const zoneList = config({ zones: { [CHILD]: { servers: [p2.server, p2.server] } }, servers: [p1.server] });
    expect(await parentServersFor(CHILD, zoneList, query, FAST)).toEqual({ ok: true, parent: { source: 'zone', parentZone: null, servers: [p2.server] } });
    expect(await parentServersFor('other.org', zoneList, query, FAST)).toMatchObject({ ok: true, parent: { source: 'global', servers: [p1.server] } });

    // p1 plays the resolver too: it answers the SOA, NS and A questions for org.
    p1.setZone(parentZone('org', { nameservers: { 'ns1.org': ['127.0.0.1'], 'ns2.org': ['127.0.0.2'] }, children: { [CHILD]: [] } }));
    const viaResolver = config({ resolver: p1.server });
    // deep.sub.child.org: sub.child.org and child.org have no SOA here, so the walk goes up to org.
    for (const zone of [CHILD, 'deep.sub.child.org']) {
      expect(await parentServersFor(zone, viaResolver, query, FAST, p1.server.port)).toEqual({
        ok: true,
        parent: { source: 'discovered', parentZone: 'org.', servers: [{ address: '127.0.0.1', port: p1.server.port }, { address: '127.0.0.2', port: p1.server.port }] },
      });
    }
  });

  it('fails, with the reason, when any nameserver has no address or nothing is configured', async () => {
    p1.setZone(parentZone('org', { nameservers: { 'ns1.org': ['127.0.0.1'], 'ns2.org': [] }, children: { [CHILD]: [] } }));
    expect(await parentServersFor(CHILD, config({ resolver: p1.server }), query, FAST)).toEqual({
      ok: false,
      reason: `no address for ns2.org. (nameserver of org.) through the resolver ${formatServer(p1.server)}`,
    });
    p1.setZone(parentZone('org', { children: { [CHILD]: [] }, behaviour: 'drop' }));
    const dead = await parentServersFor(CHILD, config({ resolver: p1.server }), query, FAST);
    expect(dead).toMatchObject({ ok: false, reason: expect.stringMatching(/^cannot find the parent zone of child\.org through the resolver .*: SOA org\.: .*no answer within 250 ms/) });
    expect(await parentServersFor(CHILD, undefined, query, FAST)).toMatchObject({ ok: false, reason: expect.stringMatching(/^no parent servers configured/) });
  });
});
