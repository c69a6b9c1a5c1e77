// Warm pool figures (issue 18): `start → shell` for a template handed out from the pool
// (docker: the `docker` template, `sandlot agent --driver docker --warm docker=1`; microvm:
// the `linux` template, `--driver microvm --warm linux=1`) against a cold start of the
// same template by a second agent without a pool, in the same run, runs interleaved. start → shell: the API create, the record `running`, an SSH session
// through the agent's tunnel and `true` in it, each step timed; the floor under both, measured on the
// handed-out playground right after: the same SSH session and `true` alone. With BEFORE=<another
// checkout, built>, a third agent of that build with the same pool, interleaved too (before/after
// ratios). The agent's own hand-out time is read from its log line. Then what one warm member holds: its
// ramSize (what the budget counts) and what it really holds: its containers' memory as the
// engine reports it, or its QEMU processes' RSS.
//
//   npm run bench -- warm-pool [--runs 5] [--driver docker|microvm]   (BEFORE=<dir>)
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
const BEFORE = process.env.BEFORE;
const MEMBER_IDLE_MS = 5000;

interface StartToShell {
  /** create → the record says `running` */
  runningMs: number;
  /** → the SSH session is open (key, tunnel, handshake, login) */
  loginMs: number;
  /** → `true` ran: start → shell */
  ms: number;
  pg: PlaygroundRecord;
}

async function startToShell(client: AgentClient): Promise<StartToShell> {
  const t0 = performance.now();
  const created = await client.create({ template: TEMPLATE });
  const pg = created.state === 'running' ? created : await waitForState(client, created.id, 'running', 600_000);
  const runningMs = performance.now() - t0;
  const ssh = await connectMachine(client, pg, 'dev');
  const loginMs = performance.now() - t0;
  await sshExec(ssh, 'true');
  const ms = performance.now() - t0;
  ssh.end();
  return { ms, runningMs, loginMs, pg };
}

interface AgentHandOut {
  ms: number;
  answeredMs: number;
  recordMs: number;
}

/** The agent's own figures for a hand-out (its log line), or undefined (an agent before that line). */
function handOutMs(agent: AgentHandle, id: string): AgentHandOut | undefined {
  const m = new RegExp(`${id}: handed out from the warm pool in (\\d+) ms .*machines answered after (\\d+) ms, record written after (\\d+) ms`).exec(
    agent.log(),
  );
  return m ? { ms: Number(m[1]), answeredMs: Number(m[2]), recordMs: Number(m[3]) } : undefined;
}

