// BIND-format key files (`K<zone>.+<alg>+<tag>.key` / `.private`, Private-key-format v1.3) so that
// dnssec-signzone and ldns-signzone can sign with keys this enforcer generated (testing, migration, and
// emergencies). Contract: `bindKeyFiles` is pure and returns names and contents; `writeBindKeyFiles` is the
// only part that touches the disk. The .private content is key material: never log it.

import type { KeyObject } from 'node:crypto';
import { join } from 'node:path';
import type { Algorithm } from '../policy/policy.js';
import { algorithmInfo } from '../dnssec/algorithms.js';
import { dnskeyFor, encodeDnskeyRdata, FLAG_SEP, publicKeyFieldFromKeyObject } from '../dnssec/dnskey.js';
import { keyTag } from '../dnssec/key-tag.js';
import { fqdn } from '../dnssec/name.js';
import { dnskeyLine } from '../dnssec/presentation.js';
import { writeFileAtomic } from '../util/atomic-file.js';
import { KeystoreError, type Keystore } from './keystore.js';

export interface BindExportInput {
  zone: string;
  /** 257 for a KSK/CSK, 256 for a ZSK. */
  flags: number;
  algorithm: Algorithm;
  privateKey: KeyObject;
  /** TTL on the DNSKEY line; omitted like dnssec-keygen without -L. */
  ttl?: number;
  created?: Date;
  publish?: Date;
  activate?: Date;
}

export interface BindKeyFiles {
  keyTag: number;
  /** `K<zone>.+<alg>+<tag>`: the name dnssec-signzone and ldns-signzone take on the command line. */
  basename: string;
  key: { name: string; content: string };
  private: { name: string; content: string };
}

export function bindKeyFiles(input: BindExportInput): BindKeyFiles {
  const info = algorithmInfo(input.algorithm);
  const dnskey = dnskeyFor(input.flags, input.algorithm, publicKeyFieldFromKeyObject(input.algorithm, input.privateKey));
  const tag = keyTag(encodeDnskeyRdata(dnskey));
  const zone = fqdn(input.zone);
  const basename = `K${zone}+${pad(input.algorithm, 3)}+${pad(tag, 5)}`;

  const kind = (input.flags & FLAG_SEP) !== 0 ? 'key-signing' : 'zone-signing';
  const keyLines = [`; This is a ${kind} key, keyid ${tag}, for ${zone}`];
  const times: [string, Date | undefined][] = [['Created', input.created], ['Publish', input.publish], ['Activate', input.activate]];
  for (const [label, when] of times) {
    if (when) keyLines.push(`; ${label}: ${bindTimestamp(when)} (${asctime(when)})`);
  }
  keyLines.push(dnskeyLine(input.zone, dnskey, input.ttl === undefined ? {} : { ttl: input.ttl }));

  const privLines = ['Private-key-format: v1.3', `Algorithm: ${input.algorithm} (${info.mnemonic})`];
  for (const [field, value] of privateFields(input.algorithm, input.privateKey)) privLines.push(`${field}: ${value}`);
  for (const [label, when] of times) {
    if (when) privLines.push(`${label}: ${bindTimestamp(when)}`);
  }

  return {
    keyTag: tag,
    basename,
    key: { name: `${basename}.key`, content: keyLines.join('\n') + '\n' },
    private: { name: `${basename}.private`, content: privLines.join('\n') + '\n' },
  };
}

/** BIND files for a key held in a keystore that can export private keys (the file keystore can; HSMs cannot). */
export async function bindKeyFilesFromKeystore(
  store: Keystore,
  locator: string,
  details: Omit<BindExportInput, 'algorithm' | 'privateKey'>,
): Promise<BindKeyFiles> {
  if (!store.exportPrivate) throw new KeystoreError(`keystore ${store.name} cannot export private keys`);
  const { algorithm, privateKey } = await store.exportPrivate(locator);
  return bindKeyFiles({ ...details, algorithm, privateKey });
}

/** Writes both files atomically; the .private file 0600, the public .key file 0644 as BIND does. */
export async function writeBindKeyFiles(dir: string, files: BindKeyFiles): Promise<{ keyPath: string; privatePath: string }> {
  const keyPath = join(dir, files.key.name);
  const privatePath = join(dir, files.private.name);
  await writeFileAtomic(privatePath, files.private.content, 0o600);
  await writeFileAtomic(keyPath, files.key.content, 0o644);
  return { keyPath, privatePath };
}

function privateFields(algorithm: Algorithm, key: KeyObject): [string, string][] {
  const jwk = key.export({ format: 'jwk' });
  const b64 = (v: string | undefined, what: string): string => {
    if (!v) throw new Error(`private key lacks its ${what} component`);
    return Buffer.from(v, 'base64url').toString('base64');
  };
  if (algorithmInfo(algorithm).family === 'rsa') {
    return [
      ['Modulus', b64(jwk.n, 'modulus')],
      ['PublicExponent', b64(jwk.e, 'public exponent')],
      ['PrivateExponent', b64(jwk.d, 'private exponent')],
      ['Prime1', b64(jwk.p, 'first prime')],
      ['Prime2', b64(jwk.q, 'second prime')],
      ['Exponent1', b64(jwk.dp, 'first exponent')],
      ['Exponent2', b64(jwk.dq, 'second exponent')],
      ['Coefficient', b64(jwk.qi, 'coefficient')],
    ];
  }
  // ECDSA: the scalar d at the curve's full length; EdDSA: the RFC 8032 seed. JWK already uses both forms.
  return [['PrivateKey', b64(jwk.d, 'private scalar')]];
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** YYYYMMDDHHMMSS in UTC, BIND's timing-metadata format. */
export function bindTimestamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** C asctime() layout (`Mon Jan  1 00:00:00 2024`), in UTC so that output does not depend on the host. */
function asctime(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ` +
    `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
}
