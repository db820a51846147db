// RRSIG inception and expiration are 32-bit seconds compared with serial number arithmetic
// (RFC 4034 §3.1.5, RFC 1982), so they keep working after 2106. Contract: pure; the wire value is mapped
// to the instant nearest to `now`, which is the only reading that serial arithmetic makes well defined.

const MOD = 2 ** 32;
const HALF = 2 ** 31;

/** The instant a 32-bit RRSIG time stands for, taken within ±68 years of `now`. */
export function rrsigInstant(value: number, now: Date): Date {
  const nowS = Math.floor(now.getTime() / 1000);
  let delta = (((value >>> 0) - (nowS % MOD)) % MOD + MOD) % MOD;
  if (delta >= HALF) delta -= MOD;
  return new Date((nowS + delta) * 1000);
}

export type WindowStatus = 'current' | 'expired' | 'not-yet-valid';

export interface SignatureWindow {
  status: WindowStatus;
  inception: Date;
  expiration: Date;
  /** Seconds until expiration (negative once expired). */
  secondsLeft: number;
}

export function signatureWindow(inception: number, expiration: number, now: Date): SignatureWindow {
  const from = rrsigInstant(inception, now);
  const until = rrsigInstant(expiration, now);
  // Whole seconds, as on the wire: valid from the inception second through the expiration second.
  const t = Math.floor(now.getTime() / 1000) * 1000;
  const status: WindowStatus = t < from.getTime() ? 'not-yet-valid' : t > until.getTime() ? 'expired' : 'current';
  return { status, inception: from, expiration: until, secondsLeft: (until.getTime() - t) / 1000 };
}
