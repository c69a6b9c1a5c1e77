// Forks against fresh starts, per driver, through a real agent: `fork → shell` (POST a
// fork of a snapshot, wait for `running`, connect over SSH, run one command) against
// `start → shell` of the same template in the same run (the baseline), median of RUNS
// each, alternating so load drifts hit both alike; and the disk a fork's own files take
// before it changes anything, against a fresh playground's. The snapshot is of a `linux`
// playground with a file written in it.
//
//   npm run build && npm run bench -- snapshots-fork [--runs 5] [--drivers sandbox,docker,microvm]
//
// sandbox: the playground's own directory (du of <home>/playgrounds/<id>; a fork's
// snapshot layers live in the snapshot and are shared). docker: the container's writable
// layer (SizeRw) plus its volumes; a fork's image layers are the snapshot's, shared.
// microvm: the playground's own directory too (its qcow2 overlays, config disk, console
// log; a fresh machine's overlay is on the warm-start template, a fork's on the snapshot's
// frozen copy). microvm agents use the shared VM image cache (SANDLOT_VM_CACHE).
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import type { AgentClient } from '../host-agent/api/client';
import type { DriverName, PlaygroundEvent, PlaygroundRecord } from '../host-agent/api/protocol';
import { connectMachine } from '../host-agent/ssh/connect';
import { startAgent, type AgentHandle } from '../test/helpers/agent-process';
import { execOn } from '../test/helpers/ssh-exec';
import { startTestEngine, type TestEngine } from '../test/integration/host-agent/drivers/docker/helpers';
import { vmEnv } from '../test/integration/host-agent/drivers/microvm/helpers';
import { fmtMs, median, MiB } from './stats';

const args = process.argv.slice(2);
const opt = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const RUNS = Number(opt('--runs') ?? 5);
const DRIVERS = (opt('--drivers') ?? 'sandbox,docker,microvm').split(',').map((d): DriverName => {
  if (d === 'sandbox' || d === 'docker' || d === 'microvm') return d;
  throw new Error(`--drivers: expected some of sandbox, docker, microvm; got ${JSON.stringify(d)}`);
});

const load = () => (spawnSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).stdout ?? '').split(' ').slice(0, 3).join(' ');

/** Resolves when the playground is running (its event stream says so). */
function running(c: AgentClient, id: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let stop: (() => void) | undefined;
    let done = false;
    void c
      .events(id, (e: PlaygroundEvent) => {
        const state = e.type === 'playground' ? e.state : e.type === 'snapshot' ? e.playground.state : undefined;
        if (state === 'running' || state === 'failed') {
          done = true;
          stop?.();
          if (state === 'running') resolve();
          else reject(new Error(`${id} failed`));
        }
      })
      .then((s) => (done ? s() : (stop = s)));
  });
}

/** POST → running → one SSH command done, in ms; the playground stays. */
async function toShell(c: AgentClient, make: () => Promise<PlaygroundRecord>): Promise<{ ms: number; postMs: number; id: string }> {
  const t0 = performance.now();
  const created = await make();
  // A fork's POST answers after the snapshot's checks (metadata, listing, stat fingerprint).
  const postMs = performance.now() - t0;
  await running(c, created.id);
  const record = await c.get(created.id);
  const ssh = await connectMachine(c, record, record.machines[0].name);
  await execOn(ssh, 'true');
  const ms = performance.now() - t0;
  ssh.end();
  return { ms, postMs, id: created.id };
}

function du(dir: string): number {
  const r = spawnSync('du', ['-s', '--block-size=1', dir], { encoding: 'utf8' });
  return Number(r.stdout.split('\t')[0]) || 0;
}

