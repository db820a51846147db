// Reads a FaultSnapshot (test/faults/snapshot.ts) from a real database and the nodes' signconf
// directories and keystores.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Policy } from '../../src/policy/policy.js';
import { openPostgres } from '../../src/store/pg-db.js';
import type { FaultSnapshot, PolicyFacts } from '../faults/snapshot.js';

export interface NodeDirs {
  signconf: string;
  keys: string;
}

function list(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

function policyFacts(p: Policy): PolicyFacts {
  const roles: Record<string, number> = {};
  for (const k of p.keys.list) roles[k.role] = (roles[k.role] ?? 0) + 1;
  return {
    name: p.name,
    shareKeys: p.keys.shareKeys,
    roles,
    minWait: { dnskey: p.keys.ttl + p.zone.propagationDelay, rrsig: p.zone.propagationDelay },
  };
}

export async function readSnapshot(url: string, nodes: Record<string, NodeDirs>): Promise<FaultSnapshot> {
  const db = await openPostgres(url);
  try {
    const q = <T>(sql: string) => db.query<T>(sql);
    const s: FaultSnapshot = {
      leaseHistory: (await q<Record<string, unknown>>('SELECT * FROM fault_lease_history ORDER BY id')).map((r) => ({
        id: r.id as number, at: r.at as Date, epoch: r.epoch as number, activeNode: r.active_node as string | null, holderNode: r.holder_node as string | null,
      })),
      audit: (await q<Record<string, unknown>>('SELECT * FROM audit_log ORDER BY id')).map((r) => ({
        id: r.id as number, at: r.at as Date, node: r.node as string, zone: r.zone as string | null, keyLocator: r.key_locator as string | null,
        event: r.event as string, detail: r.detail as Record<string, unknown>, epoch: r.epoch as number,
      })),
      // By the database clock (test/helpers/lease-history.ts), as the audit log is: a run's own
      // stamps follow its clock, which a scenario may move.
      runs: (await q<Record<string, unknown>>(
        `SELECT r.id, r.node, r.epoch, r.outcome, r.summary, c.started_at, c.finished_at
           FROM run_log r JOIN fault_run_clock c ON c.run_id = r.id ORDER BY r.id`,
      )).map((r) => ({
        id: r.id as number, node: r.node as string, epoch: r.epoch as number, startedAt: r.started_at as Date,
        finishedAt: r.finished_at as Date | null, outcome: r.outcome as string,
        abandoned: r.outcome === 'abandoned' ? ((r.summary as { abandoned: { runEpoch: number; noticedBy: string } }).abandoned) : null,
      })),
      hsmKeys: await q('SELECT locator, policy, role, status FROM hsm_key ORDER BY id'),
      zoneKeys: (await q<Record<string, unknown>>(
        `SELECT z.*, h.locator FROM zone_key z JOIN hsm_key h ON h.id = z.hsm_key_id ORDER BY z.id`,
      )).map((r) => ({
        id: r.id as number, zone: r.zone as string, locator: r.locator as string, role: r.role as string, goal: r.goal as string,
        states: { ds: r.ds_state as string, dnskey: r.dnskey_state as string, rrsigdnskey: r.rrsigdnskey_state as string, rrsig: r.rrsig_state as string },
        dsAtParent: r.ds_at_parent as string, keyTag: r.key_tag as number,
      })),
      signconfRecords: (await q<Record<string, unknown>>('SELECT * FROM signconf_record ORDER BY zone')).map((r) => ({
        zone: r.zone as string, path: r.path as string, contentHash: r.content_hash as string, writtenEpoch: r.written_epoch as number, writtenBy: r.written_by as string,
      })),
      zonePolicies: Object.fromEntries((await q<{ name: string; policy: string }>('SELECT name, policy FROM zone')).map((z) => [z.name, z.policy])),
      policies: (await q<{ definition: Policy }>('SELECT definition FROM policy')).map((p) => policyFacts(p.definition)),
      files: [],
      tempFiles: [],
      keystores: {},
    };
    for (const [node, dirs] of Object.entries(nodes)) {
      for (const name of list(dirs.signconf)) {
        const p = path.join(dirs.signconf, name);
        if (name.startsWith('.')) s.tempFiles.push(`${node}:${name}`);
        else s.files.push({ node, name, path: p, text: readFileSync(p, 'utf8'), ctimeMs: statSync(p).ctimeMs });
      }
      s.keystores[node] = list(dirs.keys).flatMap((f) => /^([0-9a-f]{32})\.pem$/.exec(f)?.[1] ?? []);
    }
    return s;
  } finally {
    await db.close();
  }
}
