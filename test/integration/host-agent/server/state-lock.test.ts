// One agent per state directory: a second agent is refused with one line, also when
// several start at the same moment (all still starting). The CLI waiting for an agent
// that is still starting is tested with the microvm driver, whose probe makes the start
// long (drivers/microvm/agent-start.test.ts).
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readAgentFile } from '../../../../host-agent/api/agent-file';
import { spawnCli, startAgent, stopProcess, tempHome, until, type AgentHandle } from '../../../helpers/agent-process';

const started: ChildProcess[] = [];
const handles: AgentHandle[] = [];
const homes: string[] = [];

function home(): string {
  const h = tempHome();
  homes.push(h);
  return h;
}

afterEach(async () => {
  await Promise.all(started.splice(0).map(stopProcess));
  await Promise.all(handles.splice(0).map((h) => h.kill()));
  for (const h of homes.splice(0)) fs.rmSync(h, { recursive: true, force: true });
});

describe('one agent per state directory', () => {
  it('refuses a second agent with one line and exit code 75 while the first runs', async () => {
    const first = await startAgent({ home: home() });
    handles.push(first);
    const second = spawnCli(first.home, ['agent']);
    started.push(second.child);
    const r = await second.done;
    expect(r.code).toBe(75);
    expect(r.stderr).toMatch(/^sandlot: another agent \(pid \d+\) already serves .+; stop it first \(or use another SANDLOT_HOME\)/);
    expect(r.stderr).toContain(`pid ${first.process.pid}`);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    // The first one is untouched: its file and its answers.
    expect(readAgentFile(path.join(first.home, 'agent.json'))?.pid).toBe(first.process.pid);
    expect((await first.client.info()).pid).toBe(first.process.pid);
  });

  it('lets exactly one of several agents started at the same moment win, the others refused while it starts', async () => {
    const dir = home();
    const runs = [0, 1, 2].map(() => spawnCli(dir, ['agent']));
    started.push(...runs.map((r) => r.child));
    const info = await until('an agent to listen', () => readAgentFile(path.join(dir, 'agent.json')));
    const winner = runs.find((r) => r.child.pid === info.pid);
    expect(winner).toBeDefined();
    const losers = await Promise.all(runs.filter((r) => r !== winner).map((r) => r.done));
    for (const l of losers) {
      expect(l.code).toBe(75);
      expect(l.stderr.trim().split('\n')).toHaveLength(1);
      expect(l.stderr).toMatch(/^sandlot: another agent( \(pid \d+\))? already serves/);
    }
    expect(winner?.child.exitCode).toBeNull();
  });
});
