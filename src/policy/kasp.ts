// kasp.xml (OpenDNSSEC 2.1) to and from the Policy model.
// Contract: parseKasp(text, file) returns every policy with OpenDNSSEC's defaults applied, or throws an
// InputError naming the file, line and element path of the first problem; serializeKasp writes a
// document that validates against OpenDNSSEC's kasp.rng, and parseKasp(serializeKasp(p)) equals p.
//
// Strict on purpose: an element OpenDNSSEC would ignore or that we would misread is an error, because a
// silently dropped policy setting changes key timings. Defaults follow OpenDNSSEC 2.1's importer
// (enforcer/src/db/policy_ext.c and policy_key_ext.c):
//   KskRollType KskDoubleSignature, ZskRollType ZskPrePublication, CskRollType CskPrePublication,
//   Standby 0, no ManualRollover/RFC5011/ShareKeys/OptOut/Passthrough, NSEC3 TTL 0,
//   RegistrationDelay 0, Purge absent = never (null), Keyset validity absent = null.
// One deliberate difference: OpenDNSSEC stores an absent MaxZoneTTL as 86400 s; the model keeps null
// ("policy does not say") so an export writes back exactly what the operator wrote.
// Key lengths: RSA 1024..4096 in steps of 8, default 2048; curves have one size, which is the default
// (Ed448 also accepts 448, seen in the wild, and stores 456 = 57 octets).
// The NSEC3 <Salt> text (a salt exported by OpenDNSSEC) is checked to be hex and otherwise ignored: the
// enforcer picks its own salt.

import { DurationError, formatDurationReadable, parseDuration } from './duration.js';
import type { InputError } from './errors.js';
import {
  SUPPORTED_ALGORITHMS,
  type Algorithm,
  type Denial,
  type KeyPolicy,
  type KeyRole,
  type Policy,
  type SerialKind,
} from './policy.js';
import { ElementReader, escapeXml, parseXml, quote, type Occurs } from './xml.js';

type RollType = KeyPolicy['rollType'];

const ALGORITHM_NAMES: Record<number, string> = {
  1: 'RSAMD5', 3: 'DSA', 5: 'RSASHA1', 6: 'DSA-NSEC3-SHA1', 7: 'RSASHA1-NSEC3-SHA1',
  8: 'RSASHA256', 10: 'RSASHA512', 12: 'ECC-GOST', 13: 'ECDSAP256SHA256', 14: 'ECDSAP384SHA384',
  15: 'ED25519', 16: 'ED448',
};
/** Fixed sizes of the curve algorithms; RSA algorithms are absent. */
const CURVE_BITS: Partial<Record<Algorithm, number>> = { 13: 256, 14: 384, 15: 256, 16: 456 };
const CURVE_ALIASES: Partial<Record<Algorithm, readonly number[]>> = { 16: [448] };
const RSA_DEFAULT_BITS = 2048;

/** XML spelling of each roll type, per role; the first one listed is OpenDNSSEC's default. */
const ROLL_TYPES: Record<KeyRole, { element: string; values: [xml: string, model: RollType][] }> = {
  KSK: {
    element: 'KskRollType',
    values: [['KskDoubleSignature', 'KskDoubleSignature'], ['KskDoubleRRset', 'KskDoubleRRset'], ['KskDoubleDS', 'KskDoubleDS']],
  },
  ZSK: {
    element: 'ZskRollType',
    values: [['ZskPrePublication', 'ZskPrePublication'], ['ZskDoubleSignature', 'ZskDoubleSignature'], ['ZskDoubleRRsig', 'ZskDoubleRrsig']],
  },
  CSK: {
    element: 'CskRollType',
    values: [
      ['CskPrePublication', 'CskPrePublication'], ['CskDoubleRRset', 'CskDoubleRRset'], ['CskSingleSignature', 'CskSingleSignature'],
      ['CskDoubleDS', 'CskDoubleDS'], ['CskDoubleSignature', 'CskDoubleSignature'],
    ],
  },
};

const SERIALS: readonly SerialKind[] = ['counter', 'datecounter', 'unixtime', 'keep'];
const MAX_STANDBY = 100;

