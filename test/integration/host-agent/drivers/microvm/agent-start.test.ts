// An agent whose driver probes slowly (microvm checks KVM with a test guest, seconds) is
// visible at once: it listens and answers `info` (state `starting`) within a second, and
// a CLI that finds it starting waits for it instead of starting a second agent.
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readAgentFile } from '../../../../../host-agent/api/agent-file';
import { AgentClient } from '../../../../../host-agent/api/client';
import { spawnCli, stopProcess, tempHome, until } from '../../../../helpers/agent-process';

const started: ChildProcess[] = [];
const homes: string[] = [];

function home(): string {
  const h = tempHome();
  homes.push(h);
  return h;
}

afterEach(async () => {
  await Promise.all(started.splice(0).map(stopProcess));
  for (const h of homes.splice(0)) fs.rmSync(h, { recursive: true, force: true });
});

function microvmAgent(dir: string) {
  const agent = spawnCli(dir, ['agent', '--driver', 'microvm']);
  started.push(agent.child);
  return agent;
}

describe('an agent with a slow driver probe', () => {
  it('is visible within a second, before its driver finished probing', async () => {
    const dir = home();
    const t0 = Date.now();
    const agent = microvmAgent(dir);
    const info = await until('agent.json', () => readAgentFile(path.join(dir, 'agent.json')));
    const token = fs.readFileSync(path.join(dir, 'token'), 'utf8').trim();
    const answer = await new AgentClient({ url: info.url, token }).info();
    const ms = Date.now() - t0;
    expect(answer.pid).toBe(agent.child.pid);
    // Node's own start-up is a few hundred ms on a loaded 2-core host; the KVM probe takes seconds.
    expect(ms).toBeLessThan(1500);
    expect(answer.state).toBe('starting');
  });

  it('has a CLI that finds it starting wait for it instead of starting another', async () => {
    const dir = home();
    const agent = microvmAgent(dir);
    const lock = path.join(dir, 'agent.lock');
    await until('the lock', () => (fs.existsSync(lock) && fs.readFileSync(lock, 'utf8').trim() === String(agent.child.pid) ? true : undefined));
    const cli = spawnCli(dir, ['templates', '--json']);
    started.push(cli.child);
    const r = await cli.done;
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/"name": "linux"/);
    expect(r.stderr).not.toMatch(/started a local agent/);
    expect(readAgentFile(path.join(dir, 'agent.json'))?.pid).toBe(agent.child.pid);
    // No agent of the CLI's ever ran: it would have logged into the state directory's agent.log.
    expect(fs.existsSync(path.join(dir, 'agent.log'))).toBe(false);
  });
});
