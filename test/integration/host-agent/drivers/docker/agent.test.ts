// The docker driver inside the real agent and CLI: `--driver docker`, a template's own
// `driver: docker` on a sandbox agent, OpenSSH through the agent's tunnel with strict
// host key checking, re-adoption after the agent is killed, `sandlot images` and
// `sandlot doctor`.
import { parseOwnJson } from '../../../../../host-agent/util/json';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostAlias } from '../../../../../host-agent/api/protocol';
import { DockerDriver } from '../../../../../host-agent/drivers/docker/driver';
import { cli, openssh, startAgent, startPlayground, tempHome, waitForState, writeSshConfig, type AgentHandle } from '../../../../helpers/agent-process';
import { removePlaygroundLeftovers, startTestEngine, type TestEngine } from './helpers';

describe('docker driver in the agent and the CLI', () => {
  let engine: TestEngine;
  let home: string;
  let agent: AgentHandle | undefined;
  const created: string[] = [];

  beforeAll(async () => {
    engine = await startTestEngine();
    const stateHome = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlot-docker-test-'));
    const driver = new DockerDriver({ stateHome, dockerHost: engine.dockerHost });
    for (const image of ['linux', 'docker', 'registry']) await driver.images.ensure(image);
    fs.rmSync(stateHome, { recursive: true, force: true });
    home = tempHome('sandlot-docker-agent-');
  }, 900_000);

  afterAll(async () => {
    if (agent) {
      for (const id of created) await agent.client.destroy(id).catch(() => {});
      await agent.kill();
    }
    // Whatever the agent could not remove (e.g. a test failed midway) goes too.
    if (engine) await removePlaygroundLeftovers(engine.docker, created);
    await engine?.stop();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  }, 120_000);

  it('runs a playground with --driver docker, reachable with OpenSSH through the agent, and re-adopts it after a kill', async () => {
    agent = await startAgent({ home, args: ['--driver', 'docker'], env: { DOCKER_HOST: engine.dockerHost } });
    const pg = await startPlayground(agent, 'linux');
    created.push(pg.id);
    expect(pg.driver).toBe('docker');
    // Known before create (the driver reserves the subnet at validate), on the playground's own /24.
    expect(pg.machines[0].address).toMatch(/^10\.213\.\d+\.2$/);
    const config = writeSshConfig(agent, pg.id);
    const first = openssh(config, hostAlias(pg.id, 'dev'), 'hostname; cat /root/README.txt | head -n1');
    expect(first.stderr).toBe('');
    expect(first.stdout.split('\n').slice(0, 2)).toEqual(['dev', 'Welcome to your Sandlot playground.']);
    openssh(config, hostAlias(pg.id, 'dev'), 'echo survived > /root/mark');

    await agent.kill('SIGKILL');
    agent = await startAgent({ home, args: ['--driver', 'docker'], env: { DOCKER_HOST: engine.dockerHost } });
    const again = await waitForState(agent.client, pg.id, 'running');
    expect(again.machines[0].state).toBe('running');
    expect(openssh(writeSshConfig(agent, pg.id), hostAlias(pg.id, 'dev'), 'cat /root/mark').stdout).toBe('survived\n');

    await agent.client.destroy(pg.id);
    const filters = JSON.stringify({ label: [`sandlot.playground=${pg.id}`] });
    expect(await engine.docker.listContainers({ all: true, filters })).toEqual([]);
    expect(await engine.docker.listNetworks({ filters })).toEqual([]);
  }, 180_000);

  it('lets users ssh between the machines of a playground by name (sshd, strict host keys)', async () => {
    const pg = await startPlayground(agent!, 'linux-multi');
    created.push(pg.id);
    const config = writeSshConfig(agent!, pg.id);
    const hop = (from: string, user: string, to: string) =>
      openssh(config, hostAlias(pg.id, from), `ssh -o BatchMode=yes -o StrictHostKeyChecking=yes ${to} 'whoami; hostname'`, ['-l', user]);
    const root = hop('node-01', 'root', 'node-02');
    expect(root.stderr).not.toMatch(/Host key verification failed|Permission denied/);
    expect(root.stdout.trim().split('\n')).toEqual(['root', 'node-02']);
    expect(hop('node-03', 'laborant', 'node-01').stdout.trim().split('\n')).toEqual(['laborant', 'node-01']);
    expect(openssh(config, hostAlias(pg.id, 'node-02'), 'stat -c %U ~/.ssh ~/.ssh/id_ed25519', ['-l', 'laborant']).stdout.trim().split('\n')).toEqual([
      'laborant',
      'laborant',
    ]);
    await agent!.client.destroy(pg.id);
  }, 180_000);

  it("honours a template's driver: docker on a sandbox agent", async () => {
    await agent?.kill();
    agent = await startAgent({ home, env: { DOCKER_HOST: engine.dockerHost } });
    const pg = await startPlayground(agent, 'docker');
    created.push(pg.id);
    expect(pg.driver).toBe('docker');
    const r = openssh(
      writeSshConfig(agent, pg.id),
      hostAlias(pg.id, 'dev'),
      'for i in $(seq 100); do docker info >/dev/null 2>&1 && break; sleep 0.2; done; id -un; docker info --format "{{.ServerVersion}}"',
    );
    expect(r.stdout.trim().split('\n')).toEqual(['laborant', expect.stringMatching(/^\d+\.\d+\.\d+/)]);
  }, 180_000);

  it('sandlot images and sandlot doctor report on this engine, with one-line errors', () => {
    const env = { ...process.env, SANDLOT_HOME: home, DOCKER_HOST: engine.dockerHost };
    const list = cli(env, ['images', 'list', '--json']);
    expect(list.code).toBe(0);
    const images = parseOwnJson<{ name: string; built: boolean; problem?: string }[]>(list.stdout);
    expect(images.map((i) => i.name)).toEqual(['linux', 'docker', 'zig', 'k3s']);
    expect(images.find((i) => i.name === 'linux')?.built).toBe(true);
    expect(images.find((i) => i.name === 'k3s')?.problem).toMatch(/SANDLOT_K3S_BINARY/);

    expect(cli(env, ['images', 'build', 'ubuntu'])).toMatchObject({
      code: 1,
      stderr: 'sandlot: images: unknown image "ubuntu": expected one of linux, docker, zig, k3s\n',
    });
    const k3s = cli({ ...env, SANDLOT_K3S_BINARY: '' }, ['images', 'build', 'k3s']);
    expect(k3s.code).toBe(1);
    expect(k3s.stderr).toMatch(/^sandlot: images build k3s: the k3s image needs a k3s binary .*--k3s-binary/);
    expect(cli(env, ['images', 'build', 'linux']).stdout).toMatch(/^linux: sandlot\/linux:[0-9a-f]{12} \(\d+\.\d s\)\n$/);

    const doctor = cli(env, ['doctor', 'docker', '--json']);
    expect(parseOwnJson<unknown[]>(doctor.stdout)[0]).toMatchObject({ driver: 'docker', usable: true });
    const down = cli({ ...env, DOCKER_HOST: `unix://${path.join(home, 'none.sock')}` }, ['doctor', 'docker']);
    expect(down.stdout).toContain('docker: not usable');
    expect(down.stdout).toContain('fix: install it with `apt-get install docker.io` and start dockerd');
    expect(cli(env, ['doctor', 'lxc']).stderr).toBe('sandlot: doctor: expected a driver name (sandbox, docker, microvm), got "lxc"\n');
  });
});
