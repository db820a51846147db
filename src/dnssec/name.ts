// Domain names in DNSSEC canonical wire form (RFC 4034 §6.2): uncompressed, ASCII letters lower-cased.
// Contract: names arrive in presentation form with or without the trailing dot; "" and "." are the root.
// Escapes (\. or \DDD) are refused rather than half-supported: zone names with them are not worth the risk.

const MAX_LABEL = 63;
const MAX_NAME = 255;

export class NameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NameError';
  }
}

/** Lower-cased labels of a name, without the root label. */
export function nameLabels(name: string): string[] {
  if (name.includes('\\')) throw new NameError(`escaped characters are not supported in name ${JSON.stringify(name)}`);
  const trimmed = name.endsWith('.') ? name.slice(0, -1) : name;
  if (trimmed === '') return [];
  const labels = trimmed.split('.');
  for (const label of labels) {
    if (label.length === 0) throw new NameError(`empty label in name ${JSON.stringify(name)}`);
    if (Buffer.byteLength(label, 'utf8') > MAX_LABEL) throw new NameError(`label longer than 63 octets in ${JSON.stringify(name)}`);
  }
  return labels.map(asciiLower);
}

/** RFC 4034 §6.2 lower-casing touches only US-ASCII letters. */
function asciiLower(s: string): string {
  return s.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));
}

export function canonicalNameWire(name: string): Uint8Array {
  const parts: Buffer[] = [];
  for (const label of nameLabels(name)) {
    const bytes = Buffer.from(label, 'utf8');
    parts.push(Buffer.from([bytes.length]), bytes);
  }
  parts.push(Buffer.from([0]));
  const wire = Buffer.concat(parts);
  if (wire.length > MAX_NAME) throw new NameError(`name longer than 255 octets: ${JSON.stringify(name)}`);
  return new Uint8Array(wire);
}

/** Fully qualified lower-case presentation form, with the trailing dot ("." for the root). */
export function fqdn(name: string): string {
  const labels = nameLabels(name);
  return labels.length === 0 ? '.' : labels.join('.') + '.';
}