export function parseKasp(text: string, file: string): Policy[] {
  const doc = parseXml(text, file);
  const root = new ElementReader(doc, 'KASP', file);
  if (doc.name !== 'KASP') throw root.error(`root element is <${doc.name}>, expected <KASP>`, { path: doc.name });
  root.expect({ children: { Policy: 'repeated' } });

  const policyReaders = root.all('Policy');
  if (policyReaders.length === 0) throw root.error('no <Policy> is defined');

  const firstLine = new Map<string, number | undefined>();
  return policyReaders.map((r) => {
    const name = policyName(r);
    const p = r.withPath(`KASP/Policy[name=${name}]`);
    if (firstLine.has(name)) {
      const first = firstLine.get(name);
      throw p.error(`duplicate policy name ${quote(name)}${first !== undefined ? ` (first defined at line ${first})` : ''}`);
    }
    firstLine.set(name, p.line);
    return parsePolicy(p, name);
  });
}

function policyName(r: ElementReader): string {
  const name = r.attribute('name');
  const at = { path: `${r.path}@name` };
  if (name === undefined) throw r.error("required attribute 'name' is missing on <Policy>", at);
  if (name === '') throw r.error('policy name is empty', at);
  if (name.length > 255) throw r.error('policy name is longer than 255 characters', at);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) throw r.error(`policy name ${quote(name)} contains a control character`, at);
  if (name.trim() !== name) throw r.error(`policy name ${quote(name)} has leading or trailing whitespace`, at);
  return name;
}

function parsePolicy(p: ElementReader, name: string): Policy {
  p.expect({
    attributes: { name: 'required' },
    children: {
      Passthrough: 'optional', Description: 'required', Signatures: 'required', Denial: 'required',
      Keys: 'required', Zone: 'required', Parent: 'required',
    },
  });
  const passthrough = p.optional('Passthrough')?.flag() ?? false;
  const description = p.child('Description').expect({ text: true }).element.text;

  const sig = p.child('Signatures').expect({
    children: {
      Resign: 'required', Refresh: 'required', Validity: 'required', Jitter: 'required',
      InceptionOffset: 'required', MaxZoneTTL: 'optional',
    },
  });
  const validity = sig.child('Validity').expect({
    children: { Default: 'required', Denial: 'required', Keyset: 'optional' },
  });
  const keysetReader = validity.optional('Keyset');
  const maxZoneTtlReader = sig.optional('MaxZoneTTL');
  const signatures: Policy['signatures'] = {
    resign: duration(sig.child('Resign')),
    refresh: duration(sig.child('Refresh')),
    validityDefault: duration(validity.child('Default')),
    validityDenial: duration(validity.child('Denial')),
    validityKeyset: keysetReader ? duration(keysetReader) : null,
    jitter: duration(sig.child('Jitter')),
    inceptionOffset: duration(sig.child('InceptionOffset')),
    maxZoneTtl: maxZoneTtlReader ? duration(maxZoneTtlReader) : null,
  };

  const denial = parseDenial(p.child('Denial'));
  const keys = parseKeys(p.child('Keys'), name);

  const zone = p.child('Zone').expect({ children: { PropagationDelay: 'required', SOA: 'required' } });
  const zoneSoa = zone.child('SOA').expect({ children: { TTL: 'required', Minimum: 'required', Serial: 'required' } });
  const serialReader = zoneSoa.child('Serial');
  const serial = serialReader.text();
  if (!(SERIALS as readonly string[]).includes(serial)) {
    throw serialReader.error(`unknown serial kind ${quote(serial)}; expected ${SERIALS.join(', ')}`);
  }

  const parent = p.child('Parent').expect({
    children: { PropagationDelay: 'required', DS: 'required', SOA: 'required', RegistrationDelay: 'optional' },
  });
  const ds = parent.child('DS').expect({ children: { TTL: 'required' } });
  const parentSoa = parent.child('SOA').expect({ children: { TTL: 'required', Minimum: 'required' } });
  const registration = parent.optional('RegistrationDelay');

  return {
    name,
    description,
    passthrough,
    signatures,
    denial,
    keys,
    zone: {
      propagationDelay: duration(zone.child('PropagationDelay')),
      soaTtl: duration(zoneSoa.child('TTL')),
      soaMinimum: duration(zoneSoa.child('Minimum')),
      soaSerial: serial as SerialKind,
    },
    parent: {
      registrationDelay: registration ? duration(registration) : 0,
      propagationDelay: duration(parent.child('PropagationDelay')),
      dsTtl: duration(ds.child('TTL')),
      soaTtl: duration(parentSoa.child('TTL')),
      soaMinimum: duration(parentSoa.child('Minimum')),
    },
  };
}