class PoolFigures {
  readonly running: number[] = [];
  readonly login: number[] = [];
  readonly total: number[] = [];
  readonly agentHandOut: AgentHandOut[] = [];
  readonly floor: number[] = [];
  add(r: StartToShell, agent: AgentHandOut | undefined, floor: number): void {
    this.running.push(r.runningMs);
    this.login.push(r.loginMs);
    this.total.push(r.ms);
    if (agent) this.agentHandOut.push(agent);
    this.floor.push(floor);
  }
  summary() {
    return {
      startToShellMs: Math.round(median(this.total)),
      recordRunningMs: Math.round(median(this.running)),
      sshSessionOpenMs: Math.round(median(this.login)),
      ...(this.agentHandOut.length
        ? {
            agentHandOutMs: median(this.agentHandOut.map((h) => h.ms)),
            agentMachinesAnsweredMs: median(this.agentHandOut.map((h) => h.answeredMs)),
            agentRecordWrittenMs: median(this.agentHandOut.map((h) => h.recordMs)),
          }
        : {}),
      shellOnRunningMs: Math.round(median(this.floor)),
      all: this.total.map(Math.round),
    };
  }
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
  if (BEFORE) homes.push(fs.mkdtempSync(path.join(os.tmpdir(), 'sandlot-bench-warm-home-')));
  const warmArgs = ['--driver', DRIVER, '--warm', `${TEMPLATE}=1`];
  const warm = await startAgent({ home: homes[0], args: warmArgs, env });
  const cold = await startAgent({ home: homes[1], args: ['--driver', DRIVER], env });
  const before = BEFORE ? await startAgent({ home: homes[2], args: warmArgs, env, cli: path.resolve(BEFORE, 'dist', 'sandlot.js') }) : undefined;
  const made: { agent: AgentHandle; id: string }[] = [];
  try {
    const after = new PoolFigures();
    const beforeFigures = new PoolFigures();
    const coldStart: number[] = [];
    let memberRam = 0;
    let memberMemory = 0;
    const fromPool = async (agent: AgentHandle, figures: PoolFigures) => {
      await until(`a warm ${TEMPLATE} playground`, async () => ((await ready(agent)) === 1 ? true : undefined), 600_000);
      // A member waits in the pool before someone asks: past the seconds in which the agent
      // counts its machines' last answer as fresh (ssh/guest-logins.ts), the hand-out checks them again.
      await new Promise((r) => setTimeout(r, MEMBER_IDLE_MS));
      const r = await startToShell(agent.client);
      made.push({ agent, id: r.pg.id });
      figures.add(r, handOutMs(agent, r.pg.id), await shellOnly(agent.client, r.pg));
      return r;
    };
    for (let i = 0; i < RUNS; i++) {
      await until(`a warm ${TEMPLATE} playground`, async () => ((await ready(warm)) === 1 ? true : undefined), 600_000);
      if (i === 0) {
        const info = (await warm.client.info()).warmPool!;
        memberRam = info.heldBytes;
        const member = fs.readdirSync(path.join(homes[0], 'playgrounds')).find((n) => fs.existsSync(path.join(homes[0], 'playgrounds', n, 'pool.json')))!;
        memberMemory = await memory(homes[0], member);
      }
      // Which of the two pools goes first alternates, so neither always follows the cold start's load.
      const b = before && i % 2 === 1 ? await fromPool(before, beforeFigures) : undefined;
      const w = await fromPool(warm, after);
      const b2 = before && i % 2 === 0 ? await fromPool(before, beforeFigures) : undefined;
      const c = await startToShell(cold.client);
      made.push({ agent: cold, id: c.pg.id });
      coldStart.push(c.ms);
      const bb = b ?? b2;
      console.log(
        `run ${i + 1}: from the pool ${fmtMs(w.ms)} (record running after ${fmtMs(w.runningMs)}, session open after ${fmtMs(w.loginMs)})` +
          `${bb ? `, before: ${fmtMs(bb.ms)} (running after ${fmtMs(bb.runningMs)})` : ''}, cold ${fmtMs(c.ms)}, load ${loadAverage()}`,
      );
      for (const m of made.splice(0)) await m.agent.client.destroy(m.id);
    }
    const results = {
      driver: DRIVER,
      template: TEMPLATE,
      date: new Date().toISOString(),
      load: loadAverage(),
      host: `${os.cpus().length} CPU, ${(os.totalmem() / 1024 ** 3).toFixed(0)} GiB, ${os.release()}`,
      runs: RUNS,
      fromPool: after.summary(),
      ...(before ? { before: { build: BEFORE, ...beforeFigures.summary() }, ratioAfterToBefore: median(after.total) / median(beforeFigures.total) } : {}),
      coldMs: Math.round(median(coldStart)),
      ratioPoolToCold: median(after.total) / median(coldStart),
      memberRamSize: formatSize(memberRam),
      memberMemoryMiB: Math.round(memberMemory / MiB),
      allCold: coldStart.map(Math.round),
    };
    console.log(JSON.stringify(results, null, 2));
  } finally {
    for (const m of made) await m.agent.client.destroy(m.id).catch(() => undefined);
    // The warm agent destroys its pool when it stops.
    await warm.kill();
    await cold.kill();
    await before?.kill();
    for (const h of [...homes, stateHome]) fs.rmSync(h, { recursive: true, force: true });
  }
}

runBench(main);
