// `config compare` on a standby: identical configuration, then a changed policy value and a
// missing zone, each reported as its own `difference:` line with a non-zero exit.

import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/util/exit-codes.js';
import { exampleSetup, runCli } from '../helpers/cli.js';
import { createPostgresDatabase } from '../helpers/databases.js';

describe('config compare', () => {
  let drop: () => Promise<void>;
  let a: { dir: string; config: string };
  let b: { dir: string; config: string };

  beforeAll(async () => {
    const pg = await createPostgresDatabase();
    drop = pg.drop;
    a = exampleSetup({ url: pg.url });
    b = exampleSetup({ url: pg.url });
    for (const [s, node] of [[a, 'node-a'], [b, 'node-b']] as const) {
      writeFileSync(s.config, readFileSync(s.config, 'utf8').replace('node: test-node', `node: ${node}`));
    }
    const run = await runCli(['--config', a.config, 'run']);
    expect(run.code).toBe(0);
  });
  afterAll(async () => drop());

  it('finds nothing to report when both nodes read the same files', async () => {
    const r = await runCli(['--config', b.config, 'config', 'compare']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^identical to the configuration node-a recorded at \S+ \([0-9a-f]{12}\)\n$/);
  });

  it('reports a changed policy value and a missing zone, one line each', async () => {
    const kasp = path.join(b.dir, 'kasp.xml');
    writeFileSync(kasp, readFileSync(kasp, 'utf8').replace('<Lifetime>P90D</Lifetime>', '<Lifetime>P60D</Lifetime>'));
    const zl = path.join(b.dir, 'zonelist.xml');
    writeFileSync(zl, readFileSync(zl, 'utf8').replace(/<Zone name="example\.net">[\s\S]*?<\/Zone>/, ''));
    const r = await runCli(['--config', b.config, 'config', 'compare']);
    expect(r.code).toBe(EXIT.ERROR);
    expect(r.stdout.trim().split('\n')).toEqual([
      'difference: policy default: keys.list[1].lifetime: this node 5184000, node-a 7776000',
      'difference: zone example.net: only on node-a',
    ]);
    const json = JSON.parse((await runCli(['--config', b.config, '--json', 'config', 'compare'])).stdout);
    expect(json.differences).toHaveLength(2);
    expect(json.recorded.node).toBe('node-a');
  });
});
