// The rollover core's public face: a pure function of (zone state, policy, now) that returns the
// actions to take, what it waits for and when to run again, plus apply, plan and the DS answers.
// Contract: nothing under src/rollover/ reads a database, a file, the clock or the network, or logs.

export * from './types.js';
export { enforce } from './enforce.js';
export { apply, applyAction, newKey, ApplyError, type CreateKeyAction, type NewKeyIdentity } from './apply.js';
export { markSubmitted, markSeen, markGone, DsWorkflowError } from './ds-parent.js';
export { plan, sequentialIdentity } from './plan.js';
export type { OperatorModel, PlanEvent, PlanOptions, PlanResult, PlanStep, SignconfSnapshot, SignconfKeyFlags, TimelineEntry } from './plan.js';
export { summarize, iso, type KeySummary } from './explain.js';
export { flagsOf, signconfFlags, type SignconfFlags } from './signconf-flags.js';
export { initialTtls, emptyZoneState, assumePublished } from './zone-state.js';
export { rolloverKeyFromRow } from './from-store.js';
export {
  DEFAULT_MAX_ZONE_TTL,
  earliest,
  negativeTtl,
  policyTtl,
  propagation,
  signatureReplacement,
  zoneDataTtl,
} from './timing.js';
export { minimizeFor, initialStates } from './policy-view.js';
