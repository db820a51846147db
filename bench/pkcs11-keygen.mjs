// Key generation throughput in a SoftHSM token through the PKCS#11 keystore (generation inside the
// token, public key read back, sign-and-verify self-test), four at a time as the key pool does.
// Prints keys/second per algorithm. Needs softhsm2 and the pkcs11js build; run `npm run build` first.
// Usage: node bench/pkcs11-keygen.mjs [--count N]   (N keys per curve algorithm, N/10 per RSA; default 200)

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const i = process.argv.indexOf('--count');
const count = i > 0 ? Number(process.argv[i + 1]) : 200;
const sessions = Number(process.env.BENCH_SESSIONS ?? 1);
const module = ['/usr/lib/softhsm/libsofthsm2.so', '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so'].find((p) => existsSync(p));
if (!module) throw new Error('SoftHSM is not installed (Debian package softhsm2)');

const dir = mkdtempSync(path.join(os.tmpdir(), 'enforcer-bench-softhsm-'));
mkdirSync(path.join(dir, 'tokens'));
const conf = path.join(dir, 'softhsm2.conf');
writeFileSync(conf, `directories.tokendir = ${dir}/tokens\nobjectstore.backend = file\nlog.level = ERROR\n`);
process.env.SOFTHSM2_CONF = conf;
execFileSync('softhsm2-util', ['--init-token', '--free', '--label', 'bench', '--pin', '1234', '--so-pin', '5678'], { stdio: 'ignore' });

const { Pkcs11Keystore } = await import(path.join(root, 'dist', 'keys', 'pkcs11-keystore.js'));
const ks = await Pkcs11Keystore.open({ keystore: 'bench', module, tokenLabel: 'bench', pin: { env: 'BENCH_PIN' }, sessions }, { BENCH_PIN: '1234' });
console.log(`machine: ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB; SoftHSM file object store`);
const cases = [[13, 256, count], [14, 384, count], [15, 256, count], [16, 456, count], [8, 2048, Math.ceil(count / 10)], [10, 2048, Math.ceil(count / 10)], [8, 4096, Math.ceil(count / 40)]];
try {
  for (const [algorithm, bits, n] of cases) {
    let started = 0;
    const worker = async () => {
      while (started < n) {
        started++;
        await ks.generate(algorithm, bits);
      }
    };
    const t0 = process.hrtime.bigint();
    await Promise.all(Array.from({ length: Math.min(4, n) }, worker));
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    console.log(`algorithm ${algorithm} (${bits} bits): ${n} keys in ${seconds.toFixed(1)} s = ${(n / seconds).toFixed(1)} keys/s`);
  }
} finally {
  await ks.close();
}
