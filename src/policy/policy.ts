// The policy model: what a kasp.xml <Policy> means, in plain data.
// Contract: every duration is a whole number of seconds; every optional OpenDNSSEC element has
// its default already applied by the parser, so consumers never re-derive defaults.

export type KeyRole = 'KSK' | 'ZSK' | 'CSK';

/** DNSSEC algorithm numbers this enforcer can generate keys for. */
export const SUPPORTED_ALGORITHMS = [8, 10, 13, 14, 15, 16] as const;
export type Algorithm = (typeof SUPPORTED_ALGORITHMS)[number];

export interface KeyPolicy {
  role: KeyRole;
  algorithm: Algorithm;
  /** Key size in bits (RSA modulus length; fixed by the curve for ECDSA/EdDSA). */
  length: number;
  /** Seconds a key stays active before it is rolled. */
  lifetime: number;
  /** Name of the key repository (maps to a keystore in the enforcer config). */
  repository: string;
  /** Number of standby keys to keep (OpenDNSSEC <Standby>), default 0. */
  standby: number;
  manualRollover: boolean;
  rfc5011: boolean;
  /** Roll method; defaults per role as in OpenDNSSEC. */
  rollType:
    | 'ZskPrePublication'
    | 'ZskDoubleSignature'
    | 'ZskDoubleRrsig'
    | 'KskDoubleDS'
    | 'KskDoubleRRset'
    | 'KskDoubleSignature'
    | 'CskPrePublication'
    | 'CskDoubleDS'
    | 'CskDoubleRRset'
    | 'CskDoubleSignature'
    | 'CskSingleSignature';
}

export type Denial =
  | { type: 'NSEC' }
  | {
      type: 'NSEC3';
      /** NSEC3PARAM TTL in seconds (OpenDNSSEC default 0 when absent). */
      ttl: number;
      optOut: boolean;
      /** Seconds between salt changes. */
      resalt: number;
      /** Hash algorithm, 1 = SHA-1. */
      algorithm: number;
      iterations: number;
      /** Salt length in octets. */
      saltLength: number;
    };

export type SerialKind = 'counter' | 'datecounter' | 'unixtime' | 'keep';

export interface Policy {
  name: string;
  description: string;
  /** OpenDNSSEC <Passthrough/>: the signer copies the zone unsigned; default false. */
  passthrough: boolean;
  signatures: {
    resign: number;
    refresh: number;
    validityDefault: number;
    validityDenial: number;
    /** Validity of signatures over the DNSKEY set, when the policy sets one. */
    validityKeyset: number | null;
    jitter: number;
    inceptionOffset: number;
    /** Highest TTL in the zone; null when the policy does not say (then the key TTL/SOA bound applies). */
    maxZoneTtl: number | null;
  };
  denial: Denial;
  keys: {
    ttl: number;
    retireSafety: number;
    publishSafety: number;
    shareKeys: boolean;
    /** Seconds after which dead keys are purged; null = never. */
    purge: number | null;
    list: KeyPolicy[];
  };
  zone: {
    propagationDelay: number;
    soaTtl: number;
    soaMinimum: number;
    soaSerial: SerialKind;
  };
  parent: {
    registrationDelay: number;
    propagationDelay: number;
    dsTtl: number;
    soaTtl: number;
    soaMinimum: number;
  };
}

/** A zone as the zone list describes it. Names are normalised (lower case, no trailing dot). */
export interface ZoneEntry {
  name: string;
  policy: string;
  /** Signconf path as given in the zone list, or null to use the configured signconf directory. */
  signconfPath: string | null;
  input: { type: string; path: string } | null;
  output: { type: string; path: string } | null;
}
