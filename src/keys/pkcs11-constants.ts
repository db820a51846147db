// The PKCS#11 numbers this enforcer uses (object classes, key types, attributes, mechanisms, flags,
// return values), from the PKCS#11 2.40 / 3.0 specifications. Kept here rather than taken from the
// binding so that the EdDSA values (3.0 only, absent from some bindings) and the names used in error
// messages live in one table.

export const CKO = { PUBLIC_KEY: 0x2, PRIVATE_KEY: 0x3 } as const;

export const CKK = { RSA: 0x0, EC: 0x3, EC_EDWARDS: 0x40 } as const;

export const CKA = {
  CLASS: 0x0,
  TOKEN: 0x1,
  PRIVATE: 0x2,
  LABEL: 0x3,
  KEY_TYPE: 0x100,
  ID: 0x102,
  SENSITIVE: 0x103,
  ENCRYPT: 0x104,
  DECRYPT: 0x105,
  WRAP: 0x106,
  UNWRAP: 0x107,
  SIGN: 0x108,
  VERIFY: 0x10a,
  DERIVE: 0x10c,
  MODULUS: 0x120,
  MODULUS_BITS: 0x121,
  PUBLIC_EXPONENT: 0x122,
  EXTRACTABLE: 0x162,
  NEVER_EXTRACTABLE: 0x164,
  ALWAYS_SENSITIVE: 0x165,
  EC_PARAMS: 0x180,
  EC_POINT: 0x181,
} as const;

export const CKM = {
  RSA_PKCS_KEY_PAIR_GEN: 0x0,
  RSA_PKCS: 0x1,
  EC_KEY_PAIR_GEN: 0x1040,
  ECDSA: 0x1041,
  EC_EDWARDS_KEY_PAIR_GEN: 0x1055,
  EDDSA: 0x1057,
} as const;

/** Mechanism names for messages. */
export const MECHANISM_NAMES: Record<number, string> = {
  [CKM.RSA_PKCS_KEY_PAIR_GEN]: 'CKM_RSA_PKCS_KEY_PAIR_GEN',
  [CKM.RSA_PKCS]: 'CKM_RSA_PKCS',
  [CKM.EC_KEY_PAIR_GEN]: 'CKM_EC_KEY_PAIR_GEN',
  [CKM.ECDSA]: 'CKM_ECDSA',
  [CKM.EC_EDWARDS_KEY_PAIR_GEN]: 'CKM_EC_EDWARDS_KEY_PAIR_GEN',
  [CKM.EDDSA]: 'CKM_EDDSA',
};

export const CKF = {
  /** C_Initialize: the library may use the operating system's locking (calls come from several threads). */
  OS_LOCKING_OK: 0x2,
  RW_SESSION: 0x2,
  SERIAL_SESSION: 0x4,
  /** Token flags. */
  TOKEN_INITIALIZED: 0x400,
  USER_PIN_LOCKED: 0x40000,
  /** Mechanism flags. */
  SIGN: 0x800,
  GENERATE_KEY_PAIR: 0x10000,
} as const;

export const CKU_USER = 1;

export const CKR = {
  PIN_INCORRECT: 0xa0,
  PIN_INVALID: 0xa1,
  PIN_LEN_RANGE: 0xa2,
  PIN_EXPIRED: 0xa3,
  PIN_LOCKED: 0xa4,
  USER_ALREADY_LOGGED_IN: 0x100,
  CRYPTOKI_ALREADY_INITIALIZED: 0x191,
} as const;
