// Closed loop with the signer, through the whole enforcer and a real PostgreSQL database: a record
// change counts as made only once its signconf is in place and the signer was told
// (signer.notifyCommand). A signer that is not told — notify failing, the rename failing after the
// commit — holds every record of the zone where it was, and `check signconf` names the zone; once
// the signer is told again, every cache wait counts from that moment and the roll completes.

import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { thresholdsFor } from '../../src/checks/check.js';
import { signconfCheck } from '../../src/checks/signconf.js';
import type { CheckResult } from '../../src/checks/types.js';
import { getSignconfRecord } from '../../src/store/signconf-records.js';
import type { ZoneKeyRow } from '../../src/store/keys.js';
import { DAY, HOUR, Walk, type KaspTerms } from './helpers/walk.js';

const T0 = Date.parse('2027-01-01T00:00:00Z');
const TERMS: KaspTerms = { dnskeyTtl: 'PT1H', zskLifetime: 'P30D', kskLifetime: 'P90D', maxZoneTtl: 'PT1H', dsTtl: 'PT1H' };
/** DNSKEY TTL + zone propagation delay + publish safety, with TERMS. */
const DNSKEY_WAIT = 3 * HOUR;

/** A notify command that fails while the file `down` exists, and logs each zone it was told about. */
function signerConfig(dir: string): string[] {
  const q = (p: string) => `'${path.join(dir, p)}'`;
  return [
    'signer:',
    `  notifyCommand: "test ! -e ${q('down')} && test -f {signconf} && echo {zone} >> ${q('notified.log')}"`,
    `  notifyAllCommand: "test ! -e ${q('down')} && echo all >> ${q('notified.log')}"`,
    '  notifyAllThreshold: 2',
  ];
}

async function checkSignconf(walk: Walk): Promise<CheckResult> {
  return signconfCheck.run({
    config: walk.config, db: walk.db, now: () => walk.clock.now(), thresholds: thresholdsFor(signconfCheck),
    zones: null, databaseOnly: false, ignoreNodes: [],
  });
}

const zsks = async (walk: Walk): Promise<ZoneKeyRow[]> => (await walk.keys()).filter((k) => k.role === 'ZSK').sort((a, b) => a.id - b.id);

