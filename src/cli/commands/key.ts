// `enforcer key generate|list|export`.

import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import type { DigestType } from '../../dnssec/ds.js';
import { bindKeyFilesFromKeystore, writeBindKeyFiles } from '../../keys/bind-export.js';
import { recordLines, zoneExports, type ZoneExport } from '../../keys/key-export.js';
import { keyListing, type KeyListRow } from '../../keys/key-listing.js';
import { keysNeeded } from '../../keys/pool-size.js';
import { checkSlots, ensurePool, slotOf } from '../../keys/pool.js';
import { parseDuration } from '../../policy/duration.js';
import { InputError } from '../../policy/errors.js';
import { listHsmKeys } from '../../store/keys.js';
import { getPolicy } from '../../store/policies.js';
import { listZones } from '../../store/zones.js';
import { EnforcerError, EXIT } from '../../util/exit-codes.js';
import { normaliseZoneName } from '../../zones/zone-name.js';
import { action } from '../action.js';
import { registerKeyDs } from './key-ds.js';
import type { Context } from '../context.js';
import { jsonArrayWriter, printJson, printLines, printTable } from '../output.js';

export function registerKey(program: Command): Command {
  const key = program
    .command('key')
    .description('keys: generate into the pool, list, export')
    .addHelpText('after', '\nExamples:\n  enforcer key list --verbose\n  enforcer key export --zone example.com --ds');

  key
    .command('generate')
    .description('generate keys ahead of need into the pool of a policy')
    .requiredOption('--policy <name>', 'policy whose keys to generate')
    .option('--count <n>', 'keys per key role of the policy', (v) => positiveInt(v, '--count'))
    .option('--period <duration>', 'enough keys for this long, e.g. P1Y (default P1Y when --count is absent)')
    .addHelpText('after', '\nExamples:\n  enforcer key generate --policy default --period P1Y\n  enforcer key generate --policy default --count 100')
    .action(
      action<{ policy: string; count?: number; period?: string }>(async (ctx, o) => {
        if (o.count !== undefined && o.period !== undefined) throw new EnforcerError('give --count or --period, not both', EXIT.USAGE);
        const period = o.period === undefined ? parseDuration('P1Y') : periodSeconds(o.period);
        // Keystore problems (a wrong PIN, a token without the mechanism) stop the command before it takes the lease.
        const known = await getPolicy(await ctx.db(), o.policy);
        if (known) await checkSlots(ctx.keystores, known.keys.list.map((kp) => slotOf(known, kp)));
        const out = await ctx.withLease(async (db, fence) => {
          const policy = await getPolicy(db, o.policy);
          if (!policy) throw new EnforcerError(`unknown policy ${o.policy}`, EXIT.BAD_INPUT);
          const zones = (await listZones(db)).filter((z) => z.policy === policy.name).length;
          const result: Array<{ role: string; algorithm: number; bits: number; target: number; generated: number }> = [];
          for (const kp of policy.keys.list) {
            const slot = slotOf(policy, kp);
            const target = o.count ?? keysNeeded(policy, kp, period, zones);
            const generated = await ensurePool(db, fence, ctx.keystores, slot, target, 'key generate', progressPrinter(`${kp.role} keys for ${policy.name}`));
            result.push({ role: kp.role, algorithm: kp.algorithm, bits: kp.length, target, generated });
          }
          return result;
        });
        if (ctx.json) return printJson(out);
        for (const r of out) process.stdout.write(`${r.role} (algorithm ${r.algorithm}, ${r.bits} bits): ${r.generated} generated, pool now holds at least ${r.target}\n`);
      }),
    );

  key
    .command('list')
    .description('list keys per zone, or keystore orphans')
    .option('--zone <name>', 'only this zone')
    .option('-v, --verbose', 'record states, DS at parent, locator')
    .option('--orphans', 'keys and token objects in a keystore that the database does not know, and the reverse')
    .addHelpText('after', '\nExamples:\n  enforcer key list\n  enforcer key list --zone example.com --verbose\n  enforcer --json key list --orphans')
    .action(
      action<{ zone?: string; verbose?: boolean; orphans?: boolean }>(async (ctx, o) => {
        const db = await ctx.readDb();
        if (o.orphans) return listOrphans(ctx);
        const zone = o.zone === undefined ? undefined : normaliseZoneName(o.zone, { path: '--zone' });
        const pages = keyListing(db, ctx.clock.now(), zone);
        if (ctx.json) {
          const out = jsonArrayWriter();
          for await (const page of pages) for (const r of page) await out.push(r);
          return out.end();
        }
        const rows: KeyListRow[] = [];
        for await (const page of pages) rows.push(...page);
        if (o.verbose) {
          printTable(
            ['ZONE', 'ROLE', 'STATE', 'TAG', 'ALG', 'BITS', 'DS', 'DNSKEY', 'RRSIGDNSKEY', 'RRSIG', 'DS@PARENT', 'NEXT', 'LOCATOR'],
            rows.map((r) => [r.zone, r.role, r.state, r.keyTag, r.algorithm, r.bits, r.records.ds, r.records.dnskey, r.records.rrsigdnskey, r.records.rrsig, r.dsAtParent, r.nextTransition ?? '-', r.locator]),
          );
          for (const r of rows) for (const m of r.waitingFor) process.stdout.write(`  ${r.zone} ${r.role} ${r.keyTag}: ${m}\n`);
        } else {
          printTable(['ZONE', 'ROLE', 'STATE', 'TAG', 'ALG'], rows.map((r) => [r.zone, r.role, r.state, r.keyTag, r.algorithm]));
        }
      }),
    );

  key
    .command('export')
    .description("print zones' DNSKEY (or DS) records, or write BIND-format key files; one zone, several, or all in one call")
    .option('--zone <name...>', 'zone (repeatable: --zone A --zone B, or --zone A B)')
    .option('--all', 'every zone in the database')
    .option('--ds', 'DS records instead of DNSKEY (KSKs and CSKs only)')
    .option('--digest <type>', 'DS digest: sha256, sha384, or sha1 (only on request)', 'sha256')
    .option('--keytag <tag>', 'only the key with this tag (with exactly one --zone)', (v) => positiveInt(v, '--keytag'))
    .option('--format <format>', 'rr (records on stdout) or bind (K*.key/K*.private files in --out)', 'rr')
    .option('--out <dir>', 'directory for --format bind')
    .addHelpText(
      'after',
      `
Examples:
  enforcer key export --zone example.com
  enforcer key export --zone example.com --ds --digest sha384
  enforcer key export --all --ds > ds-records.txt
  enforcer key export --zone example.com example.net --format bind --out /tmp/keys
  enforcer --json key export --all

Output: one record per line in presentation format, every line starting with its zone's name, so
the records of several zones (in the order given; by name with --all) can be split by the first
field. With --json, a single --zone prints an array of record lines; --all or more than one zone
an array of {"zone", "records"} objects ({"zone", "files"} with --format bind). An unknown zone
stops the command before anything is printed.

Exit codes: 0 done, 2 usage (no --zone or --all, both, --keytag with several zones, a bad
--digest or --format), 3 a zone not in the database, 69 database unreachable, 1 error (e.g. a
keystore that cannot export private keys, for --format bind).`,
    )
    .action(
      action<{ zone?: string[]; all?: boolean; ds?: boolean; digest: string; keytag?: number; format: string; out?: string }>(async (ctx, o) => {
        if (o.all && o.zone) throw new EnforcerError('give --all or --zone, not both', EXIT.USAGE);
        if (!o.all && !o.zone) throw new EnforcerError('give --zone NAME (one or more) or --all', EXIT.USAGE);
        const names = o.zone ? [...new Set(o.zone.map((z) => normaliseZoneName(z, { path: '--zone' })))] : null;
        // One --zone keeps the single-zone output; --all or several zones say which zone each part is.
        const single = names !== null && o.zone!.length === 1;
        if (o.keytag !== undefined && !single) throw new EnforcerError('--keytag needs exactly one --zone', EXIT.USAGE);
        if (o.format !== 'rr' && o.format !== 'bind') throw new EnforcerError(`--format must be rr or bind, not ${o.format}`, EXIT.USAGE);
        if (o.format === 'bind' && !o.out) throw new EnforcerError('--format bind needs --out DIR', EXIT.USAGE);
        const digest = digestType(o.digest);
        const zones = await zoneExports(await ctx.readDb(), { zones: names ?? 'all', ds: o.ds === true, ...(o.keytag !== undefined ? { keyTag: o.keytag } : {}) });
        if (o.format === 'bind') return exportBind(ctx, zones, o.out!, single);
        const records = zones.map((z) => ({ zone: z.zone, records: recordLines(z, { ds: o.ds === true, digest }) }));
        if (ctx.json) return printJson(single ? records[0]!.records : records);
        printLines(records.flatMap((r) => r.records));
      }),
    );
  registerKeyDs(key);
  return key;
}

