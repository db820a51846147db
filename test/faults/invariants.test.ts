// The invariant checker must be able to fail: a consistent hand-made history of two nodes passes,
// and each invariant catches a violation made by hand.

import { describe, expect, it } from 'vitest';
import { contentHash, stampSignconf } from '../../src/signconf/metadata.js';
import { checkInvariants } from './invariants.js';
import type { FaultSnapshot, Violation } from './snapshot.js';

const T0 = Date.UTC(2026, 10, 24, 4, 0, 0);
const at = (s: number) => new Date(T0 + s * 1000);
const L1 = 'a'.repeat(32);
const L2 = 'b'.repeat(32);
const L3 = 'c'.repeat(32);
const doc = (extra = '') =>
  `<?xml version="1.0"?>\n<SignerConfiguration><Zone name="z.test"><Keys>` +
  `<Key><Locator>${L1}</Locator></Key><Key><Locator>${L2}</Locator></Key>${extra}</Keys></Zone></SignerConfiguration>\n`;
const H1 = contentHash(doc());
const H2 = contentHash(doc('<!-- v2 -->'));
const stamped = (document: string, epoch: number, node: string) => stampSignconf(document, { epoch, node, writtenAt: at(0) }).text;

function audit(id: number, s: number, node: string, epoch: number, event: string, detail: Record<string, unknown> = {}, extra: { zone?: string; keyLocator?: string } = {}) {
  return { id, at: at(s), node, zone: extra.zone ?? null, keyLocator: extra.keyLocator ?? null, event, detail, epoch };
}

/** node-a acts under epoch 1, node-b takes over (epoch 2) and runs; everything consistent. */
function valid(): FaultSnapshot {
  return {
    leaseHistory: [
      { id: 1, at: at(0), epoch: 0, activeNode: null, holderNode: null },
      { id: 2, at: at(1), epoch: 1, activeNode: 'node-a', holderNode: 'node-a' },
      { id: 3, at: at(3), epoch: 1, activeNode: 'node-a', holderNode: null },
      { id: 4, at: at(100), epoch: 2, activeNode: 'node-b', holderNode: 'node-b' },
      { id: 5, at: at(103), epoch: 2, activeNode: 'node-b', holderNode: null },
    ],
    audit: [
      audit(1, 1, 'node-a', 1, 'keys generated', { locators: [L1, L2] }),
      audit(2, 1, 'node-a', 1, 'key allocated', { role: 'KSK', reason: 'initial' }, { zone: 'z.test', keyLocator: L1 }),
      audit(3, 1, 'node-a', 1, 'key allocated', { role: 'ZSK', reason: 'initial' }, { zone: 'z.test', keyLocator: L2 }),
      audit(4, 2, 'node-a', 1, 'transition', { keyId: '1', record: 'dnskey', from: 'hidden', to: 'rumoured', at: T0, keyTag: 1 }, { zone: 'z.test' }),
      audit(5, 2, 'node-a', 1, 'signconf written', { hash: H1 }, { zone: 'z.test' }),
      audit(6, 100, 'node-b', 2, 'active node taken over', { from: 'node-a' }),
      audit(7, 101, 'node-b', 2, 'transition', { keyId: '1', record: 'dnskey', from: 'rumoured', to: 'omnipresent', at: T0 + 5000_000, keyTag: 1 }, { zone: 'z.test' }),
      audit(8, 101, 'node-b', 2, 'signconf written', { hash: H2 }, { zone: 'z.test' }),
    ],
    runs: [
      { id: 1, node: 'node-a', epoch: 1, startedAt: at(1), finishedAt: at(3), outcome: 'ok' },
      { id: 2, node: 'node-b', epoch: 2, startedAt: at(100), finishedAt: at(102), outcome: 'ok' },
    ],
    hsmKeys: [
      { locator: L1, policy: 'p', role: 'KSK', status: 'allocated' },
      { locator: L2, policy: 'p', role: 'ZSK', status: 'allocated' },
    ],
    zoneKeys: [
      { id: 1, zone: 'z.test', locator: L1, role: 'KSK', goal: 'omnipresent', keyTag: 1, dsAtParent: 'unsubmitted', states: { ds: 'hidden', dnskey: 'omnipresent', rrsigdnskey: 'hidden', rrsig: 'na' } },
      { id: 2, zone: 'z.test', locator: L2, role: 'ZSK', goal: 'omnipresent', keyTag: 2, dsAtParent: 'unsubmitted', states: { ds: 'na', dnskey: 'hidden', rrsigdnskey: 'na', rrsig: 'hidden' } },
    ],
    signconfRecords: [{ zone: 'z.test', path: '/b/z.test.xml', contentHash: H2, writtenEpoch: 2, writtenBy: 'node-b' }],
    zonePolicies: { 'z.test': 'p' },
    policies: [{ name: 'p', shareKeys: false, roles: { KSK: 1, ZSK: 1 }, minWait: { dnskey: 3900, rrsig: 300 } }],
    files: [
      { node: 'node-a', name: 'z.test.xml', path: '/a/z.test.xml', text: stamped(doc(), 1, 'node-a'), ctimeMs: T0 + 2000 },
      { node: 'node-b', name: 'z.test.xml', path: '/b/z.test.xml', text: stamped(doc('<!-- v2 -->'), 2, 'node-b'), ctimeMs: T0 + 101_000 },
    ],
    tempFiles: [],
    keystores: { 'node-a': [L1, L2], 'node-b': [L1, L2] },
  };
}

