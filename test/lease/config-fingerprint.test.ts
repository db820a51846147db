// The configuration fingerprint: equal for equal meaning (order, formatting), different for any
// change in policies, zones or keystore names.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fingerprintOf } from '../../src/lease/config-fingerprint.js';
import { parseKasp } from '../../src/policy/kasp.js';
import { parseZonelist } from '../../src/zones/zonelist.js';
import { ROOT } from '../helpers/cli.js';

const kasp = readFileSync(path.join(ROOT, 'examples', 'kasp.xml'), 'utf8');
const zonelist = readFileSync(path.join(ROOT, 'examples', 'zonelist.xml'), 'utf8');
const policies = parseKasp(kasp, 'kasp.xml');
const zones = parseZonelist(zonelist, 'zonelist.xml');
const base = { policies, zones, keystoreNames: ['SoftHSM'] };

describe('configuration fingerprint', () => {
  it('is a sha256 that ignores order and formatting', () => {
    const fp = fingerprintOf(base);
    expect(fp).toMatch(/^[0-9a-f]{64}$/);
    expect(fingerprintOf({ policies: [...policies].reverse(), zones: [...zones].reverse(), keystoreNames: ['SoftHSM'] })).toBe(fp);
    const reformatted = parseKasp(kasp.replace(/\n\s*/g, '\n').replace('<KASP>', '<KASP>\n<!-- a comment -->'), 'elsewhere/kasp.xml');
    expect(fingerprintOf({ ...base, policies: reformatted })).toBe(fp);
  });

  it('changes with any policy, zone or keystore difference', () => {
    const fp = fingerprintOf(base);
    const p0 = policies[0]!;
    expect(fingerprintOf({ ...base, policies: [{ ...p0, keys: { ...p0.keys, ttl: p0.keys.ttl + 1 } }, ...policies.slice(1)] })).not.toBe(fp);
    expect(fingerprintOf({ ...base, zones: zones.slice(1) })).not.toBe(fp);
    expect(fingerprintOf({ ...base, zones: [{ ...zones[0]!, policy: 'other' }, ...zones.slice(1)] })).not.toBe(fp);
    expect(fingerprintOf({ ...base, keystoreNames: ['SoftHSM', 'Other'] })).not.toBe(fp);
  });
});
