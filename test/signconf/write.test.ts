// Fenced signconf writes on a real PostgreSQL: a writer that lost the lease leaves no file, no
// temp file and no record; a current writer leaves the file and the matching record.

import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readStamp } from '../../src/signconf/metadata.js';
import { fileMatches, writeSignconf } from '../../src/signconf/write.js';
import type { Db } from '../../src/store/db.js';
import { acquireLease, fenced, releaseLease, LeaseLostError, type Fence } from '../../src/store/lease.js';
import { migrate } from '../../src/store/migrate.js';
import { importPolicies } from '../../src/store/policies.js';
import { getSignconfRecord } from '../../src/store/signconf-records.js';
import { addZone } from '../../src/store/zones.js';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { samplePolicy } from '../helpers/sample-policy.js';

async function active(db: Db, node: string): Promise<Fence> {
  const a = await acquireLease(db, node, 30);
  if (a.role !== 'active') throw new Error('expected to become active');
  return a.fence;
}

describe('writeSignconf', () => {
  let tdb: TestDatabase;
  let db: Db;
  let dir: string;
  beforeEach(async () => {
    tdb = await createTestDatabase('postgres');
    db = await tdb.open();
    await migrate(db);
    dir = mkdtempSync(path.join(os.tmpdir(), 'enforcer-sc-'));
    const f = await active(db, 'ns-a');
    await fenced(db, f, async (tx) => {
      await importPolicies(tx, [samplePolicy('p')], false);
      await addZone(tx, { name: 'example.com', policy: 'p', signconfPath: null, input: null, output: null });
    });
    await releaseLease(db, f);
  });
  afterEach(async () => {
    await db.close();
    await tdb.drop();
  });

  const doc = '<?xml version="1.0" encoding="UTF-8"?>\n<SignerConfiguration/>\n';

  it('writes the stamped file and its record under the current epoch', async () => {
    const fence = await active(db, 'ns-a');
    const target = path.join(dir, 'example.com.xml');
    const { hash } = await writeSignconf(db, fence, { zone: 'example.com', path: target, document: doc, writtenAt: new Date('2026-01-01T00:00:00Z') });
    expect(readdirSync(dir)).toEqual(['example.com.xml']);
    expect(readStamp(readFileSync(target, 'utf8')).stamp).toMatchObject({ epoch: fence.epoch, node: 'ns-a', hash });
    expect(await getSignconfRecord(db, 'example.com')).toMatchObject({ contentHash: hash, writtenEpoch: fence.epoch, writtenBy: 'ns-a', path: target });
    expect(await fileMatches(target, hash)).toBe(true);
  });

  it('leaves nothing behind when the lease moved on', async () => {
    const old = await active(db, 'ns-a');
    await releaseLease(db, old);
    await active(db, 'ns-a'); // a newer process of the same node took over
    const target = path.join(dir, 'example.com.xml');
    const err = await writeSignconf(db, old, { zone: 'example.com', path: target, document: doc, writtenAt: new Date() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LeaseLostError);
    expect(readdirSync(dir)).toEqual([]);
    expect(await getSignconfRecord(db, 'example.com')).toBeNull();
  });

  it('does not put the file in place once the lease time ran out after the commit (a frozen writer waking up)', async () => {
    const fence = await active(db, 'ns-a');
    // The record commits (the database's lease is live); the process's own lease time is up.
    const late: Fence = { ...fence, deadline: () => performance.now() - 60_000 };
    const target = path.join(dir, 'example.com.xml');
    const err = (await writeSignconf(db, late, { zone: 'example.com', path: target, document: doc, writtenAt: new Date() }).catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(/^lease lost: this process's lease \(epoch \d+\) may have expired \d+ ms ago/);
    expect(readdirSync(dir)).toEqual([]);
    // As after a crash between commit and rename: the record is ahead, the next run rewrites the file.
    expect(await getSignconfRecord(db, 'example.com')).toMatchObject({ writtenEpoch: fence.epoch });
  });
});
