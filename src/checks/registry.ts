// The checks `enforcer check <name>` knows, in the order `check all` runs them.

import { allCheckOf } from './all.js';
import type { CheckSpec } from './check.js';
import { keystoreCheck } from './keystore.js';
import { leaseCheck } from './lease.js';
import { liveCheck } from './live.js';
import { rolloverCheck } from './rollover.js';
import { signconfCheck } from './signconf.js';

export const CHECKS: readonly CheckSpec[] = [signconfCheck, leaseCheck, liveCheck, rolloverCheck, keystoreCheck];

export const ALL_CHECKS: readonly CheckSpec[] = [...CHECKS, allCheckOf(CHECKS)];
