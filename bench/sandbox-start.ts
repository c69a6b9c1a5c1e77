// Sandbox driver, through a real agent process:
// (1) start → shell ready: POST a `linux` playground, then SSH (through the agent's
//     tunnel) until a command runs; median of RUNS. Baseline measured in the same run:
//     one SSH exec on an already running machine.
// (2) 20 playgrounds started at once: time until every one accepts SSH; agent RSS and
//     machine RSS afterwards.
// Run: npm run build && npm run bench -- sandbox-start
import { startAgent } from '../test/helpers/agent-process';
import { connectMachine } from '../host-agent/ssh/connect';
import type { AgentClient } from '../host-agent/api/client';
import type { PlaygroundRecord } from '../host-agent/api/protocol';
import { MiB, fmtMs, median, rssOf } from './stats';

const RUNS = Number(process.env.RUNS ?? 11);
const MANY = Number(process.env.MANY ?? 20);

async function sshTrue(c: AgentClient, record: PlaygroundRecord, key: string): Promise<void> {
  const ssh = await connectMachine(c, record, record.machines[0].name, undefined, key);
  await new Promise<void>((resolve, reject) =>
    ssh.exec('true', (err, s) => {
      if (err) return reject(err);
      s.resume();
      s.on('close', () => resolve());
    }),
  );
  ssh.end();
}

/** Resolves when the event stream says running (no polling delay in the figure). */
async function createRunning(c: AgentClient): Promise<PlaygroundRecord> {
  const created = await c.create({ template: 'linux' });
  await new Promise<void>((resolve, reject) => {
    let stop: (() => void) | undefined;
    let done = false;
    void c
      .events(created.id, (e) => {
        const state = e.type === 'snapshot' ? e.playground.state : e.type === 'playground' ? e.state : undefined;
        if (state === 'running' && !done) {
          done = true;
          stop?.();
          resolve();
        } else if (state === 'failed') reject(new Error(`${created.id} failed`));
      })
      .then((s) => {
        stop = s;
        if (done) s();
      });
  });
  return c.get(created.id);
}

async function startToShell(c: AgentClient): Promise<{ ms: number; record: PlaygroundRecord }> {
  const t0 = performance.now();
  const record = await createRunning(c);
  const key = (await c.sshKey(record.id)).privateKey;
  await sshTrue(c, record, key);
  return { ms: performance.now() - t0, record };
}

async function main(): Promise<void> {
  const agent = await startAgent();
  const c = agent.client;
  try {
    await startToShell(c).then((r) => c.destroy(r.record.id)); // warm-up
    const starts: number[] = [];
    const baseline: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const { ms, record } = await startToShell(c);
      starts.push(ms);
      const key = (await c.sshKey(record.id)).privateKey;
      const t0 = performance.now();
      await sshTrue(c, record, key);
      baseline.push(performance.now() - t0);
      await c.destroy(record.id);
    }
    const startMedian = median(starts);
    const baseMedian = median(baseline);
    console.log(
      `start → shell ready (linux, ${RUNS} runs): median ${fmtMs(startMedian)} (min ${fmtMs(Math.min(...starts))}, max ${fmtMs(Math.max(...starts))})`,
    );
    console.log(`baseline, SSH exec on a running machine: median ${fmtMs(baseMedian)}; start costs ${(startMedian / baseMedian).toFixed(1)}x a plain SSH exec`);

    const rssBefore = rssOf(agent.process.pid!);
    const t0 = performance.now();
    const many = await Promise.all(
      Array.from({ length: MANY }, async () => {
        const record = await createRunning(c);
        await sshTrue(c, record, (await c.sshKey(record.id)).privateKey);
        return record;
      }),
    );
    const allMs = performance.now() - t0;
    const rssAfter = rssOf(agent.process.pid!);
    let machines = 0;
    for (const r of many) machines += Object.values(await c.memory(r.id)).reduce((a, b) => a + b, 0);
    console.log(`${MANY} playgrounds at once: all accept SSH after ${fmtMs(allMs)} (${fmtMs(allMs / MANY)} per playground)`);
    console.log(
      `agent RSS: ${(rssBefore / MiB).toFixed(1)} MiB before, ${(rssAfter / MiB).toFixed(1)} MiB with ${MANY} playgrounds; machines: ${(machines / MiB / MANY).toFixed(1)} MiB each (${(machines / MiB).toFixed(1)} MiB total)`,
    );
    await Promise.all(many.map((r) => c.destroy(r.id)));
  } finally {
    for (const p of await c.list().catch(() => [])) await c.destroy(p.id).catch(() => undefined);
    await agent.kill();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
