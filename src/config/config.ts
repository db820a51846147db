// The enforcer's configuration: one YAML file, checked strictly (unknown keys and wrong types
// are errors naming the file, line and field). Relative paths are resolved against the config
// file's own directory, so cron jobs behave the same whatever their working directory.

import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LineCounter, parseDocument, isMap, isScalar, type Node as YamlNode } from 'yaml';
import { InputError } from '../policy/errors.js';
import { checkValue, type FieldSpec } from './schema.js';
import { checkProbeSection, type ProbeConfig } from '../failover/probe-config.js';
import { checkDsCheckSection, type DsCheckConfig } from './ds-check-config.js';
import { KEYSTORE_ENTRY_SCHEMA, keystoreConfig, keystoreEntryProblem, type KeystoreConfig, type RawKeystoreEntry } from './keystore-config.js';

export type { FileKeystoreConfig, KeystoreConfig, Pkcs11KeystoreConfig } from './keystore-config.js';

export interface Config {
  /** Absolute path of the file this came from (for messages). */
  file: string;
  /** This node's name, as recorded in the lease and the audit log. */
  node: string;
  database:
    | { kind: 'postgres'; url: string }
    | { kind: 'embedded'; directory: string };
  kasp: string;
  zonelist: string;
  signconfDirectory: string;
  keystores: Record<string, KeystoreConfig>;
  log: { level: string; file: string | null };
  lease: { ttlSeconds: number; renewSeconds: number };
  /** Commands run (with /bin/sh -c) when this node becomes active or standby; see docs/single-active.md. */
  hooks: { onActive: string | null; onStandby: string | null; timeoutSeconds: number };
  /**
   * How the signer is told that a signconf changed (OpenDNSSEC's enforcer runs `ods-signer update
   * <zone>`): `{zone}` in notifyCommand is replaced by the zone name and `{signconf}` by the file;
   * notifyAllCommand is run once instead when more than notifyAllThreshold zones changed together.
   * A zone counts as published only once its file is in place and the command succeeded
   * (src/enforcer/publication.ts); `check signconf` reports a zone whose publication has waited
   * longer than pendingWarning / pendingCritical seconds.
   */
  signer: SignerConfig;
  /**
   * How far this node's clock may be from the database's (seconds) before it refuses to act;
   * every state timestamp and due time is taken from the database's clock (src/lease/clock-skew.ts).
   */
  clock: { maxSkewSeconds: number };
  /** Commands told about DS changes at the parent (DNSKEY and DS records on stdin). */
  ds: { submitCommand: string | null; retractCommand: string | null; timeoutSeconds: number };
  /** Authoritative servers the failover drill asks for live DNSKEY sets; absent when not configured. */
  probe?: ProbeConfig;
  /** Where `key ds-check` finds the parent's servers; absent when not configured. */
  dsCheck?: DsCheckConfig;
  /** How `failover` decides the active node is down, and what it runs once it says GO. */
  failover: FailoverConfig;
}

export interface SignerConfig {
  notifyCommand: string | null;
  notifyAllCommand: string | null;
  notifyAllThreshold: number;
  timeoutSeconds: number;
  pendingWarningSeconds: number;
  pendingCriticalSeconds: number;
}

export const NOTIFY_ALL_THRESHOLD_DEFAULT = 20;
/** NTP keeps clocks within milliseconds; a minute off means it is not working. */
export const CLOCK_MAX_SKEW_DEFAULT = 60;
/**
 * A publication may wait this long before `check signconf` warns (a run is between writing and
 * telling the signer, or the next cron run retries), and before it is CRITICAL: two hourly runs.
 */
export const PENDING_DEFAULTS = { warningSeconds: 900, criticalSeconds: 7200 } as const;

export interface FailoverConfig {
  /**
   * Seconds without a sign of life from the active node (a run started or finished, a lease renewal)
   * before a failover may go ahead without --partner-down. Several cron intervals, never less.
   */
  safePeriodSeconds: number;
  /** Whether this node's `run` fails over by itself once the active node has been silent for the safe period. */
  autoTakeover: boolean;
  /** Run (with /bin/sh -c) after a GO, e.g. to start or reload the signer here; null for none. */
  publishCommand: string | null;
  publishTimeoutSeconds: number;
}

/** Lease defaults in Patroni's spirit (ttl 30 s, loop_wait 10 s). */
export const LEASE_DEFAULTS = { ttlSeconds: 30, renewSeconds: 10 } as const;
export const HOOK_TIMEOUT_DEFAULT = 30;
/** One hour: a node running from an hourly cron line misses at least one run before it counts as down. */
export const SAFE_PERIOD_DEFAULT = 3600;

const NODE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

