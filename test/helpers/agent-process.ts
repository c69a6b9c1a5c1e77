// Starts a real `sandlot agent` process (the built bundle) with its own SANDLOT_HOME,
// and runs the real CLI against it. Tests talk to it only through its API, SSH and CLI.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readAgentFile } from '../../host-agent/api/agent-file';
import { parseOwnJson } from '../../host-agent/util/json';
import { AgentClient, isApiError } from '../../host-agent/api/client';
import type { PlaygroundRecord } from '../../host-agent/api/protocol';

export const REPO = path.resolve(__dirname, '..', '..');
export const CLI = path.join(REPO, 'dist', 'sandlot.js');

export interface AgentHandle {
  home: string;
  url: string;
  token: string;
  client: AgentClient;
  process: ChildProcess;
  env: NodeJS.ProcessEnv;
  log(): string;
  /** Stops the agent (SIGTERM by default); machines keep running. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** Every agent this test file started, for the log tails a failing test prints. */
const started: AgentHandle[] = [];

/** The last lines of each agent's log this file started (what a failed test prints: CI keeps no files). */
export function agentLogTails(lines = 40): string {
  return started
    .map((a) => {
      const log = fs.existsSync(path.join(a.home, 'test-agent.log')) ? a.log().trimEnd().split('\n') : [];
      return `--- agent ${a.process.pid} (${a.home}), last ${Math.min(lines, log.length)} log lines:\n${log.slice(-lines).join('\n')}`;
    })
    .join('\n');
}

export function tempHome(prefix = 'sandlot-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** `cli`: another built checkout's dist/sandlot.js (a benchmark's before-and-after); this checkout's by default. */
export async function startAgent(opts: { home?: string; args?: string[]; env?: NodeJS.ProcessEnv; cli?: string } = {}): Promise<AgentHandle> {
  const cli = opts.cli ?? CLI;
  if (!fs.existsSync(cli)) throw new Error(`${cli} is missing: run npm run build`);
  const home = opts.home ?? tempHome();
  // The shared image cache (as vitest.config.ts sets it), also for benchmarks run outside
  // vitest: an image root built per temp home would take minutes and half a gigabyte.
  const env: NodeJS.ProcessEnv = { SANDLOT_VM_CACHE: path.join(os.tmpdir(), 'sandlot-vm-cache'), ...process.env, SANDLOT_HOME: home, ...opts.env };
  delete env.SANDLOT_AGENT_URL;
  delete env.SANDLOT_TOKEN;
  const logFile = path.join(home, 'test-agent.log');
  const out = fs.openSync(logFile, 'a');
  const child = spawn(process.execPath, [cli, 'agent', ...(opts.args ?? [])], { env, stdio: ['ignore', out, out] });
  fs.closeSync(out);
  const infoFile = path.join(home, 'agent.json');
  const deadline = Date.now() + 20_000;
  let exited = false;
  child.once('exit', () => (exited = true));
  for (;;) {
    if (exited) throw new Error(`agent exited: ${fs.readFileSync(logFile, 'utf8')}`);
    if (Date.now() > deadline) throw new Error(`agent did not start: ${fs.readFileSync(logFile, 'utf8')}`);
    try {
      const info = readAgentFile(infoFile);
      if (info && info.pid === child.pid) {
        const token = fs.readFileSync(path.join(home, 'token'), 'utf8').trim();
        const client = new AgentClient({ url: info.url, token });
        await client.info();
        const handle: AgentHandle = {
          home,
          url: info.url,
          token,
          client,
          process: child,
          env,
          log: () => fs.readFileSync(logFile, 'utf8'),
          kill: (signal = 'SIGTERM') =>
            new Promise<void>((resolve) => {
              if (child.exitCode !== null || child.signalCode !== null) return resolve();
              child.once('exit', () => resolve());
              child.kill(signal);
            }),
        };
        started.push(handle);
        return handle;
      }
    } catch {
      // not ready yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A test's agent at the end: every playground it still has destroyed (failed or hung ones too), then the agent stopped. */
export async function destroyAllAndStop(agent: AgentHandle | undefined): Promise<void> {
  if (!agent) return;
  for (const p of await agent.client.list().catch(() => [])) await agent.client.destroy(p.id).catch(() => undefined);
  await agent.kill();
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI (synchronously) against an agent's SANDLOT_HOME. */
export function cli(agent: { env: NodeJS.ProcessEnv } | NodeJS.ProcessEnv, args: string[], input?: string): CliResult {
  const env = isHandle(agent) ? agent.env : agent;
  const r = spawnSync(process.execPath, [CLI, ...args], { env, encoding: 'utf8', input, timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function isHandle(v: { env: NodeJS.ProcessEnv } | NodeJS.ProcessEnv): v is { env: NodeJS.ProcessEnv } {
  return typeof v.env === 'object';
}

/** Waits until a playground reaches `state` (polling the API). */
export async function waitForState(client: AgentClient, id: string, state: PlaygroundRecord['state'], timeoutMs = 30_000): Promise<PlaygroundRecord> {
  const deadline = Date.now() + timeoutMs;
  let last: PlaygroundRecord | undefined;
  while (Date.now() < deadline) {
    try {
      last = await client.get(id);
      if (last.state === state) return last;
      if (last.state === 'failed' && state !== 'failed') throw new Error(`playground failed: ${last.error}`);
    } catch (err) {
      if (state === 'destroyed' && last && isApiError(err, 'playground_not_found')) return last;
      throw err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`playground ${id} did not become ${state} (last: ${last?.state})`);
}

/** Creates a playground and waits until it runs. */
export async function startPlayground(agent: AgentHandle, template = 'linux', extra: Record<string, unknown> = {}): Promise<PlaygroundRecord> {
  const created = await agent.client.create({ template, ...extra });
  return waitForState(agent.client, created.id, 'running');
}

/** Writes the OpenSSH config for a playground (via the real CLI) and returns its path. */
export function writeSshConfig(agent: AgentHandle, id: string): string {
  const r = cli(agent, ['ssh-config', id]);
  if (r.code !== 0) throw new Error(`ssh-config failed: ${r.stderr}`);
  const file = path.join(agent.home, `ssh_config-${id}`);
  fs.writeFileSync(file, r.stdout);
  return file;
}

/** OpenSSH's own `ssh` with the generated config, strict host key checking on. */
export function openssh(configFile: string, alias: string, command: string, extra: string[] = []): CliResult {
  const r = spawnSync('ssh', ['-F', configFile, '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=20', ...extra, alias, command], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export interface SpawnedCli {
  child: ChildProcess;
  /** Resolves when it exits, with what it printed. */
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

/** Runs the real CLI without waiting for it (an agent, or clients racing each other), with its own SANDLOT_HOME. */
export function spawnCli(home: string, args: string[], env: NodeJS.ProcessEnv = {}): SpawnedCli {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, SANDLOT_HOME: home, ...env };
  delete childEnv.SANDLOT_AGENT_URL;
  delete childEnv.SANDLOT_TOKEN;
  const child = spawn(process.execPath, [CLI, ...args], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return { child, done: new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr }))) };
}

/** Ends a spawned process (SIGTERM) and waits for it. */
export function stopProcess(c: ChildProcess): Promise<void> {
  return new Promise<void>((resolve) => {
    if (c.exitCode !== null || c.signalCode !== null) return resolve();
    c.once('exit', () => resolve());
    c.kill('SIGTERM');
  });
}

/** Polls `fn` until it returns something other than undefined. */
export async function until<T>(what: string, fn: () => T | undefined | Promise<T | undefined>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * JSON the CLI under test printed with `--json`, typed as what it prints (a record, a
 * list). The tests check the fields they use; a wrong shape fails those checks.
 */
export function printed<T>(stdout: string): T {
  return parseOwnJson<T>(stdout);
}

/** The CLI's `--json` output of `args`; a non-zero exit throws with its stderr. */
export function cliJson<T>(agent: AgentHandle, args: string[]): T {
  const r = cli(agent, [...args, '--json']);
  if (r.code !== 0) throw new Error(`sandlot ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return printed<T>(r.stdout);
}

/** What `command` prints in playground `id` (`sandlot ssh id -- command`); a CLI error line throws. */
export function sshOutput(agent: AgentHandle, id: string, command: string): string {
  const r = cli(agent, ['ssh', id, '--', command]);
  if (/sandlot: /.test(r.stderr)) throw new Error(`sandlot ssh ${id}: ${r.stderr.trim()}`);
  return r.stdout;
}
