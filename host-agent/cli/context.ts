// What every CLI command shares: finding (or starting) the agent, output helpers, and
// one-line errors.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AgentClient, AgentUnreachableError, isApiError } from '../api/client';
import { discoverAgent, NoAgentConfiguredError } from '../api/discovery';
import type { PlaygroundRecord } from '../api/protocol';
import { EXIT_AGENT_RUNNING, stateLockHolder } from '../server/state-lock';
import { sandlotPaths, type SandlotPaths } from '../util/paths';

/** An error meant for the user: printed as one line, exit code 1 (or `exitCode`). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export interface GlobalOptions {
  agent?: string;
  token?: string;
}

let globals: GlobalOptions = {};
export function setGlobals(g: GlobalOptions): void {
  globals = g;
}

export function client(): AgentClient {
  try {
    return new AgentClient(discoverAgent({ url: globals.agent, token: globals.token }));
  } catch (err) {
    if (err instanceof NoAgentConfiguredError) throw new CliError(err.message);
    throw err;
  }
}

/** The CLI script itself, for spawning `sandlot agent` and for ProxyCommand lines. */
export function cliScript(): string {
  const bundled = path.resolve(__dirname, 'sandlot.js');
  return fs.existsSync(bundled) ? bundled : path.resolve(process.argv[1]);
}

/**
 * A client for the local agent. One that is starting is waited for (it answers `info` as
 * soon as it listens; other requests wait on the agent's side until it is ready); when no
 * agent runs, one is started in the background. Of several CLIs starting one at the same
 * moment, one agent wins the state directory's lock and the others wait for it.
 */
export async function clientOrStartAgent(progress: (line: string) => void): Promise<AgentClient> {
  const explicit = globals.agent ?? process.env.SANDLOT_AGENT_URL;
  try {
    const c = client();
    await c.info();
    return c;
  } catch (err) {
    if (explicit || !(err instanceof CliError || err instanceof AgentUnreachableError)) throw err;
  }
  const paths = sandlotPaths();
  const holder = stateLockHolder(paths.home);
  if (holder) {
    progress(`waiting for the agent that is starting${holder.pid ? ` (pid ${holder.pid})` : ''}`);
    return waitForAgent(paths, () => (stateLockHolder(paths.home) ? undefined : `the agent stopped while starting: ${lastLines(paths.agentLog)}`));
  }
  fs.mkdirSync(paths.home, { recursive: true, mode: 0o700 });
  const log = fs.openSync(paths.agentLog, 'a', 0o600);
  const child = spawn(process.execPath, [cliScript(), 'agent'], { detached: true, stdio: ['ignore', log, log], env: process.env });
  fs.closeSync(log);
  child.unref();
  progress(`started a local agent (pid ${child.pid}, log ${paths.agentLog})`);
  const exit: { code?: number } = {};
  child.once('exit', (code) => (exit.code = code ?? 1));
  return waitForAgent(paths, () => {
    if (exit.code === undefined || exit.code === EXIT_AGENT_RUNNING) return undefined; // 75: another CLI's agent won; it answers soon
    return `the agent exited (code ${exit.code}): ${lastLines(paths.agentLog)}`;
  });
}

/** Polls until the local agent answers; `stopped` says why waiting is pointless, or undefined to keep waiting. */
async function waitForAgent(paths: SandlotPaths, stopped: () => string | undefined): Promise<AgentClient> {
  // Generous: an agent listens within a second, but a loaded 2-core host can take longer.
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    try {
      const c = client();
      await c.info();
      return c;
    } catch {
      // not up yet
    }
    const why = stopped();
    if (why !== undefined) throw new CliError(why);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new CliError(`the agent did not come up within 60 s; see ${paths.agentLog}`);
}

function lastLines(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').trim().split('\n').slice(-3).join(' | ');
  } catch {
    return '';
  }
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ')).join('\n');
}

export function timeLeft(deadline: string, nowMs = Date.now()): string {
  const ms = Date.parse(deadline) - nowMs;
  if (ms <= 0) return 'expired';
  const m = Math.round(ms / 60_000);
  return m >= 60 ? `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m` : `${m}m`;
}

/** `pg-xxx`, `pg-xxx/machine` → the record and the machine (default: the first). */
export async function resolveTarget(c: AgentClient, target: string): Promise<{ record: PlaygroundRecord; machine: string }> {
  const [id, machine] = target.split('/', 2);
  let record: PlaygroundRecord;
  try {
    record = await c.get(id);
  } catch (err) {
    if (isApiError(err, 'playground_not_found')) throw new CliError(err.message);
    throw err;
  }
  const name = machine ?? record.machines[0].name;
  if (!record.machines.some((m) => m.name === name)) {
    throw new CliError(`playground ${id} has no machine "${name}" (machines: ${record.machines.map((m) => m.name).join(', ')})`);
  }
  return { record, machine: name };
}