function parseDenial(d: ElementReader): Denial {
  d.expect({ children: { NSEC: 'optional', NSEC3: 'optional' } });
  const nsec = d.optional('NSEC');
  const nsec3 = d.optional('NSEC3');
  if (nsec && nsec3) throw d.error('choose either <NSEC/> or <NSEC3>, not both', { line: nsec3.line });
  if (nsec) {
    nsec.flag();
    return { type: 'NSEC' };
  }
  if (!nsec3) throw d.error('required element <NSEC/> or <NSEC3> is missing');

  nsec3.expect({ children: { TTL: 'optional', OptOut: 'optional', Resalt: 'required', Hash: 'required' } });
  const hash = nsec3.child('Hash').expect({ children: { Algorithm: 'required', Iterations: 'required', Salt: 'required' } });
  const algReader = hash.child('Algorithm');
  const algorithm = integer(algReader, algReader.text(), 0, 255);
  if (algorithm !== 1) {
    throw algReader.error(`NSEC3 hash algorithm ${algorithm} is not supported; only 1 (SHA-1, RFC 5155) is defined`);
  }
  const iterReader = hash.child('Iterations');
  const salt = hash.child('Salt').expect({ attributes: { length: 'required' }, text: true });
  const saltText = salt.element.text;
  if (saltText !== '' && saltText !== '-' && !/^(?:[0-9A-Fa-f]{2}){1,255}$/.test(saltText)) {
    throw salt.error(`salt ${quote(saltText)} is not hexadecimal`);
  }
  const ttlReader = nsec3.optional('TTL');
  return {
    type: 'NSEC3',
    ttl: ttlReader ? duration(ttlReader) : 0,
    optOut: nsec3.optional('OptOut')?.flag() ?? false,
    resalt: duration(nsec3.child('Resalt')),
    algorithm,
    iterations: integer(iterReader, iterReader.text(), 0, 65535),
    saltLength: integer(salt, salt.attribute('length')!, 0, 255, `${salt.path}@length`),
  };
}

function parseKeys(k: ElementReader, policy: string): Policy['keys'] {
  k.expect({
    children: {
      TTL: 'required', RetireSafety: 'required', PublishSafety: 'required', ShareKeys: 'optional',
      Purge: 'optional', KSK: 'repeated', ZSK: 'repeated', CSK: 'repeated',
    },
  });
  const list = (['KSK', 'ZSK', 'CSK'] as const).flatMap((role) => k.all(role).map((r) => parseKey(r, role)));
  const count = (role: KeyRole): number => list.filter((x) => x.role === role).length;
  if (count('CSK') > 0 && count('KSK') + count('ZSK') > 0) {
    throw k.error(`policy ${quote(policy)} mixes <CSK> with <KSK>/<ZSK>; use either a CSK or a KSK and ZSK pair`);
  }
  if (count('CSK') === 0 && (count('KSK') === 0 || count('ZSK') === 0)) {
    const missing = count('KSK') === 0 && count('ZSK') === 0 ? 'no keys' : count('KSK') === 0 ? 'no <KSK>' : 'no <ZSK>';
    throw k.error(`policy ${quote(policy)} has ${missing}; it needs a <CSK>, or at least one <KSK> and one <ZSK>`);
  }
  const purge = k.optional('Purge');
  return {
    ttl: duration(k.child('TTL')),
    retireSafety: duration(k.child('RetireSafety')),
    publishSafety: duration(k.child('PublishSafety')),
    shareKeys: k.optional('ShareKeys')?.flag() ?? false,
    purge: purge ? duration(purge) : null,
    list,
  };
}

