// Expected DNSKEY set versus what each server serves. Contract: pure (answers + expected keys + now).
// Keys are compared by complete DNSKEY RDATA, never by tag alone (tags collide, and a REVOKE bit changes
// the RDATA but hardly the tag). A zone is MATCH only when it has at least one server and every server
// serves exactly the required keys (optional ones may come or go), signed by every key the database says
// signs the set, with signatures that verify and are inside their validity window. Anything else,
// including a server that cannot be asked, is MISMATCH with the reasons spelled out.

import { FLAG_SEP, encodeDnskeyRdata, DNSSEC_PROTOCOL } from '../dnssec/dnskey.js';
import { algorithmMnemonic } from '../dnssec/algorithms.js';
import { fqdn } from '../dnssec/name.js';
import { checkRrsigs, hex, tagOf, type LiveDnskeySet, type RrsigCheck, type VerifyCache } from './live-dnskey.js';
import { isUnreachable, type ProbeError } from './probe-error.js';
import { formatServer, type ServerAddress } from './servers.js';

export interface ExpectedKey {
  flags: number;
  algorithm: number;
  /** DNSKEY public key field. */
  publicKey: Uint8Array;
  /** 'required' (default): must be served. 'optional': may be served or not (a DNSKEY being withdrawn). */
  presence?: 'required' | 'optional';
  /**
   * Whether the key signs the DNSKEY RRset. 'required': a valid RRSIG by it must be served; 'optional': its
   * RRSIG may be served; 'no': a valid RRSIG by it is unexpected. Default: 'required' for SEP keys, else 'no'.
   */
  signsKeyset?: 'required' | 'optional' | 'no';
}

export interface ExpectedZone {
  zone: string;
  keys: ExpectedKey[];
}

export type ServerResult =
  | { ok: true; set: LiveDnskeySet; via: 'udp' | 'tcp'; soaSerial?: number | null; warnings?: string[] }
  | { ok: false; error: ProbeError };

export interface ServerProbe {
  server: ServerAddress;
  result: ServerResult;
}

export type Verdict = 'MATCH' | 'MISMATCH';
export type SignatureStatus = 'valid' | 'bad' | 'expired' | 'not-yet-valid' | 'missing' | 'unexpected-signer';

export interface ServerComparison {
  server: ServerAddress;
  verdict: Verdict;
  /** Tags of required keys not served. */
  missing: number[];
  /** Tags of served keys the database does not expect. */
  unexpected: number[];
  /** Worst finding about the RRSIGs over DNSKEY; null when the server gave no answer to judge. */
  signature: SignatureStatus | null;
  /** Set when the server could not be asked or its answer was unusable. */
  error?: ProbeError;
  unreachable: boolean;
  /** One line per difference, for operators. Empty exactly when verdict is MATCH. */
  reasons: string[];
  /** Worth knowing, not a mismatch (a signature expiring soon, an optional key still served). */
  warnings: string[];
  rrsigs: RrsigCheck[];
  via?: 'udp' | 'tcp';
  soaSerial?: number | null;
}

export interface ZoneComparison {
  zone: string;
  verdict: Verdict;
  servers: ServerComparison[];
  /** Every server's reasons prefixed with the server, plus zone-level ones. */
  reasons: string[];
}

export interface CompareOptions {
  /** Warn when a required signature expires within this many seconds. Default 3 days. */
  expiryWarningSeconds?: number;
}

const SEVERITY: SignatureStatus[] = ['bad', 'expired', 'not-yet-valid', 'missing', 'unexpected-signer', 'valid'];

interface Prepared {
  key: ExpectedKey;
  rdata: string;
  tag: number;
  presence: 'required' | 'optional';
  signs: 'required' | 'optional' | 'no';
}

export function compareZone(expected: ExpectedZone, perServer: ServerProbe[], now: Date, opts: CompareOptions = {}): ZoneComparison {
  const zone = fqdn(expected.zone);
  const prepared = new Map<string, Prepared>();
  for (const key of expected.keys) {
    const rdata = encodeDnskeyRdata({ flags: key.flags, protocol: DNSSEC_PROTOCOL, algorithm: key.algorithm, publicKey: key.publicKey });
    prepared.set(hex(rdata), {
      key, rdata: hex(rdata), tag: tagOf(rdata),
      presence: key.presence ?? 'required',
      signs: key.signsKeyset ?? ((key.flags & FLAG_SEP) !== 0 ? 'required' : 'no'),
    });
  }
  const cache: VerifyCache = new Map();
  const servers = perServer.map((p) => compareServer(prepared, p, now, cache, opts));
  const reasons = servers.flatMap((s) => s.reasons.map((r) => `${formatServer(s.server)}: ${r}`));
  if (servers.length === 0) reasons.push('no servers to ask');
  const verdict: Verdict = reasons.length === 0 ? 'MATCH' : 'MISMATCH';
  return { zone, verdict, servers, reasons };
}

