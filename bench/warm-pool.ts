// Warm pool figures (issue 18): `start → shell` for a template handed out from the pool
// (docker: the `docker` template, `sandlot agent --driver docker --warm docker=1`; microvm:
// the `linux` template, `--driver microvm --warm linux=1`) against a cold start of the
// same template by a second agent without a pool, in the same run, runs interleaved. start → shell: the API create, the record `running`, an SSH session
// through the agent's tunnel and `true` in it; the floor under both, measured on the
// handed-out playground right after: the same SSH session and `true` alone. Then what one warm member holds: its
// ramSize (what the budget counts) and what it really holds: its containers' memory as the
// engine reports it, or its QEMU processes' RSS.
//
//   npm run bench -- warm-pool [--runs 5] [--driver docker|microvm]
//
// Engine: $DOCKER_HOST if set, else the tests' own dockerd (started if needed).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AgentClient } from '../host-agent/api/client';
import type { PlaygroundRecord } from '../host-agent/api/protocol';
import { DockerDriver } from '../host-agent/drivers/docker/driver';
import { treeRss } from '../host-agent/util/proc';
import { readOwnJson } from '../host-agent/util/json';
import { formatSize } from '../host-agent/manifests/sizes';
import { connectMachine } from '../host-agent/ssh/connect';
import { startAgent, until, waitForState, type AgentHandle } from '../test/helpers/agent-process';
import { startTestEngine } from '../test/integration/host-agent/drivers/docker/helpers';
import { runBench, runsArg, sshExec } from './harness';
import { fmtMs, loadAverage, median, MiB } from './stats';

const RUNS = runsArg(5);
const DRIVER = driverArg();

function driverArg(): 'docker' | 'microvm' {
  const args = process.argv.slice(2);
  const i = args.indexOf('--driver');
  const d = i < 0 ? 'docker' : args[i + 1];
  if (d !== 'docker' && d !== 'microvm') {
    console.error(`--driver: expected docker or microvm, got ${JSON.stringify(d ?? '')}`);
    process.exit(2);
  }
  return d;
}

const TEMPLATE = DRIVER === 'docker' ? 'docker' : 'linux';

async function startToShell(client: AgentClient): Promise<{ ms: number; runningMs: number; pg: PlaygroundRecord }> {
  const t0 = performance.now();
  const created = await client.create({ template: TEMPLATE });
  const pg = created.state === 'running' ? created : await waitForState(client, created.id, 'running', 600_000);
  const runningMs = performance.now() - t0;
  const ssh = await connectMachine(client, pg, 'dev');
  await sshExec(ssh, 'true');
  const ms = performance.now() - t0;
  ssh.end();
  return { ms, runningMs, pg };
}

/** The floor under both: a shell on a playground that already runs (SSH through the agent's tunnel, `true`). */
async function shellOnly(client: AgentClient, pg: PlaygroundRecord): Promise<number> {
  const t0 = performance.now();
  const ssh = await connectMachine(client, pg, 'dev');
  await sshExec(ssh, 'true');
  const ms = performance.now() - t0;
  ssh.end();
  return ms;
}

const ready = async (a: AgentHandle) => (await a.client.info()).warmPool?.templates[0]?.ready ?? 0;

/** The engine's memory figure (usage less reclaimable page cache, as `docker stats`) of a playground's containers. */
async function engineMemory(driver: DockerDriver, id: string): Promise<number> {
  let sum = 0;
  const filters = JSON.stringify({ label: [`sandlot.playground=${id}`] });
  for (const c of await driver.engine.listContainers({ filters })) {
    const stats = await driver.engine.getContainer(c.Id).stats({ stream: false });
    const mem = stats.memory_stats as { usage?: number; stats?: Record<string, number> };
    sum += (mem.usage ?? 0) - (mem.stats?.total_inactive_file ?? mem.stats?.inactive_file ?? 0);
  }
  return sum;
}

