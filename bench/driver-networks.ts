// Networks of the docker and microvm drivers (issue 13), in one run:
// - start → shell (create + one SSH command through connect()) of a 1-machine playground
//   on one network and of the same machine on three networks (three bridges, three
//   interfaces, the way out on the first);
// - TCP throughput between two machines of a playground on one network (dd | nc, the same
//   tools on both ends), against the same stream between two host network namespaces
//   joined by a veth pair: the "physical" baseline of this host, measured in the same run.
//
//   npm run bench -- driver-networks [--runs 5] [--drivers docker,microvm]
//
// Needs root (namespaces), OpenBSD netcat on the host (apt-get install netcat-openbsd), the
// tests' dockerd (started if needed) and the microvm image cache the tests share.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DockerDriver } from '../host-agent/drivers/docker/driver';
import { MicrovmDriver } from '../host-agent/drivers/microvm/driver';
import type { Driver, DriverContext } from '../host-agent/drivers/protocol';
import { makePlayground, manifestFrom, sshExec, startTestEngine, type TestPlayground } from '../test/integration/host-agent/drivers/docker/helpers';
import { VM_CACHE } from '../test/integration/host-agent/drivers/microvm/helpers';
import { median } from './stats';

const args = process.argv.slice(2);
const arg = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const RUNS = Number(arg('--runs') ?? 5);
const DRIVERS = (arg('--drivers') ?? 'docker,microvm').split(',');
const quiet: DriverContext = { progress: () => {}, log: () => {} };
const PORT = 5201;

const ONE_NETWORK = `
kind: playground
name: one-net
playground:
  machines:
    - { name: a, resources: { cpuCount: 1, ramSize: 512Mi } }
`;

const THREE_NETWORKS = `
kind: playground
name: three-nets
playground:
  networks:
    - { name: n1, subnet: 10.93.1.0/24 }
    - { name: n2, subnet: 10.93.2.0/24 }
    - { name: n3, subnet: 10.93.3.0/24, private: true }
  machines:
    - name: a
      resources: { cpuCount: 1, ramSize: 512Mi }
      network: { interfaces: [{ network: n1 }, { network: n2 }, { network: n3 }] }
`;

const PAIR = `
kind: playground
name: pair
playground:
  machines:
    - { name: a, resources: { cpuCount: 1, ramSize: 512Mi } }
    - { name: b, resources: { cpuCount: 1, ramSize: 512Mi } }
`;

/** Sends `mib` MiB of zeros from the sender to the listener; returns MiB/s as the sender saw it (nc -N waits for the receiver's close). */
async function stream(listen: (cmd: string) => Promise<string>, send: (cmd: string) => Promise<string>, target: string, mib: number): Promise<number> {
  const received = listen(`nc -l ${PORT} | wc -c`);
  // The listener needs a moment to bind; a probe connection would end it (no -k).
  await new Promise((r) => setTimeout(r, 1500));
  const out = await send(`s=$(date +%s.%N); dd if=/dev/zero bs=1M count=${mib} 2>/dev/null | nc -N ${target} ${PORT}; e=$(date +%s.%N); echo "$s $e"`);
  const [s, e] = out.trim().split(/\s+/).map(Number);
  const bytes = Number((await received).trim());
  if (bytes !== mib * 1024 * 1024) throw new Error(`the receiver got ${bytes} bytes, expected ${mib} MiB`);
  return mib / (e - s);
}

