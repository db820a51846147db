// A complete, realistic policy value for store and signconf tests that do not parse XML.

import type { Policy } from '../../src/policy/policy.js';

export function samplePolicy(name: string, overrides: Partial<Policy> = {}): Policy {
  return {
    name,
    description: `test policy ${name}`,
    passthrough: false,
    signatures: {
      resign: 7200,
      refresh: 259200,
      validityDefault: 1209600,
      validityDenial: 1209600,
      validityKeyset: null,
      jitter: 43200,
      inceptionOffset: 3600,
      maxZoneTtl: 86400,
    },
    denial: { type: 'NSEC3', ttl: 0, optOut: false, resalt: 8640000, algorithm: 1, iterations: 0, saltLength: 8 },
    keys: {
      ttl: 3600,
      retireSafety: 3600,
      publishSafety: 3600,
      shareKeys: false,
      purge: 1209600,
      list: [
        { role: 'KSK', algorithm: 13, length: 256, lifetime: 31536000, repository: 'SoftHSM', standby: 0, manualRollover: false, rfc5011: false, rollType: 'KskDoubleRRset' },
        { role: 'ZSK', algorithm: 13, length: 256, lifetime: 7776000, repository: 'SoftHSM', standby: 0, manualRollover: false, rfc5011: false, rollType: 'ZskPrePublication' },
      ],
    },
    zone: { propagationDelay: 43200, soaTtl: 3600, soaMinimum: 3600, soaSerial: 'unixtime' },
    parent: { registrationDelay: 0, propagationDelay: 9999, dsTtl: 3600, soaTtl: 172800, soaMinimum: 10800 },
    ...overrides,
  };
}