function parseKey(r: ElementReader, role: KeyRole): KeyPolicy {
  const rollSpec = ROLL_TYPES[role];
  const children: Record<string, Occurs> = {
    Algorithm: 'required', Lifetime: 'required', Repository: 'required', Standby: 'optional',
    ManualRollover: 'optional', [rollSpec.element]: 'optional',
  };
  if (role !== 'ZSK') children.RFC5011 = 'optional';
  r.expect({ children });

  const algReader = r.child('Algorithm').expect({ attributes: { length: 'optional' }, text: true });
  const { algorithm, length } = parseAlgorithm(algReader);

  let rollType = rollSpec.values[0]![1];
  const rollReader = r.optional(rollSpec.element);
  if (rollReader) {
    const value = rollReader.text();
    const found = rollSpec.values.find(([xml]) => xml === value);
    if (!found) {
      throw rollReader.error(`unknown roll type ${quote(value)}; expected ${rollSpec.values.map(([xml]) => xml).join(', ')}`);
    }
    rollType = found[1];
  }

  const standbyReader = r.optional('Standby');
  return {
    role,
    algorithm,
    length,
    lifetime: duration(r.child('Lifetime')),
    repository: r.child('Repository').text(),
    standby: standbyReader ? integer(standbyReader, standbyReader.text(), 0, MAX_STANDBY) : 0,
    manualRollover: r.optional('ManualRollover')?.flag() ?? false,
    rfc5011: r.optional('RFC5011')?.flag() ?? false,
    rollType,
  };
}

function parseAlgorithm(r: ElementReader): { algorithm: Algorithm; length: number } {
  const text = r.element.text;
  if (text === '') throw r.error('<Algorithm> is empty');
  const number = integer(r, text, 0, 255);
  if (!(SUPPORTED_ALGORITHMS as readonly number[]).includes(number)) {
    const supported = SUPPORTED_ALGORITHMS.map((a) => `${a} (${ALGORITHM_NAMES[a]})`).join(', ');
    const name = ALGORITHM_NAMES[number] ? ` (${ALGORITHM_NAMES[number]})` : '';
    throw r.error(`algorithm ${number}${name} is not supported; supported: ${supported}`);
  }
  const algorithm = number as Algorithm;
  const label = `${algorithm} (${ALGORITHM_NAMES[algorithm]})`;
  const lengthText = r.attribute('length');
  const curve = CURVE_BITS[algorithm];
  const at = `${r.path}@length`;
  if (lengthText === undefined) return { algorithm, length: curve ?? RSA_DEFAULT_BITS };

  const length = integer(r, lengthText, 1, 65535, at);
  if (curve !== undefined) {
    if (length !== curve && !(CURVE_ALIASES[algorithm] ?? []).includes(length)) {
      throw r.error(`key length ${length} is invalid for algorithm ${label}: it must be ${curve} (or left out)`, { path: at });
    }
    return { algorithm, length: curve };
  }
  if (length < 1024 || length > 4096 || length % 8 !== 0) {
    throw r.error(`key length ${length} is invalid for algorithm ${label}: RSA keys must be 1024 to 4096 bits, in steps of 8`, { path: at });
  }
  return { algorithm, length };
}

function duration(r: ElementReader): number {
  const text = r.text();
  try {
    return parseDuration(text);
  } catch (e) {
    if (e instanceof DurationError) throw r.error(e.message);
    throw e;
  }
}

function integer(r: ElementReader, text: string, min: number, max: number, path = r.path): number {
  const fail = (): InputError => r.error(`expected a whole number from ${min} to ${max}, got ${quote(text)}`, { path });
  if (!/^\d{1,10}$/.test(text)) throw fail();
  const n = Number(text);
  if (n < min || n > max) throw fail();
  return n;
}

// ---------------------------------------------------------------------------------------------------
// Serialisation. Element order follows kasp.rng (the schema is order-sensitive even if we are not).

export function serializeKasp(policies: Policy[]): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>', '<KASP>'];
  for (const p of policies) out.push(...policyLines(p).map((l) => '\t' + l), '');
  if (out[out.length - 1] === '') out.pop();
  out.push('</KASP>', '');
  return out.join('\n');
}

