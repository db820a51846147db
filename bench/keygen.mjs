// Key generation throughput through the real CLI: `key generate --count N` for a KSK+ZSK
// ECDSA P-256 policy into a file keystore, on real PostgreSQL. Prints keys/second and peak RSS.
// Usage: node bench/keygen.mjs [--count N]   (N keys per role; default 5000 → 10,000 keys)

import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPostgres } from './postgres.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const i = process.argv.indexOf('--count');
const count = i > 0 ? Number(process.argv[i + 1]) : 5000;

const { url, stop } = await startPostgres();
try {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'enforcer-bench-'));
  copyFileSync(path.join(root, 'examples', 'kasp.xml'), path.join(dir, 'kasp.xml'));
  writeFileSync(path.join(dir, 'zonelist.xml'), '<?xml version="1.0"?>\n<ZoneList/>\n');
  const config = path.join(dir, 'enforcer.yaml');
  writeFileSync(config, `node: bench\ndatabase: { url: "${url}" }\npolicy: { kasp: kasp.xml, zonelist: zonelist.xml }\nsignconf: { directory: signconf }\nkeystores: { SoftHSM: { type: file, directory: keys } }\nlog: { level: warn }\n`);
  const bin = path.join(root, 'bin', 'enforcer');
  execFileSync(process.execPath, [bin, '--config', config, 'policy', 'import']);
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, bin, '--config', config, 'key', 'generate', '--policy', 'default', '--count', String(count)], { encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(r.stderr);
  const rssKiB = Number(r.stderr.trim().split('\n').pop());
  const keys = count * 2;
  console.log(`machine: ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB`);
  console.log(`key generate: ${keys} ECDSA P-256 keys in ${seconds.toFixed(1)} s = ${(keys / seconds).toFixed(0)} keys/s, peak RSS ${(rssKiB / 1024).toFixed(0)} MiB`);
} finally {
  await stop();
}