const SCHEMA: FieldSpec = {
  kind: 'object',
  fields: {
    node: { kind: 'string', optional: true, pattern: NODE_NAME, hint: 'letters, digits, dot, dash, underscore; at most 63' },
    database: {
      kind: 'object',
      optional: true,
      fields: {
        url: { kind: 'string', optional: true, pattern: /^postgres(ql)?:\/\//, hint: 'a postgres:// URL' },
        dataDirectory: { kind: 'string', optional: true },
      },
    },
    policy: {
      kind: 'object',
      fields: {
        kasp: { kind: 'string' },
        zonelist: { kind: 'string' },
      },
    },
    signconf: {
      kind: 'object',
      fields: { directory: { kind: 'string' } },
    },
    keystores: { kind: 'map', value: KEYSTORE_ENTRY_SCHEMA },
    log: {
      kind: 'object',
      optional: true,
      fields: {
        level: { kind: 'enum', values: ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'], optional: true },
        file: { kind: 'string', optional: true },
      },
    },
    lease: {
      kind: 'object',
      optional: true,
      fields: {
        ttl: { kind: 'integer', optional: true, min: 5, max: 3600 },
        renewInterval: { kind: 'integer', optional: true, min: 1, max: 1200 },
      },
    },
    signer: {
      kind: 'object',
      optional: true,
      fields: {
        notifyCommand: { kind: 'string', optional: true, pattern: /\S/, hint: 'a shell command; {zone} stands for the zone name' },
        notifyAllCommand: { kind: 'string', optional: true, pattern: /\S/, hint: 'a shell command' },
        notifyAllThreshold: { kind: 'integer', optional: true, min: 0, max: 1_000_000 },
        timeout: { kind: 'integer', optional: true, min: 1, max: 3600 },
        pendingWarning: { kind: 'integer', optional: true, min: 60, max: 30 * 86400 },
        pendingCritical: { kind: 'integer', optional: true, min: 60, max: 30 * 86400 },
      },
    },
    clock: {
      kind: 'object',
      optional: true,
      fields: { maxSkew: { kind: 'integer', optional: true, min: 1, max: 3600 } },
    },
    ds: {
      kind: 'object',
      optional: true,
      fields: {
        submitCommand: { kind: 'string', optional: true, pattern: /\S/, hint: 'a shell command' },
        retractCommand: { kind: 'string', optional: true, pattern: /\S/, hint: 'a shell command' },
        timeout: { kind: 'integer', optional: true, min: 1, max: 3600 },
      },
    },
    // Listed so unknown-key messages name it; checked by checkDsCheckSection, not here.
    dsCheck: { kind: 'map', optional: true, value: { kind: 'boolean', optional: true } },
    hooks: {
      kind: 'object',
      optional: true,
      fields: {
        onActive: { kind: 'string', optional: true, pattern: /\S/, hint: 'a shell command' },
        onStandby: { kind: 'string', optional: true, pattern: /\S/, hint: 'a shell command' },
        timeout: { kind: 'integer', optional: true, min: 1, max: 3600 },
      },
    },
    failover: {
      kind: 'object',
      optional: true,
      fields: {
        safePeriod: { kind: 'integer', optional: true, min: 60, max: 30 * 86400 },
        autoTakeover: { kind: 'boolean', optional: true },
        publishCommand: { kind: 'string', optional: true, pattern: /\S/, hint: 'a shell command' },
        publishTimeout: { kind: 'integer', optional: true, min: 1, max: 3600 },
      },
    },
    // Listed so unknown-key messages name it; its lists are checked by checkProbeSection, not here.
    probe: { kind: 'map', optional: true, value: { kind: 'boolean', optional: true } },
  },
};

/** Environment the loader may read; injected so tests do not depend on the real environment. */
export type Env = Record<string, string | undefined>;

export function loadConfigFile(file: string, env: Env = process.env): Config {
  const abs = path.resolve(file);
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch (e) {
    throw new InputError({ file: abs }, `cannot read configuration: ${(e as Error).message}`);
  }
  return parseConfig(text, abs, env);
}

export function parseConfig(text: string, file: string, env: Env = {}): Config {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    const err = doc.errors[0]!;
    const line = lines.linePos(err.pos[0]).line;
    throw new InputError({ file, line }, `not valid YAML: ${err.message.split('\n')[0]}`);
  }
  const raw = doc.toJS() ?? {};
  const { probe: rawProbe, dsCheck: rawDsCheck, ...rest } = raw as Record<string, unknown>;
  const probe = rawProbe === undefined ? null : checkProbeSection(rawProbe);
  const dsCheck = rawDsCheck === undefined ? null : checkDsCheckSection(rawDsCheck);
  const problem =
    checkValue(SCHEMA, rest, '') ??
    keystoresProblem(rest.keystores) ??
    (probe && !probe.ok ? probe.problem : null) ??
    (dsCheck && !dsCheck.ok ? dsCheck.problem : null);
  if (problem) {
    throw new InputError({ file, path: problem.path, line: lineOf(doc.contents, problem.path, lines) }, problem.message);
  }
  const ttlSeconds: number = raw.lease?.ttl ?? LEASE_DEFAULTS.ttlSeconds;
  // Without an explicit renewInterval, renew three times per ttl (10 s for the default 30 s).
  const renewSeconds: number = raw.lease?.renewInterval ?? Math.max(1, Math.min(LEASE_DEFAULTS.renewSeconds, Math.floor(ttlSeconds / 3)));
  if (renewSeconds * 2 > ttlSeconds) {
    throw new InputError(
      { file, path: 'lease.renewInterval', line: lineOf(doc.contents, 'lease.renewInterval', lines) },
      'must be at most half of lease.ttl, so one missed renewal does not lose the lease',
    );
  }
  const pendingWarningSeconds: number = raw.signer?.pendingWarning ?? PENDING_DEFAULTS.warningSeconds;
  const pendingCriticalSeconds: number = raw.signer?.pendingCritical ?? Math.max(PENDING_DEFAULTS.criticalSeconds, pendingWarningSeconds);
  if (pendingCriticalSeconds < pendingWarningSeconds) {
    throw new InputError(
      { file, path: 'signer.pendingCritical', line: lineOf(doc.contents, 'signer.pendingCritical', lines) },
      `must be at least signer.pendingWarning (${pendingWarningSeconds} s)`,
    );
  }
  const safePeriodSeconds: number = raw.failover?.safePeriod ?? SAFE_PERIOD_DEFAULT;
  if (safePeriodSeconds <= ttlSeconds) {
    throw new InputError(
      { file, path: 'failover.safePeriod', line: lineOf(doc.contents, 'failover.safePeriod', lines) },
      `must be longer than lease.ttl (${ttlSeconds}): a node counts as down only after its lease could have run out`,
    );
  }
  const base = path.dirname(file);
  const at = (p: string) => path.resolve(base, p);
  const url = env.ENFORCER_DATABASE_URL || raw.database?.url;
  const keystores: Record<string, KeystoreConfig> = {};
  for (const [name, ks] of Object.entries(raw.keystores as Record<string, RawKeystoreEntry>)) {
    keystores[name] = keystoreConfig(name, ks, base);
  }
  return {
    file,
    node: raw.node ?? env.ENFORCER_NODE ?? os.hostname().split('.')[0] ?? 'localhost',
    database: url ? { kind: 'postgres', url } : { kind: 'embedded', directory: at(raw.database?.dataDirectory ?? 'var/db') },
    kasp: at(raw.policy.kasp),
    zonelist: at(raw.policy.zonelist),
    signconfDirectory: at(raw.signconf.directory),
    keystores,
    log: { level: raw.log?.level ?? 'info', file: raw.log?.file ? at(raw.log.file) : null },
    lease: { ttlSeconds, renewSeconds },
    signer: {
      notifyCommand: raw.signer?.notifyCommand ?? null,
      notifyAllCommand: raw.signer?.notifyAllCommand ?? null,
      notifyAllThreshold: raw.signer?.notifyAllThreshold ?? NOTIFY_ALL_THRESHOLD_DEFAULT,
      timeoutSeconds: raw.signer?.timeout ?? HOOK_TIMEOUT_DEFAULT,
      pendingWarningSeconds,
      pendingCriticalSeconds,
    },
    clock: { maxSkewSeconds: raw.clock?.maxSkew ?? CLOCK_MAX_SKEW_DEFAULT },
    ds: {
      submitCommand: raw.ds?.submitCommand ?? null,
      retractCommand: raw.ds?.retractCommand ?? null,
      timeoutSeconds: raw.ds?.timeout ?? HOOK_TIMEOUT_DEFAULT,
    },
    hooks: {
      onActive: raw.hooks?.onActive ?? null,
      onStandby: raw.hooks?.onStandby ?? null,
      timeoutSeconds: raw.hooks?.timeout ?? HOOK_TIMEOUT_DEFAULT,
    },
    ...(probe?.ok ? { probe: probe.probe } : {}),
    ...(dsCheck?.ok ? { dsCheck: dsCheck.dsCheck } : {}),
    failover: {
      safePeriodSeconds,
      autoTakeover: raw.failover?.autoTakeover ?? false,
      publishCommand: raw.failover?.publishCommand ?? null,
      publishTimeoutSeconds: raw.failover?.publishTimeout ?? HOOK_TIMEOUT_DEFAULT,
    },
  };
}

function keystoresProblem(section: unknown) {
  for (const [name, entry] of Object.entries((section ?? {}) as Record<string, RawKeystoreEntry>)) {
    const p = keystoreEntryProblem(entry, `keystores.${name}`);
    if (p) return p;
  }
  return null;
}

/** Line (1-based) of the deepest existing node on a dotted path, for error messages. */
function lineOf(root: YamlNode | null | undefined, dotted: string, lines: LineCounter): number | undefined {
  let node: unknown = root;
  let best: number | undefined = node && (node as YamlNode).range ? lines.linePos((node as YamlNode).range![0]).line : undefined;
  for (const key of dotted.split('.').filter(Boolean)) {
    if (!isMap(node)) break;
    const pair = node.items.find((it) => isScalar(it.key) && String(it.key.value) === key);
    if (!pair) break;
    const keyNode = pair.key as YamlNode;
    if (keyNode.range) best = lines.linePos(keyNode.range[0]).line;
    node = pair.value;
  }
  return best;
}