function sh(argv: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${argv.join(' ')}: ${err.trim()}`))));
  });
}

/** Two host network namespaces joined by a veth pair: the same stream with nothing of Sandlot in between. */
async function baseline(mib: number, runs: number): Promise<number[]> {
  const tag = `slbn${process.pid % 10000}`;
  const [a, b] = [`${tag}a`, `${tag}b`];
  const ip = (...x: string[]) => spawnSync('ip', x, { encoding: 'utf8' });
  try {
    for (const ns of [a, b]) ip('netns', 'add', ns);
    ip('link', 'add', 'eth0', 'netns', a, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', b);
    ip('-n', a, 'addr', 'add', '10.250.0.1/24', 'dev', 'eth0');
    ip('-n', b, 'addr', 'add', '10.250.0.2/24', 'dev', 'eth0');
    for (const ns of [a, b]) for (const dev of ['lo', 'eth0']) ip('-n', ns, 'link', 'set', dev, 'up');
    const out: number[] = [];
    for (let i = 0; i < runs; i++) {
      out.push(
        await stream(
          (cmd) => sh(['ip', 'netns', 'exec', a, 'sh', '-c', cmd]),
          (cmd) => sh(['ip', 'netns', 'exec', b, 'sh', '-c', cmd]),
          '10.250.0.1',
          mib,
        ),
      );
    }
    return out;
  } finally {
    for (const ns of [a, b]) ip('netns', 'del', ns);
  }
}

async function startToShell(driver: Driver, yaml: string, root: string, runs: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const pg = makePlayground(manifestFrom(yaml), root);
    try {
      const t0 = performance.now();
      await driver.create(pg.spec, quiet);
      const r = await sshExec(driver, pg, 'a', 'root', 'true', 300_000);
      out.push(performance.now() - t0);
      if (r.code !== 0) throw new Error(`ssh true exited ${r.code}`);
    } finally {
      await driver.destroy(pg.spec, quiet);
    }
  }
  return out;
}

async function throughput(driver: Driver, root: string, mib: number, runs: number): Promise<number[]> {
  const pg: TestPlayground = makePlayground(manifestFrom(PAIR), root);
  await driver.create(pg.spec, quiet);
  try {
    const out: number[] = [];
    for (let i = 0; i < runs; i++) {
      const on = (m: string) => async (cmd: string) => (await sshExec(driver, pg, m, 'root', cmd, 600_000)).stdout;
      out.push(await stream(on('b'), on('a'), 'b', mib));
    }
    return out;
  } finally {
    await driver.destroy(pg.spec, quiet);
  }
}

const fmt = (xs: number[], unit: string, digits = 0) => `${median(xs).toFixed(digits)} ${unit} [${xs.map((x) => x.toFixed(digits)).join(', ')}]`;

async function main() {
  // The netns relay's IPC channel is unref'd (the agent's server keeps its loop alive):
  // without a handle of our own, node would exit quietly while awaiting a relay reply.
  const keepAlive = setInterval(() => {}, 1 << 30);
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'sl-bench-net-'));
  const results: Record<string, unknown> = {
    date: new Date().toISOString(),
    load: os.loadavg().map((x) => x.toFixed(1)),
    host: `${os.cpus().length} CPU, ${(os.totalmem() / 1024 ** 3).toFixed(0)} GiB, ${os.release()}`,
  };
  const engine = DRIVERS.includes('docker') ? await startTestEngine() : undefined;
  try {
    const base = await baseline(512, 3);
    results.baselineMiBs = base;
    console.log(`baseline: two host network namespaces (veth), 512 MiB: ${fmt(base, 'MiB/s')}`);
    for (const name of DRIVERS) {
      const driver: Driver =
        name === 'docker'
          ? new DockerDriver({ stateHome: home, dockerHost: engine!.dockerHost })
          : new MicrovmDriver({ stateHome: home, cacheDir: VM_CACHE, snapshots: true });
      const runs = name === 'microvm' ? Math.min(RUNS, 3) : RUNS;
      const root = path.join(home, name);
      // Warm-up (images, snapshots of both shapes) outside the figures.
      await startToShell(driver, ONE_NETWORK, root, 1);
      await startToShell(driver, THREE_NETWORKS, root, 1);
      const one = await startToShell(driver, ONE_NETWORK, root, runs);
      const three = await startToShell(driver, THREE_NETWORKS, root, runs);
      const mib = name === 'microvm' ? 64 : 512;
      const tp = await throughput(driver, root, mib, 3);
      results[name] = { startToShellOneNetworkMs: one, startToShellThreeNetworksMs: three, throughputMiBs: tp, streamMiB: mib };
      console.log(`${name}: start → shell, 1 network: ${fmt(one, 'ms')}`);
      console.log(`${name}: start → shell, 3 networks: ${fmt(three, 'ms')} (ratio ${(median(three) / median(one)).toFixed(2)}×)`);
      console.log(`${name}: machine → machine, ${mib} MiB: ${fmt(tp, 'MiB/s', 1)} (${((median(tp) / median(base)) * 100).toFixed(1)} % of the baseline)`);
      await driver.close();
    }
    fs.mkdirSync('bench/out', { recursive: true });
    fs.writeFileSync('bench/out/driver-networks.json', JSON.stringify(results, null, 2));
    console.log(
      `load average at the end: ${os
        .loadavg()
        .map((x) => x.toFixed(1))
        .join(' ')}`,
    );
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
    await engine?.stop();
    clearInterval(keepAlive);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
