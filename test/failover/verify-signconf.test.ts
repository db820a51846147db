// Drill step 4's judgement of one zone (verifyZone), for records another node wrote (no file is read):
// a change the next run will make is a note as long as the record is what the stored state renders to;
// otherwise, due or not, the zone differs.

import { describe, expect, it } from 'vitest';
import type { SignconfRecord } from '../../src/store/signconf-records.js';
import type { RenderedZone } from '../../src/failover/render-zones.js';
import { verifyZone } from '../../src/failover/verify-signconf.js';

const record = (contentHash: string): SignconfRecord => ({
  zone: 'example.com', path: '/var/lib/signconf/example.com.xml', contentHash, writtenEpoch: 3, writtenBy: 'ns-a', writtenAt: new Date(0),
});
const rendered = (o: Partial<RenderedZone>): RenderedZone => ({
  zone: 'example.com', realPath: '/var/lib/signconf/example.com.xml', scratchPath: '/tmp/x/example.com.xml',
  hash: 'stored', storedHash: 'stored', due: [], unrepeatable: [], ...o,
});
const ROLL = "a transition is due (publish): the active node's next run (or a failover's) will make it";
const POOL = "new keys are due from the pool: the active node's next run (or a failover's) will allocate them";

describe('verifyZone', () => {
  it('passes a zone rendered as recorded with nothing due', async () => {
    expect(await verifyZone(rendered({}), record('stored'), 'ns-b')).toEqual({ problems: [], notes: [] });
  });

  it('notes a change due when the record is what the stored state renders to', async () => {
    expect(await verifyZone(rendered({ hash: 'next', due: [ROLL] }), record('stored'), 'ns-b')).toEqual({ problems: [], notes: [{ zone: 'example.com', reason: ROLL }] });
    expect(await verifyZone(rendered({ unrepeatable: [POOL] }), record('stored'), 'ns-b')).toEqual({ problems: [], notes: [{ zone: 'example.com', reason: POOL }] });
  });

  it('says the zone differs when the record is not what the stored state renders to, due or not', async () => {
    const due = await verifyZone(rendered({ hash: 'next', storedHash: 'stored', due: [ROLL] }), record('other'), 'ns-b');
    expect(due.notes).toEqual([{ zone: 'example.com', reason: ROLL }]);
    expect(due.problems).toEqual([{ zone: 'example.com', reason: expect.stringMatching(/^the recorded signconf is not what the zone's stored state renders to/) }]);
    const idle = await verifyZone(rendered({}), record('other'), 'ns-b');
    expect(idle).toEqual({ problems: [{ zone: 'example.com', reason: expect.stringMatching(/^rendered signconf differs from the recorded one with nothing due/) }], notes: [] });
  });

  it('says so when nothing is recorded', async () => {
    expect((await verifyZone(rendered({}), null, 'ns-b')).problems).toEqual([{ zone: 'example.com', reason: 'no signconf recorded for the zone: the active node has not written one yet' }]);
  });
});
