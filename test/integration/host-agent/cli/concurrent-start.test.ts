// Fifty `sandlot start linux --json` at once against one agent, then fifty destroys: every
// client prints its record and exits 0 (none hangs on an event stream it can no longer
// close), and destroying leaves no process of any playground behind.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { destroyAllAndStop, CLI, startAgent, type AgentHandle } from '../../../helpers/agent-process';
import { descendants, stillRunning, type ProcessRef } from '../../../helpers/processes';

const N = 50;
const CLIENT_TIMEOUT_MS = Number(process.env.SANDLOT_TEST_CLIENT_TIMEOUT_MS ?? 180_000);

interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function cliAsync(agent: AgentHandle, args: string[]): Promise<Result> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: agent.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // A client that does not exit is the bug under test: kill it and report it as hung.
    const timer = setTimeout(() => child.kill('SIGKILL'), CLIENT_TIMEOUT_MS);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** The record `start --json` printed (only the fields this test reads, checked). */
function printedRecord(stdout: string): { id: string; state: string } {
  const r: unknown = JSON.parse(stdout);
  if (typeof r !== 'object' || r === null || !('id' in r) || !('state' in r) || typeof r.id !== 'string' || typeof r.state !== 'string') {
    throw new Error(`not a playground record: ${stdout.slice(0, 200)}`);
  }
  return { id: r.id, state: r.state };
}

let agent: AgentHandle;
let agentOwn: ProcessRef[];
let playgroundProcesses: ProcessRef[] = [];
const ids: string[] = [];

beforeAll(async () => {
  agent = await startAgent();
  agentOwn = descendants(agent.process.pid!);
});

afterAll(async () => {
  // Also the playgrounds of clients that failed or hung: every one this agent has.
  await destroyAllAndStop(agent);
  // Whatever a destroy left behind was started by this test: end it (by pid and start time).
  for (const p of stillRunning(playgroundProcesses)) process.kill(p.pid, 'SIGKILL');
});

describe(`${N} concurrent CLI clients`, () => {
  it('all exit 0 after printing a running playground, and all destroy with exit 0', { timeout: 400_000 }, async () => {
    const starts = await Promise.all(Array.from({ length: N }, () => cliAsync(agent, ['start', 'linux', '--json'])));
    for (const r of starts) if (r.code === 0) ids.push(printedRecord(r.stdout).id);
    // What runs now belongs to the playgrounds (the agent's own helpers were there before).
    const own = new Set(agentOwn.map((p) => `${p.pid}:${p.start}`));
    playgroundProcesses = descendants(agent.process.pid!).filter((p) => !own.has(`${p.pid}:${p.start}`));
    // Every playground the agent has is destroyed through the CLI, also those whose client failed.
    const all = (await agent.client.list()).map((p) => p.id);
    const destroys = await Promise.all(all.map((id) => cliAsync(agent, ['destroy', id])));

    const hung = starts.filter((r) => r.signal === 'SIGKILL').length;
    expect(hung, `${hung} of ${N} clients never exited`).toBe(0);
    expect(starts.filter((r) => r.code !== 0).map((r) => `exit ${r.code}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`)).toEqual([]);
    for (const r of starts) expect(printedRecord(r.stdout).state).toBe('running');
    expect(new Set(ids).size).toBe(N);
    expect(playgroundProcesses.length).toBeGreaterThanOrEqual(N);
    expect(destroys.filter((r) => r.code !== 0).map((r) => `exit ${r.code}: ${r.stderr.trim()}`)).toEqual([]);
    expect(await agent.client.list()).toEqual([]);
  });

  it('leaves no process of any destroyed playground behind', async () => {
    expect(playgroundProcesses.length).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 1000));
    const left = stillRunning(playgroundProcesses);
    expect(left.map((p) => `${p.pid} ${p.cmd.slice(0, 40)}`)).toEqual([]);
  });
});
