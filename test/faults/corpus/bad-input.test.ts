// The bad-input corpus fed to every entry point of a live two-node cluster: hostile and malformed
// kasp.xml and zonelist.xml (entity expansion, external entities, a file over the size limit, deep
// nesting, truncation, binary), through `policy import`, `zonelist import` and the cron `run` that
// reads the configured files; hostile zone names through `zone add`; a configuration with wrong
// types through `run`, `status` and `failover`; and authoritative servers that answer oversized,
// truncated, mismatched, forged or malformed DNS messages to `failover --drill`. Each is refused
// with an error naming what is wrong, nothing is written (database and directories compared), and
// afterwards the nodes still work: a run, a GO drill, and the invariants all hold.
// (The parsers' and the DNS client's own unit tests are in test/policy and test/probe.)

import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_XML_BYTES } from '../../../src/policy/xml.js';
import { EXIT } from '../../../src/util/exit-codes.js';
import { runCli } from '../../helpers/cli.js';
import { snapshotDatabase, snapshotDirectory } from '../../helpers/db-snapshot.js';
import { FaultCluster, NODES } from '../../helpers/fault-cluster.js';
import { Scenario } from '../../helpers/fault-report.js';
import type { Behaviour } from '../../helpers/dns-responder.js';

const LAUGHS = (root: string) =>
  `<?xml version="1.0"?>\n<!DOCTYPE ${root} [\n <!ENTITY a "aaaaaaaaaa">\n <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">\n` +
  ` <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">\n <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">\n]>\n<${root}>&d;&d;&d;</${root}>\n`;
const EXTERNAL = (root: string) => `<?xml version="1.0"?>\n<!DOCTYPE ${root} [ <!ENTITY x SYSTEM "file:///etc/passwd"> ]>\n<${root}>&x;</${root}>\n`;
const PARAMETER = (root: string) => `<?xml version="1.0"?>\n<!DOCTYPE ${root} [ <!ENTITY % p SYSTEM "http://192.0.2.1/x.dtd"> %p; ]>\n<${root}/>\n`;
const DEEP = (root: string) => `<${root}>${'<a>'.repeat(20_000)}${'</a>'.repeat(20_000)}</${root}>`;
const HUGE = (root: string) => `<${root}><!--${' '.repeat(MAX_XML_BYTES)}--></${root}>`;
const TRUNCATED = (root: string) => `<?xml version="1.0"?>\n<${root}>\n<Policy name="x">\n<Descr`;
const BINARY = () => Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 97 + 13) % 256)).toString('latin1');

const XML_CASES: Array<[string, (root: string) => string, RegExp]> = [
  ['billion laughs', LAUGHS, /DOCTYPE declarations are not allowed/],
  ['external entity', EXTERNAL, /DOCTYPE declarations are not allowed/],
  ['parameter entity', PARAMETER, /DOCTYPE declarations are not allowed/],
  ['deep nesting', DEEP, /nested more than \d+ deep/],
  ['huge file', HUGE, /larger than \d+ bytes; refusing to parse/],
  ['truncated', TRUNCATED, /malformed XML/],
  ['binary', BINARY, /malformed XML|root element/],
];

const HOSTILE_ZONES = ['../etc', 'a/b.example', 'a\\b.example', '.', 'a..b', 'x'.repeat(64) + '.example', 'ünicode.example', 'tab\there', 'sp ace.example'];

const STATE = ['policy', 'zone', 'hsm_key', 'zone_key', 'signconf_record', 'audit_log'] as const;