/** The RSS of a microvm playground's QEMU processes (from the driver's state file). */
function vmMemory(home: string, id: string): number {
  const state = readOwnJson<{ machines: Record<string, { vm?: { pid: number } }> }>(path.join(home, 'playgrounds', id, 'driver', 'microvm.json'));
  return Object.values(state.machines).reduce((sum, m) => sum + (m.vm ? treeRss(m.vm.pid) : 0), 0);
}

async function main(): Promise<void> {
  const stateHome = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlot-bench-warm-'));
  let env: NodeJS.ProcessEnv = {};
  let memory: (home: string, id: string) => Promise<number>;
  if (DRIVER === 'docker') {
    const engine = process.env.DOCKER_HOST ? undefined : await startTestEngine();
    const dockerHost = process.env.DOCKER_HOST ?? engine!.dockerHost;
    const driver = new DockerDriver({ stateHome, dockerHost });
    for (const image of ['docker', 'registry']) await driver.images.ensure(image);
    env = { DOCKER_HOST: dockerHost };
    memory = (_home, id) => engineMemory(driver, id);
  } else {
    memory = (home, id) => Promise.resolve(vmMemory(home, id));
  }
  const homes = [0, 1].map(() => fs.mkdtempSync(path.join(os.tmpdir(), 'sandlot-bench-warm-home-')));
  const warm = await startAgent({ home: homes[0], args: ['--driver', DRIVER, '--warm', `${TEMPLATE}=1`], env });
  const cold = await startAgent({ home: homes[1], args: ['--driver', DRIVER], env });
  const made: { agent: AgentHandle; id: string }[] = [];
  try {
    const fromPool: number[] = [];
    const fromPoolRunning: number[] = [];
    const shellFloor: number[] = [];
    const coldStart: number[] = [];
    let memberRam = 0;
    let memberMemory = 0;
    for (let i = 0; i < RUNS; i++) {
      await until(`a warm ${TEMPLATE} playground`, async () => ((await ready(warm)) === 1 ? true : undefined), 600_000);
      if (i === 0) {
        const info = (await warm.client.info()).warmPool!;
        memberRam = info.heldBytes;
        const member = fs.readdirSync(path.join(homes[0], 'playgrounds')).find((n) => fs.existsSync(path.join(homes[0], 'playgrounds', n, 'pool.json')))!;
        memberMemory = await memory(homes[0], member);
      }
      const w = await startToShell(warm.client);
      made.push({ agent: warm, id: w.pg.id });
      fromPool.push(w.ms);
      fromPoolRunning.push(w.runningMs);
      shellFloor.push(await shellOnly(warm.client, w.pg));
      const c = await startToShell(cold.client);
      made.push({ agent: cold, id: c.pg.id });
      coldStart.push(c.ms);
      console.log(`run ${i + 1}: from the pool ${fmtMs(w.ms)} (record running after ${fmtMs(w.runningMs)}), cold ${fmtMs(c.ms)}`);
      for (const m of made.splice(0)) await m.agent.client.destroy(m.id);
    }
    const results = {
      driver: DRIVER,
      template: TEMPLATE,
      date: new Date().toISOString(),
      load: loadAverage(),
      host: `${os.cpus().length} CPU, ${(os.totalmem() / 1024 ** 3).toFixed(0)} GiB, ${os.release()}`,
      runs: RUNS,
      fromPoolMs: median(fromPool),
      coldMs: median(coldStart),
      ratio: median(fromPool) / median(coldStart),
      fromPoolCreateMs: median(fromPoolRunning),
      shellOnRunningMs: median(shellFloor),
      memberRamSize: formatSize(memberRam),
      memberMemoryMiB: Math.round(memberMemory / MiB),
      all: { fromPool: fromPool.map(Math.round), cold: coldStart.map(Math.round) },
    };
    console.log(JSON.stringify(results, null, 2));
  } finally {
    for (const m of made) await m.agent.client.destroy(m.id).catch(() => undefined);
    // The warm agent destroys its pool when it stops.
    await warm.kill();
    await cold.kill();
    for (const h of [...homes, stateHome]) fs.rmSync(h, { recursive: true, force: true });
  }
}

runBench(main);