const check = (s: FaultSnapshot) => checkInvariants(s, { ttlSeconds: 5, slackMs: 1000 });
const only = (vs: Violation[], inv: Violation['invariant']) => {
  expect(vs.length, JSON.stringify(vs)).toBeGreaterThan(0);
  expect(vs.map((v) => v.invariant), JSON.stringify(vs)).toEqual(vs.map(() => inv));
};

describe('invariant checker', () => {
  it('passes a consistent history and counts what it checked', () => {
    const r = check(valid());
    expect(r.violations).toEqual([]);
    expect(r.figures).toMatchObject({ keysGenerated: 2, files: 2, transitions: 2, epochs: 3, takeovers: 1 });
  });

  it.each<[string, (s: FaultSnapshot) => void, RegExp]>([
    ['a key generated twice', (s) => s.audit.push(audit(9, 102, 'node-b', 2, 'keys generated', { locators: [L1] })), /generated twice/],
    ['a second initial key for a zone', (s) => {
      s.hsmKeys.push({ locator: L3, policy: 'p', role: 'KSK', status: 'allocated' });
      s.audit.push(audit(9, 102, 'node-b', 2, 'keys generated', { locators: [L3] }));
      s.audit.push(audit(10, 102, 'node-b', 2, 'key allocated', { role: 'KSK', reason: 'initial' }, { zone: 'z.test', keyLocator: L3 }));
    }, /2 initial KSK keys; its policy lists 1/],
    ['a file naming a key the database does not know', (s) => {
      s.files[0]!.text = stamped(doc(`<Key><Locator>${L3}</Locator></Key>`), 1, 'node-a');
      s.audit.push(audit(5.5, 2, 'node-a', 1, 'signconf written', { hash: contentHash(doc(`<Key><Locator>${L3}</Locator></Key>`)) }, { zone: 'z.test' }));
    }, /names key c+, which the database does not know/],
  ])('I1: %s', (_, breakIt, message) => {
    const s = valid();
    breakIt(s);
    const r = check(s);
    only(r.violations, 'I1');
    expect(r.violations[0]!.detail).toMatch(message);
  });

  it.each<[string, (s: FaultSnapshot) => void, RegExp]>([
    ['a torn file', (s) => (s.files[0]!.text = s.files[0]!.text.replace('<Keys>', '<Keys >')), /torn or changed/],
    ['a file renamed into place after its epoch ended', (s) => (s.files[0]!.ctimeMs = T0 + 100_500), /after epoch 1 ended .* a write after the lease was lost/],
    ['a file under an epoch it was not recorded in', (s) => (s.files[0]!.text = stamped(doc(), 2, 'node-a')), /no 'signconf written' record .* under epoch 2 by node-a/],
  ])('I2: %s', (_, breakIt, message) => {
    const s = valid();
    breakIt(s);
    const r = check(s);
    expect(r.violations.some((v) => v.invariant === 'I2' && message.test(v.detail)), JSON.stringify(r.violations)).toBe(true);
  });

  it.each<[string, (s: FaultSnapshot) => void, RegExp]>([
    ['a skipped state', (s) => Object.assign(s.audit[3]!.detail, { to: 'omnipresent' }), /hidden -> omnipresent is not a move/],
    ['a move backwards', (s) => Object.assign(s.audit[6]!.detail, { to: 'hidden' }), /rumoured -> hidden is not a move/],
    ['a move before the caches caught up', (s) => Object.assign(s.audit[6]!.detail, { at: T0 + 60_000 }), /after 60 s; caches need at least 3900 s/],
    ['a DS answer nobody asked for', (s) => s.audit.push(audit(9, 102, 'node-b', 2, 'ds-seen', { keyTag: 1, from: 'unsubmitted', to: 'seen' }, { zone: 'z.test' })), /ds-seen .* found the DS at the parent 'unsubmitted'/],
  ])('I3: %s', (_, breakIt, message) => {
    const s = valid();
    breakIt(s);
    const r = check(s);
    expect(r.violations.some((v) => v.invariant === 'I3' && message.test(v.detail)), JSON.stringify(r.violations)).toBe(true);
  });

  it.each<[string, (s: FaultSnapshot) => void, RegExp]>([
    ['a row written by a node that did not hold the epoch', (s) => (s.audit[7]!.node = 'node-a'), /written by node-a under epoch 2, held by node-b/],
    ['an epoch held by two nodes', (s) => s.leaseHistory.push({ id: 6, at: at(104), epoch: 2, activeNode: 'node-b', holderNode: 'node-a' }), /epoch 2 was held by node-b and node-a/],
    ['an epoch going back', (s) => s.leaseHistory.push({ id: 6, at: at(104), epoch: 1, activeNode: 'node-a', holderNode: 'node-a' }), /went back from 2 to 1/],
  ])('I4: %s', (_, breakIt, message) => {
    const s = valid();
    breakIt(s);
    const r = check(s);
    expect(r.violations.some((v) => v.invariant === 'I4' && message.test(v.detail)), JSON.stringify(r.violations)).toBe(true);
  });

  it.each<[string, (s: FaultSnapshot) => void, RegExp]>([
    ['no run after a takeover', (s) => s.runs.pop(), /no run completed after it/],
    ['the first run after a takeover too late', (s) => (s.runs[1]!.finishedAt = at(100 + 60)), /60000 ms later .* over the bound of 8000 ms/],
  ])('I5: %s', (_, breakIt, message) => {
    const s = valid();
    breakIt(s);
    const r = check(s);
    only(r.violations, 'I5');
    expect(r.violations[0]!.detail).toMatch(message);
  });
});
