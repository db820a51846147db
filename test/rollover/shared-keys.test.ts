import { describe, expect, it } from 'vitest';
import type { NewKeyIdentity } from '../../src/rollover/apply.js';
import { sequentialIdentity } from '../../src/rollover/plan.js';
import { Driver, expectNeverBogus, expectStates } from './helpers/driver.js';
import { basePolicy } from './helpers/policies.js';
import { MS_D, T0, allActive } from './helpers/zone.js';

function signUp(d: Driver): void {
  d.step();
  for (let i = 0; i < 50 && !(allActive(d) && d.state.keys.length > 0); i++) {
    for (const k of d.state.keys) if (k.dsAtParent === 'submit') d.seen(k.id);
    d.next();
  }
}

describe('<ShareKeys/>: one key used by two zones', () => {
  it('each zone keeps its own record states for the shared key; a roll in one zone does not touch the other', () => {
    const p = basePolicy({ keys: { ...basePolicy().keys, shareKeys: true } });
    const a = new Driver(p, T0);
    signUp(a);
    const shared = a.keys('KSK')[0]!;

    // The caller allocates zone B's KSK from zone A's (allocation is the caller's business).
    const own = sequentialIdentity();
    const identityB: NewKeyIdentity = (action, n) => (action.role === 'KSK' ? { id: shared.id, keyTag: shared.keyTag } : { ...own(action, n), id: `b-${n}` });
    const b = new Driver(p, T0 + 5 * MS_D, { identity: identityB });
    signUp(b);
    expect(b.keys('KSK')[0]!.id).toBe(shared.id);
    expectStates(b.key(shared.id), 'O O O -');
    expect(b.key(shared.id).introducedAt).toBe(T0 + 5 * MS_D);

    // Zone A rolls its KSK; zone B is not involved.
    a.request('KSK', T0 + 20 * MS_D);
    for (let i = 0; i < 40 && a.state.keys.some((k) => k.id === shared.id && k.goal === 'hidden' && k.states.dnskey !== 'hidden'); i++) {
      for (const k of a.state.keys) {
        if (k.dsAtParent === 'submit') a.seen(k.id);
        if (k.dsAtParent === 'retract') a.gone(k.id);
      }
      a.next();
    }
    expectStates(a.key(shared.id), 'H H H -');
    b.runUntil(a.now);
    expectStates(b.key(shared.id), 'O O O -');
    expect(b.key(shared.id).dsAtParent).toBe('seen');
    expectNeverBogus(a);
    expectNeverBogus(b);
  });
});
