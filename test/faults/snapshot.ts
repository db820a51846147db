// What the invariant checker reads, as plain data: the lease history (recorded by a test-only
// trigger, see test/helpers/lease-history.ts), the audit log, the run log, keys, signconf records,
// and every file of every node's signconf directory and keystore. The checks (invariants.ts) are
// pure functions of this, so a unit test can hand them a snapshot with one thing broken.

export interface LeaseChange {
  id: number;
  /** Database clock when the lease row changed. */
  at: Date;
  epoch: number;
  activeNode: string | null;
  holderNode: string | null;
}

export interface AuditEvent {
  id: number;
  at: Date;
  node: string;
  zone: string | null;
  keyLocator: string | null;
  event: string;
  detail: Record<string, unknown>;
  epoch: number;
}

export interface RunRow {
  id: number;
  node: string;
  /** The epoch the row was last written under (an abandoned row's: the run that marked it). */
  epoch: number;
  /** Database clock, like the audit log's (not the run's own, possibly moved, clock). */
  startedAt: Date;
  finishedAt: Date | null;
  outcome: string;
  /** An abandoned row: the epoch its run acted under, and the node whose run marked it. */
  abandoned?: { runEpoch: number; noticedBy: string } | null;
}

export type RecordName = 'ds' | 'dnskey' | 'rrsigdnskey' | 'rrsig';

export interface ZoneKeyRow {
  id: number;
  zone: string;
  locator: string;
  role: string;
  goal: string;
  states: Record<RecordName, string>;
  dsAtParent: string;
  keyTag: number;
}

export interface HsmKeyRow {
  locator: string;
  policy: string;
  role: string;
  status: string;
}

export interface SignconfRecordRow {
  zone: string;
  path: string;
  contentHash: string;
  writtenEpoch: number;
  writtenBy: string;
}

export interface SignconfFile {
  node: string;
  path: string;
  name: string;
  text: string;
  /** Status change time: a rename into place sets it (the mtime stays the temp file's). */
  ctimeMs: number;
}

export interface PolicyFacts {
  name: string;
  shareKeys: boolean;
  /** How many keys of each role the policy lists. */
  roles: Record<string, number>;
  /** Lower bounds (s) for a record's move to omnipresent or hidden: the TTL plus the propagation delay. */
  minWait: { dnskey: number; rrsig: number };
}

export interface FaultSnapshot {
  leaseHistory: LeaseChange[];
  audit: AuditEvent[];
  runs: RunRow[];
  hsmKeys: HsmKeyRow[];
  zoneKeys: ZoneKeyRow[];
  signconfRecords: SignconfRecordRow[];
  zonePolicies: Record<string, string>;
  policies: PolicyFacts[];
  files: SignconfFile[];
  /** Leftover temp files (a crash mid-write), per node: reported, not a violation. */
  tempFiles: string[];
  /** Locators present in each node's keystore. */
  keystores: Record<string, string[]>;
}

export interface Violation {
  invariant: 'I1' | 'I2' | 'I3' | 'I4' | 'I5';
  detail: string;
}
