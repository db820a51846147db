// The `keystores:` section: file and pkcs11 entries, paths resolved against the config file, and
// every wrong combination refused with the field and line named.

import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';

const FILE = '/etc/enforcer/enforcer.yaml';
const config = (...keystore: string[]) =>
  parseConfig(['policy: { kasp: kasp.xml, zonelist: zonelist.xml }', 'signconf: { directory: sc }', 'keystores:', ...keystore].join('\n'), FILE);

describe('keystores section', () => {
  it('reads a pkcs11 keystore with a PIN file, resolving the module and PIN file paths', () => {
    const c = config('  HSM:', '    type: pkcs11', '    module: lib/libsofthsm2.so', '    tokenLabel: OpenDNSSEC', '    pinFile: hsm.pin', '  Files: { type: file, directory: keys }');
    expect(c.keystores.HSM).toMatchObject({
      type: 'pkcs11',
      module: '/etc/enforcer/lib/libsofthsm2.so',
      tokenLabel: 'OpenDNSSEC',
      pin: { file: '/etc/enforcer/hsm.pin' },
      sessions: 1,
    });
    expect(c.keystores.Files).toEqual({ type: 'file', directory: '/etc/enforcer/keys' });
  });

  it('reads a pkcs11 keystore with the PIN in an environment variable (the PIN itself is not read here)', () => {
    const c = config('  HSM: { type: pkcs11, module: /usr/lib/softhsm/libsofthsm2.so, tokenLabel: "ODS token 1", pinEnv: HSM_PIN, sessions: 8 }');
    expect(c.keystores.HSM).toMatchObject({ type: 'pkcs11', tokenLabel: 'ODS token 1', pin: { env: 'HSM_PIN' }, sessions: 8 });
  });

  // [what, entry lines (from line 4), the message after the file name: line, field, detail]
  const bad: Array<[string, string[], string]> = [
    ['no module', ['  HSM:', '    type: pkcs11', '    tokenLabel: T', '    pinEnv: P'], '4: keystores.HSM.module: is required for a pkcs11 keystore'],
    ['no PIN source', ['  HSM:', '    type: pkcs11', '    module: /m.so', '    tokenLabel: T'], '4: keystores.HSM.pinFile: give exactly one of pinEnv (an environment variable) and pinFile (a file only its owner can read)'],
    ['two PIN sources', ['  HSM:', '    type: pkcs11', '    module: /m.so', '    tokenLabel: T', '    pinEnv: P', '    pinFile: f'], '9: keystores.HSM.pinFile: give exactly one of pinEnv (an environment variable) and pinFile (a file only its owner can read)'],
    ['a directory on a pkcs11 keystore', ['  HSM:', '    type: pkcs11', '    directory: keys'], '6: keystores.HSM.directory: is not a setting of a pkcs11 keystore (its settings: module, tokenLabel, pinEnv, pinFile, sessions)'],
    ['a module on a file keystore', ['  K:', '    type: file', '    directory: keys', '    module: /m.so'], '7: keystores.K.module: is not a setting of a file keystore (its settings: directory)'],
    ['a file keystore without a directory', ['  K: { type: file }'], '4: keystores.K.directory: is required for a file keystore'],
    ['a token label over 32 octets', [`  HSM: { type: pkcs11, module: /m.so, tokenLabel: "${'x'.repeat(33)}", pinEnv: P }`], '4: keystores.HSM.tokenLabel: must be 1 to 32 octets without trailing blanks'],
    ['a PIN variable that is no variable name', ['  HSM: { type: pkcs11, module: /m.so, tokenLabel: T, pinEnv: "$PIN" }'], '4: keystores.HSM.pinEnv: has an invalid value "$PIN" (an environment variable name)'],
    ['zero sessions', ['  HSM: { type: pkcs11, module: /m.so, tokenLabel: T, pinEnv: P, sessions: 0 }'], '4: keystores.HSM.sessions: must be at least 1'],
    ['an unknown type', ['  HSM: { type: hsm }'], '4: keystores.HSM.type: must be one of file, pkcs11'],
  ];
  it.each(bad)('refuses %s, naming the field and line', (_what, lines, message) => {
    expect(() => config(...lines)).toThrow(`${FILE}:${message}`);
  });
});
