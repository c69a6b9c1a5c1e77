// Docker driver figures: image build times, `start → shell` with images cached (create a
// playground, then one SSH command through driver.connect()), restart of a stopped
// playground → shell, and memory per idle machine. Baseline in the same run: a bare
// container of the same image created through the Engine API until its sshd port opens
// (what any container-based driver pays at least).
//
//   npm run bench -- docker-start [--runs 7] [--no-builds]
//
// Engine: $DOCKER_HOST if set, else the tests' own dockerd (started if needed).
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { DockerDriver } from '../host-agent/drivers/docker/driver';
import type { DriverContext } from '../host-agent/drivers/protocol';
import { median } from './stats';
import { makePlayground, manifestFrom, sshExec, startTestEngine, type TestEngine } from '../test/integration/host-agent/drivers/docker/helpers';

const args = process.argv.slice(2);
const RUNS = Number(args[args.indexOf('--runs') + 1]) > 0 && args.includes('--runs') ? Number(args[args.indexOf('--runs') + 1]) : 7;
const BUILDS = !args.includes('--no-builds');

const ms = (x: number) => `${x.toFixed(0)} ms`;
const quiet: DriverContext = { progress: () => {}, log: () => {} };

const ONE = `
kind: playground
name: bench
playground:
  machines:
    - name: dev
      image: linux
      resources: { cpuCount: 1, ramSize: 512Mi }
`;

async function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

async function main() {
  let engine: TestEngine | undefined;
  let dockerHost = process.env.DOCKER_HOST;
  if (!dockerHost) {
    engine = await startTestEngine();
    dockerHost = engine.dockerHost;
  }
  const stateHome = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlot-bench-docker-'));
  const driver = new DockerDriver({ stateHome, dockerHost });
  const results: Record<string, unknown> = {
    date: new Date().toISOString(),
    host: `${os.cpus().length} CPU, ${(os.totalmem() / 1024 ** 3).toFixed(0)} GiB, ${os.release()}`,
  };
  try {
    await driver.preflight();
    const builds: Record<string, number> = {};
    if (BUILDS) {
      // Each one rebuilt once on top of its (cached) parent: the cost a changed recipe pays.
      for (const name of ['debian', 'linux', 'registry', 'docker', 'zig']) {
        const t = Date.now();
        await driver.images.rebuild(name);
        builds[name] = (Date.now() - t) / 1000;
        console.log(`build ${name}: ${builds[name].toFixed(1)} s`);
      }
    } else {
      for (const name of ['linux', 'registry', 'docker']) await driver.images.ensure(name);
    }
    results.buildSeconds = builds;

    const root = path.join(stateHome, 'playgrounds');
    const startToShell: number[] = [];
    const restartToShell: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const pg = makePlayground(manifestFrom(ONE), root);
      const t0 = performance.now();
      await driver.create(pg.spec, quiet);
      const r = await sshExec(driver, pg, 'dev', 'root', 'true');
      startToShell.push(performance.now() - t0);
      if (r.code !== 0) throw new Error(`ssh true exited ${r.code}`);
      await driver.stop(pg.spec, quiet);
      const t1 = performance.now();
      await driver.start(pg.spec, quiet);
      await sshExec(driver, pg, 'dev', 'root', 'true');
      restartToShell.push(performance.now() - t1);
      await driver.destroy(pg.spec, quiet);
    }

    // Baseline: the bare minimum through the same engine: one container, its sshd port open.
    const baseline: number[] = [];
    const tag = await driver.images.ensure('linux');
    const probe = makePlayground(manifestFrom(ONE), root);
    await driver.create(probe.spec, quiet); // for its network only
    const netName = `sandlot-${probe.spec.id}-local`;
    for (let i = 0; i < RUNS; i++) {
      const ip = driver.address(probe.spec, 'dev')!.replace(/\.\d+$/, `.${100 + i}`);
      const t0 = performance.now();
      const c = await driver.engine.createContainer({
        Image: tag,
        HostConfig: { NetworkMode: netName },
        NetworkingConfig: { EndpointsConfig: { [netName]: { IPAMConfig: { IPv4Address: ip } } } },
        // A throwaway host key, or sshd refuses to start.
        Entrypoint: ['/bin/sh', '-c', 'ssh-keygen -q -t ed25519 -N "" -f /etc/ssh/ssh_host_ed25519_key && mkdir -p /run/sshd && exec /usr/sbin/sshd -D'],
      });
      await c.start();
      while (!(await canConnect(ip, 22))) await new Promise((r) => setTimeout(r, 20));
      baseline.push(performance.now() - t0);
      await c.remove({ force: true });
    }
    await driver.destroy(probe.spec, quiet);

    // Memory per idle machine: a 3-machine linux playground and a 1-machine docker one.
    const three = makePlayground(
      manifestFrom(`
kind: playground
name: idle
playground:
  machines:
    - { name: a, image: linux }
    - { name: b, image: linux }
    - { name: c, image: linux }
`),
      root,
    );
    const dind = makePlayground(manifestFrom(`kind: playground\nname: idle-docker\nplayground:\n  machines:\n    - { name: d, image: docker }\n`), root);
    await driver.create(three.spec, quiet);
    await driver.create(dind.spec, quiet);
    await sshExec(driver, dind, 'd', 'root', 'for i in $(seq 100); do docker info >/dev/null 2>&1 && break; sleep 0.2; done');
    await new Promise((r) => setTimeout(r, 5000));
    const linuxMem = Object.values(await driver.memoryUsage(three.spec));
    const dockerMem = Object.values(await driver.memoryUsage(dind.spec));
    await driver.destroy(three.spec, quiet);
    await driver.destroy(dind.spec, quiet);

    results.startToShellMs = { median: median(startToShell), runs: startToShell.map(Math.round) };
    results.restartToShellMs = { median: median(restartToShell), runs: restartToShell.map(Math.round) };
    results.baselineContainerToSshPortMs = { median: median(baseline), runs: baseline.map(Math.round) };
    results.idleMemoryMiB = { linux: median(linuxMem) / 1024 ** 2, docker: median(dockerMem) / 1024 ** 2 };

    console.log(`start → shell (create + SSH command), median of ${RUNS}: ${ms(median(startToShell))}  [${startToShell.map(ms).join(', ')}]`);
    console.log(`stopped → start → shell, median of ${RUNS}: ${ms(median(restartToShell))}`);
    console.log(`baseline: bare container → sshd port open, median of ${RUNS}: ${ms(median(baseline))}`);
    console.log(`ratio start→shell / baseline: ${(median(startToShell) / median(baseline)).toFixed(2)}×`);
    console.log(
      `idle memory per machine: linux ${(median(linuxMem) / 1024 ** 2).toFixed(1)} MiB, docker (dockerd inside) ${(median(dockerMem) / 1024 ** 2).toFixed(1)} MiB`,
    );
    fs.mkdirSync('bench/out', { recursive: true });
    fs.writeFileSync('bench/out/docker-start.json', JSON.stringify(results, null, 2));
  } finally {
    fs.rmSync(stateHome, { recursive: true, force: true });
    await engine?.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
