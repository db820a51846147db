// The key pool: keys generated ahead of need for a (policy, role, algorithm, size, repository)
// slot, then allocated to zones. Generation happens outside any transaction (it may be slow);
// new keys are recorded in fenced transactions of up to RECORD_BATCH keys. A crash between the
// keystore write and that record leaves orphans in the keystore that the database never hands out.

import { encodeDnskeyRdata, dnskeyFor } from '../dnssec/dnskey.js';
import { keyTag } from '../dnssec/key-tag.js';
import type { KeyPolicy, KeyRole, Policy } from '../policy/policy.js';
import { audit } from '../store/audit.js';
import type { Db } from '../store/db.js';
import { countPool, insertHsmKey, type PoolSlot } from '../store/keys.js';
import { fenced, type Fence } from '../store/lease.js';
import type { Keystores } from './keystores.js';
import { KeystoreError, type GeneratedKey, type Keystore } from './keystore.js';
import { failpoint } from '../util/failpoint.js';
import { EnforcerError, EXIT } from '../util/exit-codes.js';

/** Keys generated at once; enough to keep two cores busy with RSA and fsyncs. */
const GENERATION_CONCURRENCY = 4;
/** Keys recorded per fenced transaction. */
const RECORD_BATCH = 64;

/**
 * Generate n keys, a few at a time: RSA generation and the keystore's fsyncs run on libuv's
 * thread pool, so both cores work. If one fails, the ones already made are orphans in the
 * keystore (reported by `key list --orphans`, never used) and the error propagates.
 */
async function generateSome(ks: Keystore, slot: PoolSlot, n: number): Promise<GeneratedKey[]> {
  const out: GeneratedKey[] = [];
  let started = 0;
  const worker = async () => {
    while (started < n) {
      started++;
      out.push(await ks.generate(slot.algorithm, slot.bits));
    }
  };
  await Promise.all(Array.from({ length: Math.min(GENERATION_CONCURRENCY, n) }, worker));
  return out;
}

export function flagsFor(role: KeyRole): 256 | 257 {
  return role === 'ZSK' ? 256 : 257;
}

export function tagOf(role: KeyRole, algorithm: number, publicKey: Uint8Array): number {
  return keyTag(encodeDnskeyRdata(dnskeyFor(flagsFor(role), algorithm as never, publicKey)));
}

export function slotOf(policy: Policy, k: KeyPolicy): PoolSlot {
  return { policy: policy.name, role: k.role, algorithm: k.algorithm, bits: k.length, repository: k.repository };
}

export function slotKey(s: PoolSlot): string {
  return `${s.policy}/${s.role}/${s.algorithm}/${s.bits}/${s.repository}`;
}

/** Called after each key; may be async (e.g. to renew the lease during long generation). */
export type PoolProgress = (done: number, total: number) => void | Promise<void>;

/**
 * Opens the keystores of these slots and asks each whether it can make their keys, so that a wrong
 * PIN, a missing module or a token without the mechanism stops a command before it takes the lease
 * or writes anything.
 */
export async function checkSlots(keystores: Keystores, slots: readonly PoolSlot[]): Promise<void> {
  for (const s of slots) {
    const ks = await keystores.get(s.repository);
    try {
      await ks.checkAlgorithm?.(s.algorithm, s.bits);
    } catch (e) {
      throw e instanceof KeystoreError ? new EnforcerError(e.message, EXIT.BAD_INPUT) : e;
    }
  }
}

/** Make sure at least `needed` unused keys exist for the slot; returns how many were generated. */
export async function ensurePool(
  db: Db,
  fence: Fence,
  keystores: Keystores,
  slot: PoolSlot,
  needed: number,
  actor: string,
  progress?: PoolProgress,
): Promise<number> {
  const have = await countPool(db, slot);
  const missing = Math.max(0, needed - have);
  if (missing === 0) return 0;
  const ks = await keystores.get(slot.repository);
  let done = 0;
  while (done < missing) {
    const batch = await generateSome(ks, slot, Math.min(RECORD_BATCH, missing - done));
    await failpoint('after-keygen');
    // One fenced transaction records a batch: the commit, not the insert, is what costs.
    await fenced(db, fence, async (tx) => {
      for (const key of batch) {
        await insertHsmKey(tx, { ...slot, locator: key.locator, publicKey: key.publicKey, bits: key.bits });
      }
      await audit(tx, fence, { actor, event: 'keys generated', detail: { ...slot, count: batch.length, locators: batch.map((k) => k.locator) } });
    });
    done += batch.length;
    await progress?.(done, missing);
  }
  return missing;
}
