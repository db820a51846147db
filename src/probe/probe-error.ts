// Why a question to one server produced no usable answer. Contract: every network failure of the probe
// ends as one of these values, never as an exception, so one broken server cannot abort a run over many
// zones; the kinds are what an operator acts on (a dead server differs from a lame or a lying one).

export type ProbeErrorKind =
  /** No answer within the time allowed (after every retry). */
  | 'timeout'
  /** The socket failed: refused, unreachable, reset, closed mid-answer. */
  | 'network'
  /** TC=1 even over TCP, so the complete answer was never seen. */
  | 'truncated'
  /** An answer to our question that does not parse or breaks the wire format. */
  | 'malformed'
  /** Only answers with a wrong id or question arrived (possibly forged); none was accepted. */
  | 'mismatch'
  /** An answer larger than we allow (UDP above the advertised EDNS buffer, TCP above the cap). */
  | 'oversized'
  /** The server answered with an error code (REFUSED, SERVFAIL, NXDOMAIN at a zone apex, …). */
  | 'rcode'
  /** The server answered without the AA bit: it does not serve the zone (a lame delegation). */
  | 'not-authoritative';

export interface ProbeError {
  kind: ProbeErrorKind;
  message: string;
}

export function probeError(kind: ProbeErrorKind, message: string): ProbeError {
  return { kind, message };
}

/** Kinds that mean nothing came back at all, as opposed to something wrong coming back. */
export function isUnreachable(e: ProbeError): boolean {
  return e.kind === 'timeout' || e.kind === 'network';
}
