// Keeping the database in step with the configured kasp.xml and zonelist.xml: both files are
// parsed and cross-checked completely before anything is written, then applied in one fenced
// transaction, so a bad file changes nothing. A run re-imports them only when their content
// changed since the last import (the hashes are kept in the meta table).

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { InputError } from '../policy/errors.js';
import { parseKasp } from '../policy/kasp.js';
import type { Policy, ZoneEntry } from '../policy/policy.js';
import { audit } from '../store/audit.js';
import type { Db } from '../store/db.js';
import { getMeta, setMeta } from '../store/meta.js';
import { fenced, type Fence } from '../store/lease.js';
import { importPolicies, listPolicies, type ImportCounts } from '../store/policies.js';
import { importZones, type ZoneImportCounts } from '../store/zones.js';
import { checkPolicyReferences, parseZonelist } from '../zones/zonelist.js';
import { pinPublishedTtls } from './published-ttls.js';

export async function readInputFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    throw new InputError({ file }, `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export interface ParsedInputs {
  policies?: { file: string; text: string; policies: Policy[] };
  zones?: { file: string; text: string; zones: ZoneEntry[] };
}

export async function parsePolicyFile(file: string): Promise<NonNullable<ParsedInputs['policies']>> {
  const text = await readInputFile(file);
  return { file, text, policies: parseKasp(text, file) };
}

export async function parseZonelistFile(file: string): Promise<NonNullable<ParsedInputs['zones']>> {
  const text = await readInputFile(file);
  return { file, text, zones: parseZonelist(text, file) };
}

export interface ImportResult {
  policies: ImportCounts | null;
  zones: ZoneImportCounts | null;
}

/** Apply parsed inputs in one fenced transaction; policy references are checked against the result. */
export async function applyInputs(
  db: Db,
  fence: Fence,
  inputs: ParsedInputs,
  opts: { removeMissing: boolean; actor: string; configured: { kasp: string; zonelist: string } },
): Promise<ImportResult> {
  return fenced(db, fence, async (tx) => {
    const result: ImportResult = { policies: null, zones: null };
    // Before a policy changes or a zone changes policy: the TTLs in force are the ones to compare with.
    await pinPublishedTtls(tx);
    if (inputs.policies) {
      result.policies = await importPolicies(tx, inputs.policies.policies, opts.removeMissing);
      // Only the configured file's hash marks "already imported" for the next run's change check.
      if (inputs.policies.file === opts.configured.kasp) await setMeta(tx, 'kasp_sha256', sha256(inputs.policies.text));
    }
    if (inputs.zones) {
      const known = (await listPolicies(tx)).map((p) => p.name);
      checkPolicyReferences(inputs.zones.zones, known, inputs.zones.file);
      result.zones = await importZones(tx, inputs.zones.zones, opts.removeMissing);
      if (inputs.zones.file === opts.configured.zonelist) await setMeta(tx, 'zonelist_sha256', sha256(inputs.zones.text));
    }
    const changed = (c: { added: string[]; updated: string[]; removed: string[] } | null) =>
      c !== null && c.added.length + c.updated.length + c.removed.length > 0;
    if (changed(result.policies) || changed(result.zones)) {
      await audit(tx, fence, { actor: opts.actor, event: 'import', detail: { ...result } });
    }
    return result;
  });
}

/** Re-import the configured files when their content differs from what was last imported. */
export async function syncConfiguredFiles(
  db: Db,
  fence: Fence,
  files: { kasp: string; zonelist: string },
  actor: string,
): Promise<ImportResult> {
  const kasp = await readInputFile(files.kasp);
  const zonelist = await readInputFile(files.zonelist);
  const inputs: ParsedInputs = {};
  if ((await getMeta(db, 'kasp_sha256')) !== sha256(kasp)) {
    inputs.policies = { file: files.kasp, text: kasp, policies: parseKasp(kasp, files.kasp) };
  }
  if ((await getMeta(db, 'zonelist_sha256')) !== sha256(zonelist)) {
    inputs.zones = { file: files.zonelist, text: zonelist, zones: parseZonelist(zonelist, files.zonelist) };
  }
  if (!inputs.policies && !inputs.zones) return { policies: null, zones: null };
  return applyInputs(db, fence, inputs, { removeMissing: false, actor, configured: files });
}