describe('the signer is told, and a change counts from its publication', () => {
  let walk: Walk | null = null;
  afterEach(async () => {
    await walk?.close();
    walk = null;
  });

  it('tells the signer about each zone whose signconf changed, after the file is in place, and only then', async () => {
    walk = await Walk.start(TERMS, T0, { config: signerConfig });
    const s = await walk.run();
    expect(s.signconfWritten).toBe(1);
    expect(s.signconfPublished).toBe(1);
    expect(readFileSync(path.join(walk.dir, 'notified.log'), 'utf8')).toBe('example.com\n');
    const record = (await getSignconfRecord(walk.db, 'example.com'))!;
    expect(record.publishedAt!.getTime()).toBe(T0);
    expect((await walk.keys()).every((k) => k.unpublished.length === 0)).toBe(true);
    // A run that changes nothing tells the signer nothing.
    walk.clock.set(T0 + HOUR);
    expect((await walk.run()).signconfPublished).toBe(0);
    expect(readFileSync(path.join(walk.dir, 'notified.log'), 'utf8')).toBe('example.com\n');
  }, 60_000);

  it('runs notifyAllCommand once when more zones changed than notifyAllThreshold', async () => {
    walk = await Walk.start(TERMS, T0, { config: signerConfig, zones: ['example.com', 'example.net', 'example.org'] });
    const s = await walk.run();
    expect(s.signconfPublished).toBe(3);
    expect(readFileSync(path.join(walk.dir, 'notified.log'), 'utf8')).toBe('all\n');
  }, 60_000);

  it('a signer down for 3 days in the middle of a ZSK roll: nothing of the zone ages, check signconf names it, the roll resumes', async () => {
    walk = await Walk.start(TERMS, T0, { config: signerConfig });
    await walk.runUntil(T0 + 30 * DAY - HOUR);
    const [old] = await zsks(walk);
    expect(old!.states).toMatchObject({ dnskey: 'omnipresent', rrsig: 'omnipresent' });

    // The signer stops taking notifications just before the new ZSK is introduced.
    writeFileSync(path.join(walk.dir, 'down'), '');
    const downFrom = T0 + 30 * DAY;
    const statuses: string[] = [];
    for (let t = downFrom; t < downFrom + 3 * DAY; t += HOUR) {
      walk.clock.set(t);
      const s = await walk.runReportingErrors();
      if (s.signconfWritten > 0) expect(s.errors.map((e) => e.zone)).toEqual(['example.com']);
      const [o, n] = await zsks(walk);
      // The old ZSK keeps signing, the new one's DNSKEY is decided but not published: it does not age.
      expect(o!.states).toMatchObject({ dnskey: 'omnipresent', rrsig: 'omnipresent' });
      expect(n!.states).toMatchObject({ dnskey: 'rumoured', rrsig: 'hidden' });
      expect(n!.unpublished).toEqual(['dnskey']);
      // A zone waiting for its publication stays due: every run retries.
      expect(await walk.nextRunAt()).toBeLessThanOrEqual(t);
      statuses.push((await checkSignconf(walk)).status);
    }
    // WARNING from the first failure, CRITICAL once it waited signer.pendingCritical (2 h).
    expect(statuses.slice(0, 2)).toEqual(['WARNING', 'WARNING']);
    expect(statuses.at(-1)).toBe('CRITICAL');
    const check = await checkSignconf(walk);
    expect(check.summary).toContain('example.com unpublished');
    expect(check.findings[0]!.message).toMatch(/not published for 2 d \(since 2027-01-31T00:00:00.000Z\): 72 failed attempts, last: the signer was not told: test ! -e .*exited with code 1; the zone's key changes wait/);
    const record = (await getSignconfRecord(walk.db, 'example.com'))!;
    expect(record.publishedAt).toBeNull();
    expect(record.publishFailures).toBe(72);

    // The signer is back: the change counts from the run that told it.
    rmSync(path.join(walk.dir, 'down'));
    const back = downFrom + 3 * DAY;
    walk.clock.set(back);
    await walk.run();
    expect((await getSignconfRecord(walk.db, 'example.com'))!.publishedAt!.getTime()).toBe(back);
    const [, introduced] = await zsks(walk);
    expect(introduced!.changedAt.dnskey!.getTime()).toBe(back);
    expect(introduced!.unpublished).toEqual([]);
    expect((await checkSignconf(walk)).status).toBe('OK');

    let signsFrom: number | null = null;
    await walk.runUntil(back + 30 * DAY, async () => {
      const n = (await zsks(walk!)).find((k) => k.id === introduced!.id)!;
      if (signsFrom === null && n.states.rrsig !== 'hidden') signsFrom = walk!.now();
    });
    if (signsFrom === null) throw new Error('the new ZSK never signed');
    expect(signsFrom).toBeGreaterThanOrEqual(back + DNSKEY_WAIT);
    expect(signsFrom).toBeLessThan(back + DNSKEY_WAIT + HOUR);
    // The roll completed: the old ZSK is gone (purged 14 days after it died).
    expect((await zsks(walk)).map((k) => k.id)).not.toContain(old!.id);
  }, 180_000);

  it('a rename that fails after the commit, several runs in a row: the records do not age, the failures are counted', async () => {
    walk = await Walk.start(TERMS, T0, { config: signerConfig });
    await walk.runUntil(T0 + 30 * DAY - HOUR);
    const file = (await getSignconfRecord(walk.db, 'example.com'))!.path;
    // Something occupies the signconf's path: renaming the new file over it fails (EISDIR).
    rmSync(file);
    mkdirSync(path.join(file, 'occupied'), { recursive: true });
    for (let i = 0; i < 4; i++) {
      walk.clock.set(T0 + 30 * DAY + i * HOUR);
      const s = await walk.runReportingErrors();
      expect(s.errors).toHaveLength(1);
      expect(s.errors[0]!.message).toMatch(/EISDIR|directory/i);
      const [, n] = await zsks(walk);
      expect(n!.states.dnskey).toBe('rumoured');
      expect(n!.unpublished).toEqual(['dnskey']);
    }
    const record = (await getSignconfRecord(walk.db, 'example.com'))!;
    expect(record.publishFailures).toBe(4);
    expect(record.publishError).toMatch(/^the signconf was not put in place: /);
    // Nothing was notified while the file was not in place, and no temp file is left behind.
    expect(readFileSync(path.join(walk.dir, 'notified.log'), 'utf8').trim().split('\n')).toHaveLength(1);
    expect(readdirSync(path.dirname(file)).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    rmSync(file, { recursive: true });
    const fixed = T0 + 30 * DAY + 4 * HOUR;
    walk.clock.set(fixed);
    await walk.run();
    const [, n] = await zsks(walk);
    expect(n!.changedAt.dnskey!.getTime()).toBe(fixed);
    expect(n!.unpublished).toEqual([]);
  }, 180_000);
});