function policyLines(p: Policy): string[] {
  const d = formatDurationReadable;
  const leaf = (name: string, value: string): string => `<${name}>${escapeXml(value)}</${name}>`;
  const lines: string[] = [`<Policy name="${escapeXml(p.name)}">`];
  const push = (indent: number, ...ls: string[]): void => {
    for (const l of ls) lines.push('\t'.repeat(indent) + l);
  };

  if (p.passthrough) push(1, '<Passthrough/>');
  push(1, leaf('Description', p.description));

  const s = p.signatures;
  push(1, '<Signatures>');
  push(2, leaf('Resign', d(s.resign)), leaf('Refresh', d(s.refresh)), '<Validity>');
  push(3, leaf('Default', d(s.validityDefault)), leaf('Denial', d(s.validityDenial)));
  if (s.validityKeyset !== null) push(3, leaf('Keyset', d(s.validityKeyset)));
  push(2, '</Validity>', leaf('Jitter', d(s.jitter)), leaf('InceptionOffset', d(s.inceptionOffset)));
  if (s.maxZoneTtl !== null) push(2, leaf('MaxZoneTTL', d(s.maxZoneTtl)));
  push(1, '</Signatures>');

  push(1, '<Denial>');
  if (p.denial.type === 'NSEC') {
    push(2, '<NSEC/>');
  } else {
    const n = p.denial;
    push(2, '<NSEC3>');
    push(3, leaf('TTL', d(n.ttl)));
    if (n.optOut) push(3, '<OptOut/>');
    push(3, leaf('Resalt', d(n.resalt)), '<Hash>');
    push(4, leaf('Algorithm', String(n.algorithm)), leaf('Iterations', String(n.iterations)), `<Salt length="${n.saltLength}"/>`);
    push(3, '</Hash>');
    push(2, '</NSEC3>');
  }
  push(1, '</Denial>');

  const k = p.keys;
  push(1, '<Keys>');
  push(2, leaf('TTL', d(k.ttl)), leaf('RetireSafety', d(k.retireSafety)), leaf('PublishSafety', d(k.publishSafety)));
  if (k.shareKeys) push(2, '<ShareKeys/>');
  if (k.purge !== null) push(2, leaf('Purge', d(k.purge)));
  // kasp.rng wants all KSKs, then all ZSKs, then all CSKs.
  for (const role of ['KSK', 'ZSK', 'CSK'] as const) {
    for (const key of k.list.filter((x) => x.role === role)) {
      const rollXml = ROLL_TYPES[role].values.find(([, model]) => model === key.rollType);
      if (!rollXml) throw new Error(`roll type ${key.rollType} does not apply to a ${role}`);
      push(2, `<${role}>`);
      push(3, `<Algorithm length="${key.length}">${key.algorithm}</Algorithm>`, leaf('Lifetime', d(key.lifetime)), leaf('Repository', key.repository));
      if (key.standby > 0) push(3, leaf('Standby', String(key.standby)));
      if (key.manualRollover) push(3, '<ManualRollover/>');
      push(3, leaf(ROLL_TYPES[role].element, rollXml[0]));
      if (key.rfc5011) {
        if (role === 'ZSK') throw new Error('RFC5011 does not apply to a ZSK');
        push(3, '<RFC5011/>');
      }
      push(2, `</${role}>`);
    }
  }
  push(1, '</Keys>');

  const z = p.zone;
  push(1, '<Zone>');
  push(2, leaf('PropagationDelay', d(z.propagationDelay)), '<SOA>');
  push(3, leaf('TTL', d(z.soaTtl)), leaf('Minimum', d(z.soaMinimum)), leaf('Serial', z.soaSerial));
  push(2, '</SOA>');
  push(1, '</Zone>');

  const pa = p.parent;
  push(1, '<Parent>');
  push(2, leaf('PropagationDelay', d(pa.propagationDelay)), '<DS>');
  push(3, leaf('TTL', d(pa.dsTtl)));
  push(2, '</DS>', '<SOA>');
  push(3, leaf('TTL', d(pa.soaTtl)), leaf('Minimum', d(pa.soaMinimum)));
  push(2, '</SOA>', leaf('RegistrationDelay', d(pa.registrationDelay)));
  push(1, '</Parent>');

  lines.push('</Policy>');
  return lines;
}
