// `npm run bench [-- --zones N[,N…]] [--db postgres|embedded|postgres,embedded] [--drill-zones N]`:
// sets the benchmark's environment from the options and runs bench/*.bench.ts under vitest.
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const env = { ...process.env };
const names = { '--zones': 'BENCH_ZONES', '--db': 'BENCH_DB', '--drill-zones': 'BENCH_DRILL_ZONES' };
for (let i = 0; i < args.length; i += 2) {
  const name = names[args[i]];
  if (!name || args[i + 1] === undefined) {
    console.error(`usage: npm run bench -- [--zones N[,N...]] [--db postgres|embedded|postgres,embedded] [--drill-zones N]`);
    process.exit(2);
  }
  env[name] = args[i + 1];
}
const r = spawnSync('npx', ['vitest', 'run', '--config', 'vitest.bench.config.ts', '--reporter', 'dot'], { stdio: 'inherit', env });
process.exit(r.status ?? 1);
