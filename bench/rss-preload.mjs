// Preloaded into benchmarked CLI processes (node --import): on exit, writes the process's peak
// resident set size (KiB, from getrusage) to $BENCH_RSS_FILE. Portable, unlike /usr/bin/time.
import { writeFileSync } from 'node:fs';

process.on('exit', () => {
  const file = process.env.BENCH_RSS_FILE;
  if (file) writeFileSync(file, String(process.resourceUsage().maxRSS));
});