async function ownBytes(driver: DriverName, agent: AgentHandle, engine: TestEngine | undefined, id: string): Promise<number> {
  if (driver === 'sandbox' || driver === 'microvm') return du(path.join(agent.home, 'playgrounds', id));
  if (!engine) return NaN;
  const filters = JSON.stringify({ label: [`sandlot.playground=${id}`, 'sandlot.role=machine'] });
  let total = 0;
  for (const c of await engine.docker.listContainers({ all: true, size: true, filters })) {
    // `size: true` adds SizeRw (the writable layer), which the ContainerInfo type does not declare.
    if ('SizeRw' in c && typeof c.SizeRw === 'number') total += c.SizeRw;
  }
  const df: unknown = await engine.docker.df();
  const volumes = typeof df === 'object' && df !== null && 'Volumes' in df && Array.isArray(df.Volumes) ? (df.Volumes as unknown[]) : [];
  for (const v of volumes) {
    if (typeof v !== 'object' || v === null || !('Name' in v) || typeof v.Name !== 'string' || !v.Name.startsWith(`sandlot-${id}-`)) continue;
    if ('UsageData' in v && typeof v.UsageData === 'object' && v.UsageData !== null && 'Size' in v.UsageData && typeof v.UsageData.Size === 'number')
      total += v.UsageData.Size;
  }
  return total;
}

async function benchDriver(driver: DriverName): Promise<void> {
  let engine: TestEngine | undefined;
  const env: NodeJS.ProcessEnv = {};
  if (driver === 'docker') {
    engine = await startTestEngine();
    env.DOCKER_HOST = engine.dockerHost;
  }
  if (driver === 'microvm') Object.assign(env, vmEnv());
  const agent = await startAgent({ args: ['--driver', driver], env });
  const c = agent.client;
  try {
    const original = await toShell(c, () => c.create({ template: 'linux' }));
    const pg = await c.get(original.id);
    const ssh = await connectMachine(c, pg, pg.machines[0].name);
    await execOn(ssh, 'echo state > /root/state.txt');
    ssh.end();
    const snap = await c.snapshot(original.id, { name: 'bench' });
    const fresh: number[] = [];
    const forked: number[] = [];
    const freshBytes: number[] = [];
    const forkBytes: number[] = [];
    const freshPost: number[] = [];
    const forkPost: number[] = [];
    // Run -1 warms caches (images, the snapshot's first full check) and is not counted.
    for (let i = -1; i < RUNS; i++) {
      const a = await toShell(c, () => c.create({ template: 'linux' }));
      const b = await toShell(c, () => c.fork({ snapshot: snap.id }));
      if (i >= 0) {
        fresh.push(a.ms);
        forked.push(b.ms);
        freshPost.push(a.postMs);
        forkPost.push(b.postMs);
        freshBytes.push(await ownBytes(driver, agent, engine, a.id));
        forkBytes.push(await ownBytes(driver, agent, engine, b.id));
      }
      await c.destroy(a.id);
      await c.destroy(b.id);
    }
    const f = median(forked);
    const s = median(fresh);
    console.log(`${driver}: start → shell ${fmtMs(s)}, fork → shell ${fmtMs(f)} (ratio ${(f / s).toFixed(2)}), median of ${RUNS}`);
    console.log(`${driver}: runs start [${fresh.map(fmtMs).join(', ')}], fork [${forked.map(fmtMs).join(', ')}]`);
    console.log(`${driver}: the POST alone: create ${fmtMs(median(freshPost))}, fork ${fmtMs(median(forkPost))}`);
    console.log(
      `${driver}: own disk before any change: fresh ${(median(freshBytes) / MiB).toFixed(2)} MiB, fork ${(median(forkBytes) / MiB).toFixed(2)} MiB; snapshot ${(snap.diskBytes / MiB).toFixed(2)} MiB`,
    );
    await c.destroy(original.id);
    await c.deleteSnapshot(snap.id);
  } finally {
    await agent.kill();
    await engine?.stop();
  }
}

async function main(): Promise<void> {
  console.log(`${new Date().toISOString()}, load ${load()}, ${RUNS} runs, drivers ${DRIVERS.join(', ')}`);
  for (const d of DRIVERS) await benchDriver(d);
  console.log(`load at the end ${load()}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
