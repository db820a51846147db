// Start a KSK roll of the given type on a signed zone (KSK lifetime 100 days, ZSK never rolls).

import type { KeyPolicy } from '../../../src/policy/policy.js';
import { expect } from 'vitest';
import { basePolicy, keyPolicy, DAY } from './policies.js';
import { MS_D, signedZone } from './zone.js';

export function kskRoll(rollType: KeyPolicy['rollType'], role: 'KSK' | 'CSK' = 'KSK') {
  const keys = role === 'CSK' ? [keyPolicy('CSK', { rollType, lifetime: 100 * DAY })] : [keyPolicy('KSK', { rollType, lifetime: 100 * DAY }), keyPolicy('ZSK', { lifetime: 1000 * DAY })];
  const d = signedZone(basePolicy({}, keys));
  const old = d.keys(role)[0]!;
  const T = old.introducedAt + 100 * MS_D;
  d.runUntil(T - 1);
  expect(d.last.nextRunAt).toBe(T);
  d.next();
  const neu = d.keys(role).find((k) => k.id !== old.id)!;
  expect(d.key(old.id).goal).toBe('hidden');
  return { d, old: old.id, neu: neu.id, T };
}
