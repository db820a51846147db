// The verdict for one key from every parent server's answer. Contract: pure. A DS change is
// confirmed only when every server gave a usable answer and every one of them shows it: for ds-seen,
// a served DS whose digest really matches the key (a matching key tag alone is not enough); for
// ds-gone, no served DS that matches the key, and none that might (same tag and algorithm with a
// digest type we cannot compute). Anything less is 'pending' (the parent is not there yet) or, when
// some server gave no usable answer, 'unknown'. No server at all is 'unknown', never confirmed.

import { DNSSEC_PROTOCOL, encodeDnskeyRdata } from '../dnssec/dnskey.js';
import { dsMatches, isDigestType, type Ds } from '../dnssec/ds.js';
import { dsLine } from '../dnssec/presentation.js';
import { fqdn } from '../dnssec/name.js';
import type { ServerAnswer } from './ds-check-ask.js';
import type { DsKey, DsWanted } from './ds-check-waiting.js';

export type Verdict = 'confirmed' | 'pending' | 'unknown';

export interface KeyVerdict {
  verdict: Verdict;
  reason: string;
  /** Per server: whether it serves a DS for the key (null: no usable answer). */
  servers: Array<{ server: string; serves: boolean | null }>;
}

type KeyRef = Pick<DsKey, 'flags' | 'algorithm' | 'publicKey' | 'keyTag'>;

function rdataOf(k: KeyRef): Uint8Array {
  return encodeDnskeyRdata({ flags: k.flags, protocol: DNSSEC_PROTOCOL, algorithm: k.algorithm, publicKey: k.publicKey });
}

/** A served DS we cannot check (unknown digest type) that could belong to the key. */
function mightMatch(d: Ds, k: KeyRef): boolean {
  return !isDigestType(d.digestType) && d.keyTag === k.keyTag && d.algorithm === k.algorithm;
}

export function keyVerdict(zone: string, key: KeyRef, wants: DsWanted, answers: readonly ServerAnswer[]): KeyVerdict {
  const owner = fqdn(zone);
  const rdata = rdataOf(key);
  const servers = answers.map((a) => {
    if (!a.ok) return { server: a.server, serves: null };
    const matches = a.ds.some((d) => dsMatches(d, owner, rdata));
    return { server: a.server, serves: wants === 'ds-seen' ? matches : matches || a.ds.some((d) => mightMatch(d, key)) };
  });
  if (answers.length === 0) return { verdict: 'unknown', reason: 'no parent server to ask', servers };
  const broken = answers.filter((a) => !a.ok);
  const goal = wants === 'ds-seen';
  const lagging = servers.filter((s) => s.serves === !goal).map((s) => s.server);
  if (broken.length === 0 && lagging.length === 0) {
    const n = answers.length;
    return {
      verdict: 'confirmed',
      reason: goal ? `every parent server (${n}) serves a DS for key ${key.keyTag}` : `none of the ${n} parent servers serves a DS for key ${key.keyTag} any more`,
      servers,
    };
  }
  const parts: string[] = [];
  if (broken.length > 0) parts.push(`no usable answer from ${broken.map((a) => `${a.server} (${a.problem!.message})`).join('; ')}`);
  if (lagging.length > 0) parts.push(goal ? `not served by ${lagging.join(', ')}${hints(owner, key, answers, lagging)}` : `still served by ${lagging.join(', ')}`);
  return { verdict: broken.length > 0 ? 'unknown' : 'pending', reason: parts.join('; '), servers };
}

/** Why a server that serves DS records still does not serve ours: the near misses, named. */
function hints(owner: string, key: KeyRef, answers: readonly ServerAnswer[], lagging: string[]): string {
  const out: string[] = [];
  for (const a of answers) {
    if (!lagging.includes(a.server) || a.ds.length === 0) continue;
    const sameTag = a.ds.filter((d) => d.keyTag === key.keyTag && d.algorithm === key.algorithm);
    if (sameTag.length > 0) out.push(`${a.server} serves ${sameTag.map((d) => dsText(owner, d)).join(', ')} with this key's tag but a digest that does not match the key`);
    else out.push(`${a.server} serves only DS records for other keys`);
  }
  return out.length > 0 ? ` (${out.join('; ')})` : '';
}

/** Served DS records that point at none of the zone's keys (a stale or foreign DS at the parent). */
export function foreignDs(zone: string, answer: ServerAnswer, keys: readonly KeyRef[]): Ds[] {
  const owner = fqdn(zone);
  const rdatas = keys.map(rdataOf);
  return answer.ds.filter((d) => !rdatas.some((r) => dsMatches(d, owner, r)) && !keys.some((k) => mightMatch(d, k)));
}

/** `keytag algorithm digesttype DIGEST`, as in a zone file. */
export function dsText(owner: string, d: Ds): string {
  return dsLine(owner, d).replace(/^\S+ IN DS /, '');
}
