// Drill step 3: render every zone's signconf from its stored state as a run at `now` would, into a scratch
// directory. Contract: reads nothing itself (the caller loads the states; the rollover core's `enforce` is
// pure and its result is never saved); towards the real signconf directory (only its path names are derived);
// the only files written are new ones inside `scratchDir`. Where a run would first do something the
// drill cannot repeat (allocate pool keys, draw a fresh random NSEC3 salt), the document is rendered
// from the current keys and salt and the reason is noted. When anything is due, the document is also
// rendered from the state as stored (no time advanced), which is what the active node's last write
// must match: step 4 compares that, so a due change is a note rather than a difference.

import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Policy } from '../policy/policy.js';
import { enforce } from '../rollover/index.js';
import { contentHash } from '../signconf/metadata.js';
import { signconfPathFor } from '../signconf/paths.js';
import { renderSignconf } from '../signconf/render.js';
import type { ZoneRow } from '../store/zones.js';
import type { LoadedZone } from '../enforcer/zone-state.js';
import { saltDue } from '../enforcer/zone-step.js';

export interface RenderedZone {
  zone: string;
  /** Where the zone's signconf lives in the real signconf directory. */
  realPath: string;
  scratchPath: string;
  /** SHA-256 of the rendered document (what the stamp and signconf_record carry). */
  hash: string;
  /**
   * SHA-256 of the document rendered from the state as stored, before anything due is applied: what
   * the active node's last write recorded if nothing changed since. The same as `hash` when nothing is due.
   */
  storedHash: string;
  /** State transitions the active node's next run will make (they may or may not change the document). */
  due: string[];
  /**
   * What the next run will do that the drill cannot repeat (allocate pool keys, draw a new NSEC3 salt);
   * either changes the signconf, so the zone differs whatever the hashes say.
   */
  unrepeatable: string[];
}

export type RenderOutcome = { ok: true; rendered: RenderedZone } | { ok: false; zone: string; reason: string };

/** `loaded` is the zone's state as stored (loadZoneStates); undefined when its policy is unknown. */
export async function renderZone(loaded: LoadedZone | undefined, zone: ZoneRow, policy: Policy | undefined, signconfDirectory: string, scratchDir: string, now: Date): Promise<RenderOutcome> {
  try {
    if (!policy || !loaded) return { ok: false, zone: zone.name, reason: `policy ${zone.policy} is not in the database` };
    const realPath = signconfPathFor(signconfDirectory, zone.name, zone.signconfPath);
    const result = enforce(loaded.state, policy, now.getTime());
    const due: string[] = [];
    const unrepeatable: string[] = [];
    const changes = result.actions.filter((a) => a.type !== 'write-signconf' && a.type !== 'create-key');
    if (changes.length > 0) due.push(`a transition is due (${[...new Set(changes.map((a) => a.type))].join(', ')}): the active node's next run (or a failover's) will make it`);
    if (result.rerun) unrepeatable.push("new keys are due from the pool: the active node's next run (or a failover's) will allocate them");
    if (saltDue(policy, zone, now)) unrepeatable.push("an NSEC3 resalt is due: the active node's next run (or a failover's) will draw a new salt");
    const locators = new Map(loaded.rows.map((r) => [String(r.id), r.locator]));
    const render = (state: typeof result.state) =>
      renderSignconf({
        zone: zone.name,
        policy,
        keys: state.keys.flatMap((k) => {
          const locator = locators.get(k.id);
          return locator === undefined ? [] : [{ flags: k.flags, algorithm: k.algorithm, locator, states: k.states }];
        }),
        nsec3Salt: zone.nsec3Salt,
      });
    const document = render(result.state);
    const hash = contentHash(document);
    const storedHash = due.length > 0 || unrepeatable.length > 0 ? contentHash(render(loaded.state)) : hash;
    // Unstamped: a stamp names the epoch and writer, which only a real takeover has.
    const scratchPath = path.join(scratchDir, path.basename(realPath));
    await writeFile(scratchPath, document, { flag: 'wx', mode: 0o644 });
    return { ok: true, rendered: { zone: zone.name, realPath, scratchPath, hash, storedHash, due, unrepeatable } };
  } catch (e) {
    return { ok: false, zone: zone.name, reason: `cannot render: ${(e as Error).message}` };
  }
}

