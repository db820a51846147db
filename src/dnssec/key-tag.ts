// Key tag of a DNSKEY (RFC 4034 Appendix B): a 16-bit checksum over the DNSKEY RDATA.
// Contract: input is the complete RDATA (flags, protocol, algorithm, public key).
// Algorithm 1 (RSA/MD5) uses a different rule (Appendix B.1); we never generate or accept it,
// so asking for its tag is an error instead of a silently wrong number.

export class KeyTagError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyTagError';
  }
}

export function keyTag(dnskeyRdata: Uint8Array): number {
  if (dnskeyRdata.length < 4) throw new KeyTagError('DNSKEY RDATA is shorter than its fixed header');
  if (dnskeyRdata[3] === 1) throw new KeyTagError('key tags of algorithm 1 (RSAMD5) keys are not supported');
  let acc = 0;
  for (let i = 0; i < dnskeyRdata.length; i++) {
    acc += (i & 1) === 0 ? dnskeyRdata[i]! << 8 : dnskeyRdata[i]!;
  }
  acc += (acc >>> 16) & 0xffff;
  return acc & 0xffff;
}
