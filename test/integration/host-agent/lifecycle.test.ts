// Lifecycle through the real agent process: stop/start keep files, SIGKILL of the agent
// loses nothing, machines that died while the agent was down come back, and expired
// playgrounds are stopped then destroyed by the agent itself.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { PlaygroundEvent, PlaygroundRecord } from '../../../host-agent/api/protocol';
import { parseOwnJson, readOwnJson } from '../../../host-agent/util/json';
import { cli, startAgent, startPlayground, waitForState, type AgentHandle } from '../../helpers/agent-process';

const agents: AgentHandle[] = [];
async function agentFor(home?: string): Promise<AgentHandle> {
  const a = await startAgent({ home });
  agents.push(a);
  return a;
}

afterEach(async () => {
  for (const a of agents.splice(0)) {
    for (const p of await a.client.list().catch(() => [])) await a.client.destroy(p.id).catch(() => undefined);
    await a.kill();
  }
});

async function sh(agent: AgentHandle, id: string, command: string, machine = 'dev'): Promise<string> {
  let out = '';
  const exit = await agent.client.exec(id, machine, { command }, (c) => {
    if (c.type !== 'exit' && c.type !== 'error') out += Buffer.from(c.data, 'base64').toString();
  });
  if (exit.code !== 0) throw new Error(`${command} exited ${exit.code}: ${out}`);
  return out;
}

describe('playground lifecycle', () => {
  it('streams provisioning steps and machine states, and keeps files across stop/start/restart', async () => {
    const agent = await agentFor();
    const created = await agent.client.create({ template: 'linux-multi' });
    const events: PlaygroundEvent[] = [];
    const stop = await agent.client.events(created.id, (e) => events.push(e));
    await waitForState(agent.client, created.id, 'running');
    stop();
    expect(events[0].type).toBe('snapshot');
    for (const m of ['node-01', 'node-02', 'node-03']) {
      expect(events.some((e) => e.type === 'step' && e.step === 'machine' && e.machine === m && e.status === 'done')).toBe(true);
    }
    await sh(agent, created.id, 'echo kept > /root/kept.txt', 'node-02');
    expect((await agent.client.stop(created.id)).state).toBe('stopped');
    await expect(agent.client.exec(created.id, 'node-02', { command: 'true' }, () => undefined)).rejects.toThrow(/is stopped/);
    expect((await agent.client.start(created.id)).state).toBe('running');
    expect(await sh(agent, created.id, 'cat /root/kept.txt', 'node-02')).toBe('kept\n');
    expect((await agent.client.restart(created.id)).state).toBe('running');
    expect(await sh(agent, created.id, 'cat /root/kept.txt; hostname', 'node-02')).toBe('kept\nnode-02\n');
  });

  it('survives SIGKILL of the agent: playgrounds listed again, machines still running, files intact', async () => {
    const first = await agentFor();
    const a = await startPlayground(first);
    const b = await startPlayground(first);
    await first.client.stop(b.id);
    await sh(first, a.id, 'echo before > /root/state.txt; sleep 1000 >/dev/null 2>&1 & echo $! > /tmp/sleeper.pid');
    const sleeper = (await sh(first, a.id, 'cat /tmp/sleeper.pid')).trim();
    await first.kill('SIGKILL');

    const second = await agentFor(first.home);
    const list = cli(second, ['list', '--json']);
    expect(list.code).toBe(0);
    const records = parseOwnJson<PlaygroundRecord[]>(list.stdout);
    expect(records.map((r) => [r.id, r.state]).sort()).toEqual(
      [
        [a.id, 'running'],
        [b.id, 'stopped'],
      ].sort(),
    );
    // The very same machine: the process started before the kill is still there.
    expect(await sh(second, a.id, `cat /root/state.txt; kill -0 ${sleeper} && echo alive`)).toBe('before\nalive\n');
    // The machine's own port 22 (ssh between machines) is served again by the new agent.
    expect(await sh(second, a.id, 'ssh -o BatchMode=yes -o StrictHostKeyChecking=yes dev hostname')).toBe('dev\n');
    await second.client.start(b.id);
    expect((await second.client.get(b.id)).state).toBe('running');
  });

  it('starts machines again when they died while the agent was down', async () => {
    const first = await agentFor();
    const pg = await startPlayground(first);
    await sh(first, pg.id, 'echo persisted > /root/p.txt');
    await first.kill('SIGKILL');
    // Kill the machine's processes behind the agent's back (as a host reboot would).
    const state = readOwnJson<{ machines: Record<string, { pid: number }>; hub: { pid: number } }>(
      path.join(first.home, 'playgrounds', pg.id, 'driver', 'sandbox.json'),
    );
    process.kill(state.machines.dev.pid, 'SIGKILL');
    process.kill(state.hub.pid, 'SIGKILL');
    const second = await agentFor(first.home);
    await waitForState(second.client, pg.id, 'running');
    expect(await sh(second, pg.id, 'cat /root/p.txt')).toBe('persisted\n');
  });

  it('stops, then destroys a playground whose lifetime ended, and extend pushes the deadline', async () => {
    const agent = await agentFor();
    const extended = await startPlayground(agent, 'linux', { lifetimeMinutes: 0.05 });
    const before = Date.parse(extended.deadline);
    const after = Date.parse((await agent.client.extend(extended.id, 30)).deadline);
    expect(after - before).toBeGreaterThanOrEqual(30 * 60_000 - 5_000);

    const short = await startPlayground(agent, 'linux', { lifetimeMinutes: 0.05 });
    const events: PlaygroundEvent[] = [];
    const gone = new Promise<void>((resolve) => {
      void agent.client.events(
        short.id,
        (e) => events.push(e),
        () => resolve(),
      );
    });
    await gone;
    const states = events.filter((e) => e.type === 'playground').map((e) => (e as { state: string }).state);
    expect(states).toEqual(expect.arrayContaining(['stopping', 'stopped', 'destroying', 'destroyed']));
    expect(states.indexOf('stopped')).toBeLessThan(states.indexOf('destroyed'));
    await expect(agent.client.get(short.id)).rejects.toThrow(/no playground/);
    expect(fs.existsSync(path.join(agent.home, 'playgrounds', short.id))).toBe(false);
    expect((await agent.client.get(extended.id)).state).toBe('running');
  }, 90_000);

  it('writes each record atomically with mode 0600 and keys the machines cannot read', async () => {
    const agent = await agentFor();
    const pg = await startPlayground(agent);
    const dir = path.join(agent.home, 'playgrounds', pg.id);
    for (const f of ['record.json', 'keys/keys.json']) expect(fs.statSync(path.join(dir, f)).mode & 0o777).toBe(0o600);
    const record = readOwnJson<PlaygroundRecord>(path.join(dir, 'record.json'));
    expect(record.id).toBe(pg.id);
    expect(fs.readdirSync(dir).filter((f) => f.includes('.tmp') || /record\.json\./.test(f))).toEqual([]);
  });
});
