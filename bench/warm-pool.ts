// Warm pool figures (issue 18): docker `start → shell` for the `docker` template handed
// out from the pool (`sandlot agent --driver docker --warm docker=1`) against a cold
// start of the same template by a second agent without a pool, in the same run, runs
// interleaved. start → shell: the API create, the record `running`, an SSH session
// through the agent's tunnel and `true` in it; the floor under both, measured on the
// handed-out playground right after: the same SSH session and `true` alone. Then what one warm member holds: its
// ramSize (what the budget counts) and its containers' memory as the engine reports it.
//
//   npm run bench -- warm-pool [--runs 5]
//
// Engine: $DOCKER_HOST if set, else the tests' own dockerd (started if needed).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AgentClient } from '../host-agent/api/client';
import type { PlaygroundRecord } from '../host-agent/api/protocol';
import { DockerDriver } from '../host-agent/drivers/docker/driver';
import { formatSize } from '../host-agent/manifests/sizes';
import { connectMachine } from '../host-agent/ssh/connect';
import { startAgent, until, waitForState, type AgentHandle } from '../test/helpers/agent-process';
import { startTestEngine } from '../test/integration/host-agent/drivers/docker/helpers';
import { runBench, runsArg, sshExec } from './harness';
import { fmtMs, median, MiB } from './stats';

const RUNS = runsArg(5);

async function startToShell(client: AgentClient): Promise<{ ms: number; runningMs: number; pg: PlaygroundRecord }> {
  const t0 = performance.now();
  const created = await client.create({ template: 'docker' });
  const pg = created.state === 'running' ? created : await waitForState(client, created.id, 'running', 240_000);
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

async function main(): Promise<void> {
  const engine = process.env.DOCKER_HOST ? undefined : await startTestEngine();
  const dockerHost = process.env.DOCKER_HOST ?? engine!.dockerHost;
  const stateHome = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlot-bench-warm-'));
  const driver = new DockerDriver({ stateHome, dockerHost });
  for (const image of ['docker', 'registry']) await driver.images.ensure(image);
  const homes = [0, 1].map(() => fs.mkdtempSync(path.join(os.tmpdir(), 'sandlot-bench-warm-home-')));
  const env = { DOCKER_HOST: dockerHost };
  const warm = await startAgent({ home: homes[0], args: ['--driver', 'docker', '--warm', 'docker=1'], env });
  const cold = await startAgent({ home: homes[1], args: ['--driver', 'docker'], env });
  const made: { agent: AgentHandle; id: string }[] = [];
  try {
    const fromPool: number[] = [];
    const fromPoolRunning: number[] = [];
    const shellFloor: number[] = [];
    const coldStart: number[] = [];
    let memberRam = 0;
    let memberMemory = 0;
    for (let i = 0; i < RUNS; i++) {
      await until('a warm docker playground', async () => ((await ready(warm)) === 1 ? true : undefined), 300_000);
      if (i === 0) {
        const info = (await warm.client.info()).warmPool!;
        memberRam = info.heldBytes;
        const member = fs.readdirSync(path.join(homes[0], 'playgrounds')).find((n) => fs.existsSync(path.join(homes[0], 'playgrounds', n, 'pool.json')))!;
        memberMemory = await engineMemory(driver, member);
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
      date: new Date().toISOString(),
      load: fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
      host: `${os.cpus().length} CPU, ${(os.totalmem() / 1024 ** 3).toFixed(0)} GiB, ${os.release()}`,
      runs: RUNS,
      fromPoolMs: median(fromPool),
      coldMs: median(coldStart),
      ratio: median(fromPool) / median(coldStart),
      fromPoolCreateMs: median(fromPoolRunning),
      shellOnRunningMs: median(shellFloor),
      memberRamSize: formatSize(memberRam),
      memberEngineMemoryMiB: Math.round(memberMemory / MiB),
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
