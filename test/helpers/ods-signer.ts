// A real OpenDNSSEC signer (ods-signerd) for the end-to-end test, in the foreground, on a private
// working directory. OpenDNSSEC 2.1's conf.rng does not allow <SocketFile> or <PidFile> under
// <Signer>, so the daemon always uses /run/opendnssec/engine.sock; it runs in a mount namespace of its
// own with a private directory bound over /run/opendnssec, and `ods-signer -s` reaches the socket
// through that directory. Its DNS listener is bound to 127.0.0.1 on a free port (it would otherwise
// listen on every address). Needs root (unshare, mount), which CI has.

import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { freePort } from './pg-server.js';

export interface SignerSetup {
  /** Private directory for the signer's working files, socket and configuration. */
  dir: string;
  repository: { name: string; module: string; tokenLabel: string; pin: string };
  /** The zone list the signer reads (OpenDNSSEC's signer reads <Enforcer><WorkingDirectory>/zones.xml). */
  zonelist: string;
  kasp: string;
  /** Environment for the daemon (e.g. SOFTHSM2_CONF). */
  env: Record<string, string>;
}

export interface Signer {
  conf: string;
  socket: string;
  port: number;
  /** Runs `ods-signer -s SOCKET ...args`; rejects on a non-zero exit. */
  command(...args: string[]): Promise<string>;
  /** What the daemon printed so far (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

export async function startSigner(s: SignerSetup): Promise<Signer> {
  const run = path.join(s.dir, 'run');
  const work = path.join(s.dir, 'work');
  const enforcerDir = path.join(s.dir, 'enforcer');
  for (const d of [run, work, enforcerDir]) mkdirSync(d, { recursive: true });
  // The signer takes the zone list from the enforcer's working directory.
  writeFileSync(path.join(enforcerDir, 'zones.xml'), readFileSync(s.zonelist, 'utf8'));
  const port = await freePort();
  const conf = path.join(s.dir, 'conf.xml');
  writeFileSync(conf, confXml(s, { work, enforcerDir, port }));
  const socket = path.join(run, 'engine.sock');

  const script = 'mkdir -p /run/opendnssec && mount --bind "$1" /run/opendnssec && exec ods-signerd -d -c "$2" -v';
  const child = spawn('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script, 'sh', run, conf], {
    env: { ...process.env, ...s.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const collect = (b: Buffer) => {
    out = (out + b.toString()).slice(-20_000);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  let exited: number | null = null;
  child.on('exit', (code) => {
    exited = code ?? -1;
  });

  const signer: Signer = {
    conf,
    socket,
    port,
    command: (...args) => odsSigner(socket, args, s.env),
    output: () => out,
    stop: () => stop(child, () => exited !== null),
  };
  // Ready once the socket answers.
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited !== null) throw new Error(`ods-signerd exited with ${exited}:\n${out}`);
    if (existsSync(socket) && (await odsSigner(socket, ['running'], s.env).then(() => true, () => false))) return signer;
    if (Date.now() > deadline) {
      await signer.stop();
      throw new Error(`ods-signerd did not open ${socket} within 30 s:\n${out}`);
    }
    await sleep(200);
  }
}

function confXml(s: SignerSetup, p: { work: string; enforcerDir: string; port: number }): string {
  const x = (v: string) => v.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  return `<?xml version="1.0" encoding="UTF-8"?>
<Configuration>
  <RepositoryList>
    <Repository name="${x(s.repository.name)}">
      <Module>${x(s.repository.module)}</Module>
      <TokenLabel>${x(s.repository.tokenLabel)}</TokenLabel>
      <PIN>${x(s.repository.pin)}</PIN>
    </Repository>
  </RepositoryList>
  <Common>
    <Logging><Verbosity>3</Verbosity></Logging>
    <PolicyFile>${x(s.kasp)}</PolicyFile>
    <ZoneListFile>${x(s.zonelist)}</ZoneListFile>
  </Common>
  <Enforcer>
    <Datastore><SQLite>${x(path.join(p.enforcerDir, 'unused.db'))}</SQLite></Datastore>
    <WorkingDirectory>${x(p.enforcerDir)}</WorkingDirectory>
  </Enforcer>
  <Signer>
    <WorkingDirectory>${x(p.work)}</WorkingDirectory>
    <WorkerThreads>2</WorkerThreads>
    <SignerThreads>2</SignerThreads>
    <Listener><Interface><Address>127.0.0.1</Address><Port>${p.port}</Port></Interface></Listener>
  </Signer>
</Configuration>
`;
}

function odsSigner(socket: string, args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('ods-signer', ['-s', socket, ...args], { env: { ...process.env, ...env }, timeout: 30_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`ods-signer ${args.join(' ')}: ${err.message}\n${stdout}${stderr}`));
      else resolve(stdout + stderr);
    });
  });
}

async function stop(child: ChildProcess, done: () => boolean): Promise<void> {
  if (done()) return;
  child.kill('SIGTERM');
  for (let i = 0; i < 100 && !done(); i++) await sleep(100);
  if (!done()) child.kill('SIGKILL');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
