// Policies as imported from kasp.xml, stored whole as JSON so the parser stays the single
// definition of what a policy means.

import type { Policy } from '../policy/policy.js';
import { canonicalJson } from '../util/canonical-json.js';
import { EnforcerError, EXIT } from '../util/exit-codes.js';
import type { Queryable } from './db.js';

export async function listPolicies(q: Queryable): Promise<Policy[]> {
  const rows = await q.query<{ definition: Policy }>('SELECT definition FROM policy ORDER BY name');
  return rows.map((r) => r.definition);
}

export async function getPolicy(q: Queryable, name: string): Promise<Policy | null> {
  const rows = await q.query<{ definition: Policy }>('SELECT definition FROM policy WHERE name = $1', [name]);
  return rows[0]?.definition ?? null;
}

export interface ImportCounts {
  added: string[];
  updated: string[];
  unchanged: string[];
  removed: string[];
}

/** Insert or update every policy; with removeMissing, delete the others (refused while zones use them). */
export async function importPolicies(tx: Queryable, policies: Policy[], removeMissing: boolean): Promise<ImportCounts> {
  const existing = new Map((await listPolicies(tx)).map((p) => [p.name, p]));
  const out: ImportCounts = { added: [], updated: [], unchanged: [], removed: [] };
  for (const p of policies) {
    const old = existing.get(p.name);
    if (!old) {
      await tx.query('INSERT INTO policy (name, definition) VALUES ($1, $2)', [p.name, JSON.stringify(p)]);
      out.added.push(p.name);
    } else if (canonicalJson(old) !== canonicalJson(p)) {
      await tx.query('UPDATE policy SET definition = $2, imported_at = now() WHERE name = $1', [p.name, JSON.stringify(p)]);
      // A changed policy applies at once (as in OpenDNSSEC): every zone of it is due at the next run.
      await tx.query('UPDATE zone SET next_run_at = NULL WHERE policy = $1', [p.name]);
      out.updated.push(p.name);
    } else {
      out.unchanged.push(p.name);
    }
  }
  if (removeMissing) {
    const keep = new Set(policies.map((p) => p.name));
    for (const name of existing.keys()) {
      if (keep.has(name)) continue;
      const users = await tx.query<{ name: string }>('SELECT name FROM zone WHERE policy = $1 ORDER BY name LIMIT 3', [name]);
      if (users.length > 0) {
        throw new EnforcerError(
          `policy ${name} is not in the file but zones still use it (${users.map((u) => u.name).join(', ')}…); ` +
            `move those zones to another policy first`,
          EXIT.BAD_INPUT,
        );
      }
      await tx.query('DELETE FROM policy WHERE name = $1', [name]);
      out.removed.push(name);
    }
  }
  return out;
}
