// Small named values in the meta table. Writes are fenced like every state table (the caller
// passes a fenced transaction), so only the process holding the lease can change them.

import type { Queryable } from './db.js';

export async function getMeta(q: Queryable, key: string): Promise<string | null> {
  const rows = await q.query<{ value: string }>('SELECT value FROM meta WHERE key = $1', [key]);
  return rows[0]?.value ?? null;
}

export async function setMeta(tx: Queryable, key: string, value: string): Promise<void> {
  await tx.query('INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value', [key, value]);
}

export async function deleteMeta(tx: Queryable, key: string): Promise<void> {
  await tx.query('DELETE FROM meta WHERE key = $1', [key]);
}
