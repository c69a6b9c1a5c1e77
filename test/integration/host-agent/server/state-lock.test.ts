// One agent per state directory: a second agent is refused with one line (also while the
// first is still starting), a CLI that finds an agent starting waits for it, and an
// agent whose driver probes slowly is visible (listening, `info` answering) at once.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readAgentFile } from '../../../../host-agent/api/agent-file';
import { AgentClient } from '../../../../host-agent/api/client';
import { CLI, startAgent, tempHome, type AgentHandle } from '../../../helpers/agent-process';

interface Run {
  child: ChildProcess;
  done: Promise<{ code: number | null; stderr: string; stdout: string }>;
}

const started: ChildProcess[] = [];
const handles: AgentHandle[] = [];
const homes: string[] = [];

function home(): string {
  const h = tempHome();
  homes.push(h);
  return h;
}

function run(dir: string, args: string[]): Run {
  const env: NodeJS.ProcessEnv = { ...process.env, SANDLOT_HOME: dir };
  delete env.SANDLOT_AGENT_URL;
  delete env.SANDLOT_TOKEN;
  const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return { child, done: new Promise((resolve) => child.once('exit', (code) => resolve({ code, stderr, stdout }))) };
}

async function until<T>(what: string, fn: () => T | undefined | Promise<T | undefined>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const stop = (c: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (c.exitCode !== null || c.signalCode !== null) return resolve();
    c.once('exit', () => resolve());
    c.kill('SIGTERM');
  });

afterEach(async () => {
  await Promise.all(started.splice(0).map(stop));
  await Promise.all(handles.splice(0).map((h) => h.kill()));
  for (const h of homes.splice(0)) fs.rmSync(h, { recursive: true, force: true });
});

const REFUSED = /^sandlot: another agent \(pid \d+\) already serves .+; stop it first \(or use another SANDLOT_HOME\)/;

describe('one agent per state directory', () => {
  it('refuses a second agent with one line and exit code 75 while the first runs', async () => {
    const first = await startAgent({ home: home() });
    handles.push(first);
    const second = await run(first.home, ['agent']).done;
    expect(second.code).toBe(75);
    expect(second.stderr).toMatch(REFUSED);
    expect(second.stderr).toContain(`pid ${first.process.pid}`);
    expect(second.stderr.trim().split('\n')).toHaveLength(1);
    // The first one is untouched: its file and its answers.
    expect(readAgentFile(path.join(first.home, 'agent.json'))?.pid).toBe(first.process.pid);
    expect((await first.client.info()).pid).toBe(first.process.pid);
  });

  it('lets exactly one of several agents started at the same moment win, the others refused while it starts', async () => {
    const dir = home();
    const runs = [0, 1, 2].map(() => run(dir, ['agent']));
    const file = path.join(dir, 'agent.json');
    const info = await until('an agent to listen', () => readAgentFile(file));
    const winner = runs.find((r) => r.child.pid === info.pid);
    expect(winner).toBeDefined();
    const losers = await Promise.all(runs.filter((r) => r !== winner).map((r) => r.done));
    for (const l of losers) {
      expect(l.code).toBe(75);
      expect(l.stderr.trim().split('\n')).toHaveLength(1);
      expect(l.stderr).toMatch(/^sandlot: another agent( \(pid \d+\))? already serves/);
    }
    expect(winner!.child.exitCode).toBeNull();
  });

  it('has a CLI that finds an agent starting wait for it instead of starting another', async () => {
    const dir = home();
    // microvm's preflight probes KVM for seconds after the agent listens: a long "starting".
    const agent = run(dir, ['agent', '--driver', 'microvm']);
    await until('the lock', () =>
      fs.existsSync(path.join(dir, 'agent.lock')) && fs.readFileSync(path.join(dir, 'agent.lock'), 'utf8').trim() === String(agent.child.pid)
        ? true
        : undefined,
    );
    const cli = await run(dir, ['templates', '--json']).done;
    expect(cli.code).toBe(0);
    expect(JSON.parse(cli.stdout)).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'linux' })]));
    expect(cli.stderr).not.toMatch(/started a local agent/);
    expect(readAgentFile(path.join(dir, 'agent.json'))?.pid).toBe(agent.child.pid);
    // No agent of the CLI's ever ran: it would have logged into the state directory's agent.log.
    expect(fs.existsSync(path.join(dir, 'agent.log'))).toBe(false);
  });

  it('makes an agent visible within a second, before its driver finished probing', async () => {
    const dir = home();
    const t0 = Date.now();
    const agent = run(dir, ['agent', '--driver', 'microvm']);
    const file = path.join(dir, 'agent.json');
    const info = await until('agent.json', () => readAgentFile(file));
    const token = fs.readFileSync(path.join(dir, 'token'), 'utf8').trim();
    const answer = await new AgentClient({ url: info.url, token }).info();
    const ms = Date.now() - t0;
    expect(answer.pid).toBe(agent.child.pid);
    // The node start-up alone is a few hundred ms on a loaded 2-core host; the KVM probe takes seconds.
    expect(ms).toBeLessThan(1500);
    expect(answer.state).toBe('starting');
  });
});
