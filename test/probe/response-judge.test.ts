// Whatever bytes arrive, judging them never throws and never accepts something that is not the answer
// to our question: a forger or a broken server can make a query fail, never crash the probe or feed it.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import dnsPacket from 'dns-packet';
import { canonicalNameWire } from '../../src/dnssec/name.js';
import { judgeResponse } from '../../src/probe/response-judge.js';
import { encodeDnskeyRdata } from '../../src/dnssec/dnskey.js';
import { keyTag } from '../../src/dnssec/key-tag.js';
import { checkRrsigs, liveDnskeySet } from '../../src/probe/live-dnskey.js';

const expected = { id: 0x1234, nameWire: canonicalNameWire('example.test'), type: 48 };

function answer(extra: Partial<dnsPacket.Packet> = {}): Buffer {
  return dnsPacket.encode({
    type: 'response', id: 0x1234, flags: dnsPacket.AUTHORITATIVE_ANSWER,
    questions: [{ name: 'Example.TEST', type: 'DNSKEY', class: 'IN' }],
    answers: [
      { type: 'DNSKEY', name: 'example.test', ttl: 60, data: { flags: 257, algorithm: 15, key: Buffer.alloc(32, 7) } },
      {
        type: 'RRSIG', name: 'example.test', ttl: 60,
        data: {
          typeCovered: 'DNSKEY', algorithm: 15, labels: 2, originalTTL: 60, expiration: 2000, inception: 1000,
          keyTag: keyTag(encodeDnskeyRdata({ flags: 257, protocol: 3, algorithm: 15, publicKey: new Uint8Array(32).fill(7) })),
          signersName: 'example.test', signature: Buffer.alloc(64, 9),
        },
      },
    ],
    ...extra,
  });
}

describe('judgeResponse', () => {
  it('accepts a well-formed answer to our question (name matched case-insensitively)', () => {
    const j = judgeResponse(answer(), expected);
    expect(j).toMatchObject({ kind: 'answer', rcode: 'NOERROR', truncated: false, authoritative: true });
    if (j.kind !== 'answer') return;
    expect(checkRrsigs(liveDnskeySet('example.test', j.message), new Date(1500_000))).toMatchObject([{ status: 'bad' }]);
  });

  it('ignores a wrong id, a wrong name, a query instead of a response', () => {
    expect(judgeResponse(answer({ id: 0x1235 }), expected)).toEqual({ kind: 'ignore', reason: 'mismatch' });
    expect(judgeResponse(answer({ questions: [{ name: 'other.test', type: 'DNSKEY' }] }), expected)).toEqual({ kind: 'ignore', reason: 'mismatch' });
    expect(judgeResponse(answer({ questions: [{ name: 'example.test', type: 'DS' }] }), expected)).toEqual({ kind: 'ignore', reason: 'mismatch' });
    expect(judgeResponse(answer({ type: 'query' }), expected)).toEqual({ kind: 'ignore', reason: 'mismatch' });
  });

  it('calls our answer malformed when a record runs past the end or bytes trail it', () => {
    const full = answer();
    expect(judgeResponse(full.subarray(0, full.length - 3), expected)).toMatchObject({ kind: 'error', error: { kind: 'malformed' } });
    expect(judgeResponse(Buffer.concat([full, Buffer.from([0])]), expected)).toMatchObject({ kind: 'error', error: { kind: 'malformed' } });
  });

  it('never throws on arbitrary bytes, nor on corruption of a real answer, up to signature checking', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => void judgeResponse(bytes, expected)), { numRuns: 2000 });
    const real = answer();
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(real.length - 1), fc.nat(255)), { maxLength: 8 }), fc.nat(real.length), (edits, cut) => {
        const b = Buffer.from(real.subarray(0, cut));
        for (const [i, v] of edits) if (i < b.length) b[i] = v;
        const j = judgeResponse(b, expected);
        if (j.kind !== 'answer') return;
        // Whatever made it through is safe to hand to the validator.
        const set = liveDnskeySet('example.test', j.message);
        checkRrsigs(set, new Date(1500_000));
      }),
      { numRuns: 3000 },
    );
  });
});
