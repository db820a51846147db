// Where a zone's signconf lives. Every path, derived or given in the zone list, must resolve to a
// file directly inside the configured signconf directory: nothing a zone name or a zone list
// says can make the enforcer write elsewhere.

import path from 'node:path';
import { signconfFileName } from '../zones/zone-name.js';
import { EnforcerError, EXIT } from '../util/exit-codes.js';

export function signconfPathFor(directory: string, zone: string, given: string | null): string {
  const dir = path.resolve(directory);
  const target = given ? path.resolve(dir, given) : path.join(dir, signconfFileName(zone));
  if (path.dirname(target) !== dir || target.includes('\0')) {
    throw new EnforcerError(
      `zone ${zone}: signconf path ${JSON.stringify(given ?? target)} is not a file directly inside the signconf directory ${dir}`,
      EXIT.BAD_INPUT,
    );
  }
  return target;
}
