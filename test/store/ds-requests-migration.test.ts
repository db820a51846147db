// Migration 005 on a database written by the previous version (PGlite and PostgreSQL): DS requests
// already waiting become request 1, their command pending unless a retract command already
// succeeded; a failure recorded before counts as the first attempt; answered keys have no request.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src/store/db.js';
import { pendingDsRequests } from '../../src/store/ds-requests.js';
import { loadMigrations, migrate } from '../../src/store/migrate.js';
import { DB_KINDS, createTestDatabase, type TestDatabase } from '../helpers/databases.js';

const FAILED_AT = new Date('2027-01-03T00:00:00Z');

describe.each(DB_KINDS)('migration 005 (DS command requests) on %s', (kind) => {
  let tdb: TestDatabase;
  let db: Db;

  beforeEach(async () => {
    tdb = await createTestDatabase(kind);
    db = await tdb.open();
  });
  afterEach(async () => {
    await db.close();
    await tdb.drop();
  });

  it('carries the keys waiting on the parent over as pending requests, except a retract already passed on', async () => {
    await migrate(db, loadMigrations().slice(0, 4));
    const keys: Array<[string, string | null]> = [
      ['retract', 'ds-retract command: ok'],
      ['submit', 'ds-submit command: exited with code 1'],
      ['seen', 'ds-submit command: ok'],
      ['submit', null],
    ];
    await db.transaction(async (tx) => {
      await tx.query(`SELECT set_config('enforcer.epoch', '0', true)`);
      await tx.query(`INSERT INTO policy (name, definition) VALUES ('p', '{}')`);
      await tx.query(`INSERT INTO zone (name, policy) VALUES ('example.com', 'p')`);
      for (const [i, [ds, status]] of keys.entries()) {
        const [hsm] = await tx.query<{ id: number }>(
          `INSERT INTO hsm_key (locator, repository, policy, role, algorithm, bits, public_key, status)
           VALUES ($1, 'r', 'p', 'KSK', 13, 256, '\\x00', 'allocated') RETURNING id`,
          [String(i + 1).padStart(32, '0')],
        );
        await tx.query(
          `INSERT INTO zone_key (zone, hsm_key_id, role, flags, key_tag, goal, ds_state, dnskey_state, rrsigdnskey_state, rrsig_state,
             ds_at_parent, introduced_at, ds_hook_status, ds_hook_at)
           VALUES ('example.com', $1, 'KSK', 257, $2, 'omnipresent', 'rumoured', 'omnipresent', 'omnipresent', 'na', $3, now(), $4, $5)`,
          [hsm!.id, 100 + i, ds, status, status ? FAILED_AT : null],
        );
      }
    });
    expect(await migrate(db, loadMigrations().slice(0, 5))).toEqual([5]);
    const rows = await db.query<Record<string, unknown>>(
      `SELECT key_tag, ds_request, ds_command_done, ds_command_attempts, ds_command_failing_since FROM zone_key ORDER BY key_tag`,
    );
    expect(rows.map((r) => [r.key_tag, r.ds_request, r.ds_command_done, r.ds_command_attempts, r.ds_command_failing_since])).toEqual([
      [100, 1, 1, 1, null],
      [101, 1, 0, 1, FAILED_AT],
      [102, 0, 0, 0, null],
      [103, 1, 0, 0, null],
    ]);
    expect((await pendingDsRequests(db)).map((p) => [p.keyTag, p.action, p.request, p.attempts])).toEqual([
      [101, 'ds-submit', 1, 1],
      [103, 'ds-submit', 1, 0],
    ]);
  });
});
