// Which command line runs `check` (where -c after the command name is the critical threshold and a
// usage error exits 3): the first word that is neither a global option nor a global option's value.

import { describe, expect, it } from 'vitest';
import { isCheckInvocation } from '../../src/cli/commands/check.js';
import { GLOBAL_OPTIONS_WITH_VALUE as GLOBALS } from '../../src/cli/main.js';

describe('isCheckInvocation', () => {
  it.each([
    [['check', 'lease'], true],
    [['-c', 'enforcer.yaml', 'check', 'signconf', '-w', '1h', '-c', '1d'], true],
    [['--json', '--log-level', 'debug', 'check', 'all'], true],
    [['--config=enforcer.yaml', 'check', 'all'], true],
    [['-c', 'lab.yaml', '--lab-time', 'P2D', 'check', 'lease', '-c', '1d'], true],
    [['--lab-time', 'check', 'run'], false],
    [['--config', 'check', 'status'], false],
    [['status', 'check'], false],
    [['-c', 'enforcer.yaml', 'run'], false],
    [[], false],
  ])('%j → %s', (args, expected) => {
    expect(isCheckInvocation(args, GLOBALS)).toBe(expected);
  });
});
