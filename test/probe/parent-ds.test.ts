// DS at the parent: every parent server is asked, and a DS counts as seen only when each of them serves
// one that really points at the key (digest checked, not just the tag).
import { afterAll, beforeAll, expect, it } from 'vitest';
import dnsPacket from 'dns-packet';
import { encodeDnskeyRdata, dnskeyFor } from '../../src/dnssec/dnskey.js';
import { makeDs } from '../../src/dnssec/ds.js';
import { query } from '../../src/probe/dns-client.js';
import { dsSeenEverywhere, probeParentDs } from '../../src/probe/parent-ds.js';
import { makeTestKey, signedZone, startResponder, type DnsResponder, type TestKey } from '../helpers/dns-responder.js';
import { FAST } from './fixtures.js';

let p1: DnsResponder;
let p2: DnsResponder;
let ksk: TestKey;
let next: TestKey;

function dsRecord(k: TestKey, corrupt = false): dnsPacket.Answer {
  const ds = makeDs('child.parent.test', encodeDnskeyRdata(dnskeyFor(k.flags, k.algorithm, k.publicKey)), 2);
  const digest = Buffer.from(ds.digest);
  if (corrupt) digest[0]! ^= 1;
  return { type: 'DS', name: 'child.parent.test', ttl: 3600, data: { keyTag: ds.keyTag, algorithm: ds.algorithm, digestType: 2, digest } };
}

beforeAll(async () => {
  [p1, p2] = await Promise.all([startResponder(), startResponder()]);
  [ksk, next] = await Promise.all([makeTestKey(13, 257), makeTestKey(13, 257)]);
  p1.setZone(signedZone('parent.test', { publish: [], signers: [], extra: [dsRecord(ksk), dsRecord(next)] }));
  // The second parent server has the new DS with a wrong digest: same tag, but it points at no key.
  p2.setZone(signedZone('parent.test', { publish: [], signers: [], extra: [dsRecord(ksk), dsRecord(next, true)] }));
});
afterAll(async () => {
  await Promise.all([p1?.close(), p2?.close()]);
});

it('a DS is seen only when every parent server serves one matching the key', async () => {
  const results = await probeParentDs('child.parent.test', [p1.server, p2.server], [ksk, next], query, FAST);
  expect(results.map((r) => r.ok && r.coverage.covered.sort())).toEqual([[ksk.keyTag, next.keyTag].sort(), [ksk.keyTag]]);
  expect(results[1]).toMatchObject({ ok: true, coverage: { uncovered: [next.keyTag], foreign: [{ keyTag: next.keyTag }] } });
  expect(dsSeenEverywhere(results, ksk.keyTag)).toBe(true);
  expect(dsSeenEverywhere(results, next.keyTag)).toBe(false);
});

it('a parent server that does not answer means not seen', async () => {
  p2.setBehaviour('parent.test', 'drop');
  const results = await probeParentDs('child.parent.test', [p1.server, p2.server], [ksk], query, FAST);
  expect(results[1]).toMatchObject({ ok: false, error: { kind: 'timeout' } });
  expect(dsSeenEverywhere(results, ksk.keyTag)).toBe(false);
  p2.setBehaviour('parent.test', 'normal');
});
