import { describe, expect, it } from 'vitest';
import { expectNeverBogus, expectStates } from './helpers/driver.js';
import { basePolicy, keyPolicy, DAY } from './helpers/policies.js';
import { BASE, MS_D, signedZone } from './helpers/zone.js';

describe('manual rollover', () => {
  it('<ManualRollover/> never rolls by itself; a roll request starts the roll at once and is cleared', () => {
    const p = basePolicy({}, [keyPolicy('KSK', { lifetime: 1000 * DAY }), keyPolicy('ZSK', { lifetime: 30 * DAY, manualRollover: true })]);
    const d = signedZone(p);
    const zsk = d.keys('ZSK')[0]!.id;
    // A year on, the 30-day ZSK is still the only one.
    d.runUntil(d.now + 365 * MS_D);
    expect(d.keys('ZSK').map((k) => k.id)).toEqual([zsk]);
    expect(d.last.waits.find((w) => w.kind === 'manual')!.message).toContain('<ManualRollover/>, rolls only on request');

    const T = d.now + 3 * MS_D;
    d.request('ZSK', T);
    const roll = d.actions.filter((a) => a.at === T).map((a) => a.action.type);
    expect(roll).toContain('create-key');
    expect(roll).toContain('clear-roll-request');
    expect(d.state.rollRequested.ZSK).toBeUndefined();
    const neu = d.keys('ZSK').find((k) => k.id !== zsk)!.id;
    expect(d.key(zsk).goal).toBe('hidden');
    expectStates(d.key(neu), '- R - H');
    d.next();
    expect(d.now).toBe(T + BASE.publish);
    expectStates(d.key(neu), '- O - R');
    // One request, one roll.
    d.runUntil(T + 60 * MS_D);
    expect(d.keys('ZSK').map((k) => k.id)).toEqual([neu]);
    expectNeverBogus(d);
  });

  it('a roll request also rolls a key whose lifetime is not over', () => {
    const d = signedZone(basePolicy());
    const ksk = d.keys('KSK')[0]!.id;
    d.request('KSK', d.now + MS_D);
    expect(d.key(ksk).goal).toBe('hidden');
    expect(d.keys('KSK')).toHaveLength(2);
    expect(d.keys('ZSK')).toHaveLength(1);
  });
});
