// Shared set-up for scenario tests: time units in ms, the base policy's formula terms, and a zone
// signed from scratch with a prompt operator, ready for a roll.

import type { Policy } from '../../../src/policy/policy.js';
import { Driver } from './driver.js';

export const T0 = Date.UTC(2025, 0, 1);
export const MS_H = 3_600_000;
export const MS_D = 24 * MS_H;

/** The formula terms of basePolicy(), in ms (see policies.ts). */
export const BASE = {
  /** DNSKEY TTL 1 h + propagation 5 h + publish safety 3 h. */
  publish: 9 * MS_H,
  /** DNSKEY TTL 1 h + propagation 5 h + retire safety 2 h. */
  retire: 8 * MS_H,
  /** Zone data TTL (MaxZoneTTL 1 d) + propagation 5 h. */
  sig: 29 * MS_H,
  /** Signature replacement: validity 14 d + jitter 12 h + resign 2 h - refresh 3 d. */
  replace: 278 * MS_H,
  /** DS TTL 2 h + registration delay 4 h + parent propagation 6 h. */
  ds: 12 * MS_H,
  /** Purge 14 d. */
  purge: 14 * MS_D,
};

export const allActive = (d: Driver) =>
  d.state.keys.every((k) => k.goal === 'hidden' || Object.values(k.states).every((s) => s === 'omnipresent' || s === 'na'));

/** A zone signed from T0 with an operator who says ds-seen as soon as asked; returns once every key is active. */
export function signedZone(policy: Policy, start = T0): Driver {
  const d = new Driver(policy, start);
  d.step();
  for (let i = 0; i < 50; i++) {
    for (const k of d.state.keys) if (k.dsAtParent === 'submit') d.seen(k.id);
    if (allActive(d) && d.state.keys.length > 0) return d;
    d.next();
  }
  throw new Error('zone never became signed');
}

/** Run with an operator who answers every DS request at once, until every key is active or dead. */
export function settle(d: Driver, maxSteps = 200): void {
  const done = () =>
    d.state.keys.every((k) =>
      k.goal === 'hidden'
        ? Object.values(k.states).every((s) => s === 'hidden' || s === 'na')
        : Object.values(k.states).every((s) => s === 'omnipresent' || s === 'na'),
    );
  for (let i = 0; i < maxSteps; i++) {
    for (const k of d.state.keys) {
      if (k.dsAtParent === 'submit') d.seen(k.id);
      else if (k.dsAtParent === 'retract') d.gone(k.id);
    }
    if (done()) return;
    d.next();
  }
  throw new Error('zone did not settle');
}
