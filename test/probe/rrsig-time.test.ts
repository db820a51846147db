// RRSIG validity windows use 32-bit serial arithmetic (RFC 4034 §3.1.5): signatures must keep validating
// across the 2106 wrap of the 32-bit clock, and be judged expired or early to the second.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { rrsigInstant, signatureWindow } from '../../src/probe/rrsig-time.js';

const at = (s: number) => new Date(s * 1000);

describe('signatureWindow', () => {
  it('is valid from the inception second through the expiration second', () => {
    expect(signatureWindow(1000, 2000, at(999)).status).toBe('not-yet-valid');
    expect(signatureWindow(1000, 2000, at(1000)).status).toBe('current');
    expect(signatureWindow(1000, 2000, new Date(2000_999)).status).toBe('current');
    expect(signatureWindow(1000, 2000, at(2001)).status).toBe('expired');
  });

  it('keeps working across the 2106 wrap of 32-bit time', () => {
    const now = 2 ** 32 + 500; // early 2106, after the wrap
    const w = signatureWindow((2 ** 32 - 1000) >>> 0, 10_000, at(now));
    expect(w.status).toBe('current');
    expect(w.inception.getTime()).toBe((2 ** 32 - 1000) * 1000);
    expect(w.expiration.getTime()).toBe((2 ** 32 + 10_000) * 1000);
  });

  it('maps any wire value to the instant within 68 years of now that has that value mod 2^32', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 33 }), fc.integer({ min: 0, max: 2 ** 32 - 1 }), (nowS, value) => {
        const t = rrsigInstant(value, at(nowS)).getTime() / 1000;
        expect(((t % 2 ** 32) + 2 ** 32) % 2 ** 32).toBe(value);
        expect(Math.abs(t - nowS)).toBeLessThanOrEqual(2 ** 31);
      }),
    );
  });
});
