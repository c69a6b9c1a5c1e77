// The docker driver against a real engine: build the linux image, a 2-machine playground
// reached over SSH (host key checked), names resolving on its network, stop/start keeping
// files, a fresh driver re-adopting it, destroy leaving nothing behind, and bad inputs.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerDriver } from '../../../../../host-agent/drivers/docker/driver';
import { DriverUnavailableError } from '../../../../../host-agent/drivers/protocol';
import { makePlayground, manifestFrom, recordingContext, sshExec, startTestEngine, type TestEngine, type TestPlayground } from './helpers';

const TWO_MACHINES = `
kind: playground
name: two
playground:
  driver: docker
  machines:
    - name: node-01
      image: linux
      users: [{ name: root, default: true }, { name: laborant }]
      resources: { cpuCount: 1, ramSize: 512Mi }
      startupFiles:
        - path: /home/laborant/notes/hello.txt
          content: "hi from the manifest\\n"
        - path: /etc/motd
          content: "appended line\\n"
          append: true
    - name: node-02
      image: linux
      resources: { cpuCount: 1, ramSize: 256Mi }
`;

describe('docker driver lifecycle', () => {
  let engine: TestEngine;
  let driver: DockerDriver;
  let stateHome: string;
  let pg: TestPlayground;
  const ctx = recordingContext();

  beforeAll(async () => {
    engine = await startTestEngine();
    stateHome = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlot-docker-test-'));
    driver = new DockerDriver({ stateHome, dockerHost: engine.dockerHost });
    // First run on a machine: debootstrap + import (about a minute); later runs: cached by tag.
    await driver.images.ensure('linux');
    await driver.images.ensure('registry');
  }, 900_000);

  afterAll(async () => {
    if (pg) await driver.destroy(pg.spec, ctx).catch(() => {});
    await engine?.stop();
    if (stateHome) fs.rmSync(stateHome, { recursive: true, force: true });
  }, 120_000);

  it('creates two machines that answer SSH with their own host keys and resolve each other by name', async () => {
    pg = makePlayground(manifestFrom(TWO_MACHINES), path.join(stateHome, 'playgrounds'));
    // The agent validates first and records addresses before create.
    await driver.validate(pg.spec);
    const planned = driver.address(pg.spec, 'node-02');
    expect(planned).toMatch(/^10\.213\.\d+\.3$/);
    await driver.create(pg.spec, ctx);
    expect(driver.address(pg.spec, 'node-02')).toBe(planned);
    expect(ctx.steps).toContain('machine[node-01] done');

    const who = await sshExec(
      driver,
      pg,
      'node-01',
      'root',
      'hostname; id -un; getent hosts node-02 | cut -d" " -f1; ping -c1 -W2 node-02 >/dev/null && echo ping-ok',
    );
    expect(who.code).toBe(0);
    const [hostname, user, node2Address, ping] = who.stdout.trim().split('\n');
    expect(hostname).toBe('node-01');
    expect(user).toBe('root');
    expect(node2Address).toBe(driver.address(pg.spec, 'node-02'));
    expect(ping).toBe('ping-ok');

    const other = await sshExec(driver, pg, 'node-02', 'laborant', 'hostname; id -un; sudo -n id -un');
    expect(other.stdout.trim().split('\n')).toEqual(['node-02', 'laborant', 'root']);
  });

  it('writes startup files with their owners and applies the resource limits', async () => {
    const files = await sshExec(
      driver,
      pg,
      'node-01',
      'root',
      'cat /home/laborant/notes/hello.txt; stat -c %U /home/laborant/notes/hello.txt; tail -n1 /etc/motd',
    );
    expect(files.stdout.split('\n').slice(0, 3)).toEqual(['hi from the manifest', 'laborant', 'appended line']);

    const info = await engine.docker.getContainer(`sandlot-${pg.spec.id}-node-02`).inspect();
    expect(info.HostConfig.Memory).toBe(256 * 1024 ** 2);
    expect(info.HostConfig.NanoCpus).toBe(1e9);
    // Nothing published on host interfaces.
    const bindings: unknown = info.HostConfig.PortBindings;
    expect(bindings ?? {}).toEqual({});
  });

  it('gives each playground its own non-overlapping subnet', async () => {
    const second = makePlayground(
      manifestFrom(TWO_MACHINES.replace('name: two', 'name: three').replace(/\n {4}- name: node-02[\s\S]*$/, '\n')),
      path.join(stateHome, 'playgrounds'),
    );
    await driver.create(second.spec, ctx);
    try {
      const a = driver.address(pg.spec, 'node-01')!;
      const b = driver.address(second.spec, 'node-01')!;
      expect(a.split('.').slice(0, 3)).not.toEqual(b.split('.').slice(0, 3));
      // Same machine name, different playground: each resolves its own.
      const r = await sshExec(driver, second, 'node-01', 'root', 'getent hosts node-01 | cut -d" " -f1; getent hosts node-02 || echo no-node-02');
      expect(r.stdout.trim().split('\n')).toEqual([b, 'no-node-02']);
    } finally {
      await driver.destroy(second.spec, ctx);
    }
  });

  it('keeps files across stop and start, and a fresh driver re-adopts the playground', async () => {
    await sshExec(driver, pg, 'node-01', 'root', 'echo kept > /root/kept.txt');
    await driver.stop(pg.spec, ctx);
    expect(await driver.adopt(pg.spec, ctx)).toEqual({ 'node-01': 'stopped', 'node-02': 'stopped' });
    await expect(driver.connect(pg.spec, 'node-01', 22)).rejects.toThrow(/not running/);

    await driver.start(pg.spec, ctx);
    // A new driver instance knows nothing in memory, like an agent after a restart.
    const restarted = new DockerDriver({ stateHome, dockerHost: engine.dockerHost });
    expect(await restarted.adopt(pg.spec, ctx)).toEqual({ 'node-01': 'running', 'node-02': 'running' });
    const r = await sshExec(restarted, pg, 'node-01', 'root', 'cat /root/kept.txt; tail -n1 /etc/motd; grep -c "appended line" /etc/motd');
    // First-boot work (the append) ran once, not again on the second start.
    expect(r.stdout.trim().split('\n')).toEqual(['kept', 'appended line', '1']);
  });

  it('reports memory per machine', async () => {
    const usage = await driver.memoryUsage(pg.spec);
    expect(usage['node-01']).toBeGreaterThan(100 * 1024);
    expect(usage['node-01']).toBeLessThan(512 * 1024 ** 2);
  });

  it('destroys every container, network and volume of the playground and nothing else', async () => {
    const before = (await engine.docker.listContainers({ all: true })).filter((c) => !c.Labels['sandlot.playground']?.startsWith(pg.spec.id)).map((c) => c.Id);
    await driver.destroy(pg.spec, ctx);
    const filters = JSON.stringify({ label: [`sandlot.playground=${pg.spec.id}`] });
    expect(await engine.docker.listContainers({ all: true, filters })).toEqual([]);
    expect(await engine.docker.listNetworks({ filters })).toEqual([]);
    expect((await engine.docker.listVolumes({ filters })).Volumes ?? []).toEqual([]);
    const after = (await engine.docker.listContainers({ all: true })).map((c) => c.Id);
    for (const id of before) expect(after).toContain(id);
    // Idempotent.
    await driver.destroy(pg.spec, ctx);
    expect(await driver.adopt(pg.spec, ctx)).toEqual({ 'node-01': 'lost', 'node-02': 'lost' });
  });

  it('refuses an unknown image and memory above the host, naming the field and the driver', async () => {
    const bad = makePlayground(
      manifestFrom(`
kind: playground
name: bad
playground:
  machines:
    - name: a
      image: nosuchimage
    - name: b
      resources: { ramSize: 4000Gi }
`),
      path.join(stateHome, 'playgrounds'),
    );
    const err = await driver.validate(bad.spec).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(/playground\.machines\[0\]\.image: unknown image "nosuchimage": expected one of .*linux.*\(docker driver\)/);
    expect(err?.message).toMatch(/playground\.machines\[1\]\.resources\.ramSize: 4000Gi is more than this host's memory .*\(docker driver\)/);
    await expect(driver.create(bad.spec, ctx)).rejects.toThrow(/unknown image "nosuchimage"/);
    // Nothing was made for it.
    const filters = JSON.stringify({ label: [`sandlot.playground=${bad.spec.id}`] });
    expect(await engine.docker.listNetworks({ filters })).toEqual([]);
  });

  it('says which driver and what is missing when no engine answers', async () => {
    const missing = path.join(stateHome, 'no-engine.sock');
    const d = new DockerDriver({ stateHome, dockerHost: `unix://${missing}` });
    const err = await d.preflight().then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err).toBeInstanceOf(DriverUnavailableError);
    expect(err?.message).toBe(
      `docker driver: no Docker engine answers at unix://${missing} (no socket there); install it with \`apt-get install docker.io\` and start dockerd (or point DOCKER_HOST at a running engine, e.g. unix:///run/docker.sock)`,
    );
    const report = await d.doctor();
    expect(report.usable).toBe(false);
    const engineCheck = report.checks.find((c) => c.name === 'docker engine');
    expect(engineCheck?.ok).toBe(false);
    expect(engineCheck?.fix).toContain('docker.io');
  });
});