describe('bad input at every entry point', () => {
  let c: FaultCluster;
  afterAll(async () => c?.close());

  it('refuses each with a clear error, writes nothing, and the nodes stay sound', async () => {
    const s = new Scenario('bad-input corpus at every entry point');
    c = await FaultCluster.create();
    const state = async () => {
      const d = await snapshotDatabase(c.url);
      return { db: Object.fromEntries(STATE.map((t) => [t, d[t]])), files: NODES.map((n) => snapshotDirectory(c.signconfDir(n))) };
    };
    const before = await state();

    for (const [what, make, message] of XML_CASES) {
      for (const [kind, root] of [['policy', 'KASP'], ['zonelist', 'ZoneList']] as const) {
        const file = path.join(c.dir, `bad-${kind}-${what.replace(/ /g, '-')}.xml`);
        writeFileSync(file, make(root), 'latin1');
        const imp = await c.cli('node-a', [kind, 'import', '--file', file]);
        expect(imp.code, `${kind} import ${what}: ${imp.stderr}`).toBe(EXIT.BAD_INPUT);
        expect(imp.stderr).toContain(file);
        expect(imp.stderr).toMatch(message);
        s.add('XML refused at import');
        // The cron run reading the same file from its configuration (the entity and size cases).
        if (!['billion laughs', 'external entity', 'huge file'].includes(what)) continue;
        c.writeConfig('node-a', kind === 'policy' ? { kasp: path.basename(file) } : { zonelist: path.basename(file) });
        const run = await c.run('node-a');
        expect(run.code, `run with ${kind} ${what}`).not.toBe(0);
        expect(run.stdout + run.stderr).toContain(path.basename(file));
        s.add('XML refused by run');
        c.writeConfig('node-a');
      }
    }
    for (const zone of HOSTILE_ZONES) {
      const r = await c.cli('node-a', ['zone', 'add', '--zone', zone, '--policy', 'default']);
      expect(r.code, `zone add ${JSON.stringify(zone)}: ${r.stderr}`).toBe(EXIT.BAD_INPUT);
      expect(r.stderr).toMatch(/zone name/);
      s.add('zone names refused');
    }
    const badConfig = path.join(c.dir, 'bad-types.yaml');
    writeFileSync(badConfig, `node: node-a\ndatabase: { url: "${c.url}" }\npolicy: { kasp: kasp.xml, zonelist: zonelist.xml }\nsignconf: { directory: 12 }\nkeystores: { SoftHSM: { type: file, directory: [x] } }\nlease: { ttl: "thirty" }\n`);
    for (const args of [['run'], ['status'], ['failover', '--partner-down'], ['failover', '--drill']]) {
      const res = await runCli(['--config', badConfig, ...args]);
      expect(res.code, `${args.join(' ')}: ${res.stderr}`).toBe(EXIT.BAD_INPUT);
      expect(res.stderr).toMatch(/bad-types\.yaml:\d+/);
      s.add('configurations refused');
    }
    expect(await state()).toEqual(before);

    // DNS answers the probe must refuse: every zone on a misbehaving server, one way per zone.
    const zones = ['example.com', 'example.net', 'example.org'];
    const drill = async () => JSON.parse((await c.cli('node-b', ['--json', 'failover', '--drill'])).stdout) as { verdict: string; steps: Array<{ step: number; problems: Array<{ zone?: string; reason: string }> }> };
    for (const set of [['oversized', 'truncate-always', 'malformed'], ['wrong-id', 'wrong-question', 'refused']] as Behaviour[][]) {
      zones.forEach((z, i) => c.responder.setBehaviour(z, set[i]!));
      const r = await drill();
      expect(r.verdict).toBe('NO-GO');
      const problems = r.steps.find((x) => x.step === 5)!.problems;
      expect(problems.map((p) => p.zone).sort(), JSON.stringify(problems)).toEqual(zones);
      s.add('DNS answers refused', set.length);
    }
    await c.serve();
    zones.forEach((z) => c.responder.setBehaviour(z, 'forged-first'));
    const forged = await drill();
    expect(forged.verdict, JSON.stringify(forged.steps.flatMap((x) => x.problems))).toBe('GO');
    s.add('forged datagrams ignored (GO)');
    expect(await state()).toEqual(before);

    const ok = await c.run('node-a', ['--force', '--zone', ...zones]);
    expect(ok.summary, ok.stderr).toMatchObject({ role: 'active', outcome: 'ok' });
    s.add('rounds');
    await s.finish(c);
  });
});
