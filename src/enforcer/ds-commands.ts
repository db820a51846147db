// The configured DS submit/retract commands (OpenDNSSEC's DelegationSignerSubmitCommand and
// ...RetractCommand): run when a run asks the parent for a DS change, with the key's DNSKEY and
// DS records on standard input. The outcome is recorded on the key and in the audit log; a
// successful submit moves the DS workflow from 'submit' to 'submitted'. The roll itself still
// waits for the operator's ds-seen / ds-gone: running a command proves nothing about the parent.

import { dnskeyFor, encodeDnskeyRdata } from '../dnssec/dnskey.js';
import { makeDs } from '../dnssec/ds.js';
import { dnskeyLine, dsLine } from '../dnssec/presentation.js';
import { runHook, type HookResult } from '../lease/hook-runner.js';
import type { Config } from '../config/config.js';
import { audit } from '../store/audit.js';
import type { Db } from '../store/db.js';
import { zoneKeys } from '../store/keys.js';
import { fenced, type Fence } from '../store/lease.js';
import { getPolicy } from '../store/policies.js';
import { getZone } from '../store/zones.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { recordDsAnswer } from './operator-input.js';

export interface DsRequest {
  zone: string;
  type: 'ds-submit' | 'ds-retract';
  keyTag: number;
}

export interface DsCommandDeps {
  db: Db;
  fence: Fence;
  config: Pick<Config, 'ds'>;
  clock: Clock;
  log: Logger;
}

/** What the command reads on stdin: the DNSKEY, then its DS (SHA-256), in presentation format. */
export async function dsCommandInput(db: Db, req: DsRequest): Promise<string | null> {
  const zone = await getZone(db, req.zone);
  const policy = zone ? await getPolicy(db, zone.policy) : null;
  const key = (await zoneKeys(db, req.zone)).find((k) => k.keyTag === req.keyTag && k.role !== 'ZSK');
  if (!zone || !policy || !key) return null;
  const dnskey = dnskeyFor(key.flags, key.algorithm, key.publicKey);
  return [
    dnskeyLine(req.zone, dnskey, { ttl: policy.keys.ttl }),
    dsLine(req.zone, makeDs(req.zone, encodeDnskeyRdata(dnskey), 2), { ttl: policy.parent.dsTtl }),
  ].join('\n') + '\n';
}

/** Run the configured command for one request; returns null when none is configured. */
export async function runDsCommand(d: DsCommandDeps, req: DsRequest): Promise<HookResult | null> {
  const command = req.type === 'ds-submit' ? d.config.ds.submitCommand : d.config.ds.retractCommand;
  if (!command) return null;
  const input = await dsCommandInput(d.db, req);
  if (input === null) return null;
  const result = await runHook({
    name: req.type === 'ds-submit' ? 'dsSubmit' : 'dsRetract',
    command,
    input,
    timeoutSeconds: d.config.ds.timeoutSeconds,
    env: { ENFORCER_ZONE: req.zone, ENFORCER_KEYTAG: String(req.keyTag), ENFORCER_DS_ACTION: req.type },
    log: d.log,
    ...(d.fence.signal ? { signal: d.fence.signal } : {}),
  });
  const now = d.clock.now();
  await fenced(d.db, d.fence, async (tx) => {
    await tx.query(
      `UPDATE zone_key SET ds_hook_status = $3, ds_hook_at = $4 WHERE zone = $1 AND key_tag = $2 AND role <> 'ZSK'`,
      [req.zone, req.keyTag, `${req.type} command: ${result.summary}`, now],
    );
    await audit(tx, d.fence, { actor: 'run', event: `${req.type} command`, zone: req.zone, detail: { keyTag: req.keyTag, ...result } });
  });
  if (result.ok && req.type === 'ds-submit') {
    await recordDsAnswer(d.db, d.fence, req.zone, 'ds-submit', { keyTag: req.keyTag }, now, 'ds-submit command');
  }
  return result;
}
