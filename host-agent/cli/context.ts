// What every CLI command shares: finding (or starting) the agent, output helpers, and
// one-line errors.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AgentClient } from '../api/client';
import { AgentUnreachableError, isApiError } from '../api/client-errors';
import { discoverAgent, NoAgentConfiguredError } from '../api/discovery';
import type { PlaygroundRecord } from '../api/protocol';
import { CliError } from './errors';
import { getGlobals } from './globals';

export { CliError };

export function client(): AgentClient {
  try {
    const { agent, token } = getGlobals();
    return new AgentClient(discoverAgent({ url: agent, token }));
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
 * A client for the local agent; when none runs, one is started in the background
 * (local-agent.ts, loaded only then: `child_process` and the state lock are not needed
 * while an agent answers).
 */
export async function clientOrStartAgent(progress: (line: string) => void): Promise<AgentClient> {
  const explicit = getGlobals().agent ?? process.env.SANDLOT_AGENT_URL;
  try {
    const c = client();
    await c.info();
    return c;
  } catch (err) {
    if (explicit || !(err instanceof CliError || err instanceof AgentUnreachableError)) throw err;
  }
  const { startLocalAgent } = await import('./local-agent');
  return startLocalAgent(client, cliScript(), progress);
}

/**
 * `use` with the local agent, without asking it for `info` first (one round trip less for
 * `sandlot run`): when no agent answers (and none was named), one is started as
 * clientOrStartAgent does and `use` runs again. `use` must make nothing before the agent
 * has answered (an unreachable agent fails before anything is sent).
 */
export async function withAgent<T>(progress: (line: string) => void, use: (c: AgentClient) => Promise<T>): Promise<T> {
  const explicit = getGlobals().agent ?? process.env.SANDLOT_AGENT_URL;
  try {
    return await use(client());
  } catch (err) {
    if (explicit || !(err instanceof CliError || err instanceof AgentUnreachableError)) throw err;
  }
  return use(await clientOrStartAgent(progress));
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
