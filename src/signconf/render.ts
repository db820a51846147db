// Pure rendering of a zone's signconf in OpenDNSSEC 2.1's shape (signconf.rng): signature and
// denial parameters from the policy, one <Key> per key the signer must know, SOA settings.
// Key flags follow the record states (domain notes):
//   <Publish/> when the DNSKEY record is rumoured or omnipresent,
//   <KSK/>     when the RRSIG over the DNSKEY set is rumoured or omnipresent,
//   <ZSK/>     when the zone-data RRSIGs are rumoured or omnipresent.
// A key with none of the three is left out: the signer has nothing to do with it, and ods-signer
// drops any signatures it still has by that key at its next signing (rollover/timing.ts counts on
// this when it decides that a withdrawn key's signatures are gone).

import { formatDuration } from '../policy/duration.js';
import type { Policy } from '../policy/policy.js';
import { escapeXml } from '../policy/xml.js';
import type { KeyStates, RecordState } from '../store/keys.js';

export interface SignconfKey {
  flags: 256 | 257;
  algorithm: number;
  locator: string;
  states: KeyStates;
}

export interface SignconfInput {
  zone: string;
  policy: Policy;
  keys: SignconfKey[];
  /** NSEC3 salt in hex ('' for none); required when the policy uses NSEC3. */
  nsec3Salt: string | null;
}

const visible = (s: RecordState) => s === 'rumoured' || s === 'omnipresent';

export function signconfKeyFlags(states: KeyStates): { publish: boolean; ksk: boolean; zsk: boolean } {
  return { publish: visible(states.dnskey), ksk: visible(states.rrsigdnskey), zsk: visible(states.rrsig) };
}

/** The signconf document, without the enforcer's metadata comment (see metadata.ts). */
export function renderSignconf(input: SignconfInput): string {
  const { policy: p } = input;
  const d = formatDuration;
  const out: string[] = [];
  out.push('<?xml version="1.0" encoding="UTF-8"?>');
  out.push('<SignerConfiguration>');
  out.push(`  <Zone name="${escapeXml(input.zone)}">`);
  if (p.passthrough) out.push('    <Passthrough/>');
  out.push('    <Signatures>');
  out.push(`      <Resign>${d(p.signatures.resign)}</Resign>`);
  out.push(`      <Refresh>${d(p.signatures.refresh)}</Refresh>`);
  out.push('      <Validity>');
  out.push(`        <Default>${d(p.signatures.validityDefault)}</Default>`);
  out.push(`        <Denial>${d(p.signatures.validityDenial)}</Denial>`);
  if (p.signatures.validityKeyset !== null) out.push(`        <Keyset>${d(p.signatures.validityKeyset)}</Keyset>`);
  out.push('      </Validity>');
  out.push(`      <Jitter>${d(p.signatures.jitter)}</Jitter>`);
  out.push(`      <InceptionOffset>${d(p.signatures.inceptionOffset)}</InceptionOffset>`);
  if (p.signatures.maxZoneTtl !== null) out.push(`      <MaxZoneTTL>${d(p.signatures.maxZoneTtl)}</MaxZoneTTL>`);
  out.push('    </Signatures>');
  out.push('    <Denial>');
  if (p.denial.type === 'NSEC') {
    out.push('      <NSEC/>');
  } else {
    if (input.nsec3Salt === null) throw new Error(`zone ${input.zone}: NSEC3 policy ${p.name} but no salt chosen yet`);
    if (!/^[0-9a-f]*$/.test(input.nsec3Salt)) throw new Error(`zone ${input.zone}: NSEC3 salt is not hex`);
    out.push('      <NSEC3>');
    out.push(`        <TTL>${d(p.denial.ttl)}</TTL>`);
    if (p.denial.optOut) out.push('        <OptOut/>');
    out.push('        <Hash>');
    out.push(`          <Algorithm>${p.denial.algorithm}</Algorithm>`);
    out.push(`          <Iterations>${p.denial.iterations}</Iterations>`);
    out.push(`          <Salt>${input.nsec3Salt}</Salt>`);
    out.push('        </Hash>');
    out.push('      </NSEC3>');
  }
  out.push('    </Denial>');
  out.push('    <Keys>');
  out.push(`      <TTL>${d(p.keys.ttl)}</TTL>`);
  for (const k of input.keys) {
    const f = signconfKeyFlags(k.states);
    if (!f.publish && !f.ksk && !f.zsk) continue;
    if (!/^[0-9a-f]+$/.test(k.locator)) throw new Error(`zone ${input.zone}: key locator is not hex`);
    out.push('      <Key>');
    out.push(`        <Flags>${k.flags}</Flags>`);
    out.push(`        <Algorithm>${k.algorithm}</Algorithm>`);
    out.push(`        <Locator>${k.locator}</Locator>`);
    if (f.ksk) out.push('        <KSK/>');
    if (f.zsk) out.push('        <ZSK/>');
    if (f.publish) out.push('        <Publish/>');
    out.push('      </Key>');
  }
  out.push('    </Keys>');
  out.push('    <SOA>');
  out.push(`      <TTL>${d(p.zone.soaTtl)}</TTL>`);
  out.push(`      <Minimum>${d(p.zone.soaMinimum)}</Minimum>`);
  out.push(`      <Serial>${p.zone.soaSerial}</Serial>`);
  out.push('    </SOA>');
  out.push('  </Zone>');
  out.push('</SignerConfiguration>');
  return out.join('\n') + '\n';
}