function compareServer(expected: Map<string, Prepared>, probe: ServerProbe, now: Date, cache: VerifyCache, opts: CompareOptions): ServerComparison {
  const { server, result } = probe;
  if (!result.ok) {
    const unreachable = isUnreachable(result.error);
    return {
      server, verdict: 'MISMATCH', missing: [], unexpected: [], signature: null, error: result.error, unreachable,
      reasons: [`${unreachable ? 'server unreachable' : 'unusable answer'} (${result.error.kind}): ${result.error.message}`],
      warnings: [], rrsigs: [],
    };
  }
  const { set } = result;
  const reasons: string[] = [];
  const warnings = [...(result.warnings ?? [])];
  const served = new Map(set.keys.map((k) => [hex(k.rdata), k]));

  const missingKeys = [...expected.values()].filter((e) => e.presence === 'required' && !served.has(e.rdata));
  const unexpectedKeys = set.keys.filter((k) => !expected.has(hex(k.rdata)));
  for (const e of missingKeys) reasons.push(`missing key ${describe(e.tag, e.key.flags, e.key.algorithm)}`);
  for (const k of unexpectedKeys) reasons.push(`unexpected key ${describe(k.keyTag, k.flags, k.algorithm)}`);
  for (const e of expected.values()) {
    if (e.presence === 'optional' && served.has(e.rdata)) warnings.push(`key ${e.tag} is still served (on its way out)`);
  }

  const rrsigs = checkRrsigs(set, now, cache);
  const findings = judgeSignatures(expected, rrsigs, opts.expiryWarningSeconds ?? 3 * 86400, warnings);
  for (const f of findings) reasons.push(f.reason);
  const signature = SEVERITY.find((s) => findings.some((f) => f.status === s)) ?? 'valid';

  return {
    server,
    verdict: reasons.length === 0 ? 'MATCH' : 'MISMATCH',
    missing: sortedTags(missingKeys.map((e) => e.tag)),
    unexpected: sortedTags(unexpectedKeys.map((k) => k.keyTag)),
    signature, unreachable: false, reasons, warnings, rrsigs, via: result.via,
    ...(result.soaSerial !== undefined ? { soaSerial: result.soaSerial } : {}),
  };
}

interface Finding {
  status: Exclude<SignatureStatus, 'valid'>;
  reason: string;
}

function judgeSignatures(expected: Map<string, Prepared>, rrsigs: RrsigCheck[], warnSeconds: number, warnings: string[]): Finding[] {
  const findings: Finding[] = [];
  const signers = [...expected.values()].filter((e) => e.signs !== 'no');
  const required = signers.filter((e) => e.signs === 'required');

  for (const e of required) {
    const own = rrsigs.filter((c) => c.signerRdata === e.rdata);
    const valid = own.filter((c) => c.status === 'valid');
    if (valid.length > 0) {
      const latest = Math.max(...valid.map((c) => c.window.secondsLeft));
      if (latest <= warnSeconds) warnings.push(`RRSIG by key ${e.tag} expires in ${Math.round(latest / 3600)} h`);
      continue;
    }
    const verified = own.find((c) => c.status === 'expired' || c.status === 'not-yet-valid');
    if (verified?.status === 'expired') {
      findings.push({ status: 'expired', reason: `RRSIG over DNSKEY by key ${e.tag} expired at ${verified.window.expiration.toISOString()}` });
      continue;
    }
    if (verified?.status === 'not-yet-valid') {
      findings.push({ status: 'not-yet-valid', reason: `RRSIG over DNSKEY by key ${e.tag} not valid before ${verified.window.inception.toISOString()}` });
      continue;
    }
    const claimed = rrsigs.filter((c) => c.keyTag === e.tag && c.algorithm === e.key.algorithm && c.status === 'bad');
    if (claimed.length > 0) findings.push({ status: 'bad', reason: `RRSIG over DNSKEY by key ${e.tag} does not verify` });
    else findings.push({ status: 'missing', reason: `no RRSIG over DNSKEY by key ${e.tag}` });
  }
  // With keys expected but none required to sign (an odd state mid-rollover), one valid signature by a
  // permitted signer must still be there; a zone with no keys expected at all is unsigned, so none is needed.
  if (required.length === 0 && expected.size > 0 && !rrsigs.some((c) => c.status === 'valid' && signers.some((e) => e.rdata === c.signerRdata))) {
    findings.push({ status: 'missing', reason: 'no valid RRSIG over DNSKEY by a key the database expects to sign it' });
  }
  for (const c of rrsigs) {
    if (c.status === 'valid' && !signers.some((e) => e.rdata === c.signerRdata)) {
      findings.push({ status: 'unexpected-signer', reason: `DNSKEY set signed by key ${c.keyTag}, which the database does not expect to sign it` });
    } else if (c.status !== 'valid' && !required.some((e) => e.rdata === c.signerRdata || e.tag === c.keyTag)) {
      warnings.push(`ignored RRSIG over DNSKEY by key ${c.keyTag} (${c.status})`);
    }
  }
  return findings;
}

function describe(tag: number, flags: number, algorithm: number): string {
  return `${tag} (${(flags & FLAG_SEP) !== 0 ? 'SEP' : 'ZSK'}, flags ${flags}, ${algorithmMnemonic(algorithm)})`;
}

function sortedTags(tags: number[]): number[] {
  return [...new Set(tags)].sort((a, b) => a - b);
}