function positiveInt(v: string, what: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 1_000_000) throw new EnforcerError(`${what} must be a whole number, not ${v}`, EXIT.USAGE);
  return n;
}

function periodSeconds(v: string): number {
  try {
    return parseDuration(v);
  } catch (e) {
    throw new InputError({ path: '--period' }, (e as Error).message);
  }
}

function digestType(v: string): DigestType {
  const t = ({ sha1: 1, sha256: 2, sha384: 4 } as const)[v.toLowerCase() as 'sha1'];
  if (!t) throw new EnforcerError(`--digest must be sha256, sha384 or sha1, not ${v}`, EXIT.USAGE);
  return t;
}

/** Progress on a terminal only; cron output stays clean. */
function progressPrinter(what: string) {
  if (!process.stderr.isTTY) return undefined;
  return (done: number, total: number) => {
    process.stderr.write(`\rgenerating ${what}: ${done}/${total}${done === total ? '\n' : ''}`);
  };
}

async function listOrphans(ctx: Context): Promise<void> {
  const db = await ctx.readDb();
  const known = await listHsmKeys(db);
  const rows: Array<{ repository: string; locator: string; problem: string }> = [];
  for (const name of ctx.keystores.names()) {
    const ks = await ctx.keystores.get(name);
    const present = new Set(await ks.list());
    const inDb = new Set(known.filter((k) => k.repository === name).map((k) => k.locator));
    for (const l of present) if (!inDb.has(l)) rows.push({ repository: name, locator: l, problem: 'in keystore, unknown to the database (never used)' });
    // PKCS#11 tokens can also hold objects that are no complete key: half a pair, or another program's.
    for (const s of (await ks.strays?.()) ?? []) {
      rows.push({ repository: name, locator: s.id, problem: `in keystore, ${inDb.has(s.id) ? 'known to the database but incomplete' : 'unknown to the database'}: ${s.problem}` });
    }
    for (const k of known) {
      if (k.repository === name && !present.has(k.locator) && k.status !== 'deleted') {
        rows.push({ repository: name, locator: k.locator, problem: `in the database (${k.status}), missing from this node's keystore` });
      }
    }
  }
  if (ctx.json) return printJson(rows);
  if (rows.length === 0) return printLines(['no orphans']);
  printTable(['REPOSITORY', 'LOCATOR', 'PROBLEM'], rows.map((r) => [r.repository, r.locator, r.problem]));
}

async function exportBind(ctx: Context, zones: ZoneExport[], out: string, single: boolean): Promise<void> {
  const dir = path.resolve(out);
  // Private key material: the directory is created owner-only.
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const written: Array<{ zone: string; files: string[] }> = [];
  for (const z of zones) {
    const files: string[] = [];
    for (const k of z.keys) {
      const ks = await ctx.keystores.get(k.repository);
      const bind = await bindKeyFilesFromKeystore(ks, k.locator, { zone: z.zone, flags: k.flags, ttl: z.ttl, created: k.introducedAt });
      const p = await writeBindKeyFiles(dir, bind);
      files.push(p.keyPath, p.privatePath);
    }
    written.push({ zone: z.zone, files });
  }
  if (ctx.json) return printJson(single ? written[0]!.files : written);
  printLines(written.flatMap((z) => z.files));
}
