// Where a sandbox start spends its time, step by step, through a real agent: every step
// event of a `linux` playground's start, as milliseconds after the POST, median of RUNS,
// then the first SSH command. Baseline in the same run: one SSH exec on a running machine.
// Run: npm run build && npm run bench -- sandbox-start-steps   (RUNS=9)
import { spawnSync } from 'node:child_process';
import type { PlaygroundEvent } from '../host-agent/api/protocol';
import { connectMachine } from '../host-agent/ssh/connect';
import { startAgent } from '../test/helpers/agent-process';
import { execOn } from '../test/helpers/ssh-exec';
import { fmtMs, median } from './stats';

const RUNS = Number(process.env.RUNS ?? 9);
const TEMPLATE = process.env.TEMPLATE ?? 'linux';

async function main(): Promise<void> {
  const agent = await startAgent();
  const c = agent.client;
  const load = () => (spawnSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).stdout ?? '').split(' ').slice(0, 3).join(' ');
  console.log(`${new Date().toISOString()}, load ${load()}, template ${TEMPLATE}, ${RUNS} runs`);
  const marks = new Map<string, number[]>();
  const mark = (label: string, ms: number) => marks.set(label, [...(marks.get(label) ?? []), ms]);
  const execs: number[] = [];
  try {
    for (let i = -1; i < RUNS; i++) {
      const t0 = performance.now();
      const created = await c.create({ template: TEMPLATE });
      const seen: [string, number][] = [];
      await new Promise<void>((resolve, reject) => {
        let stop: (() => void) | undefined;
        void c
          .events(created.id, (e: PlaygroundEvent) => {
            const at = performance.now() - t0;
            if (e.type === 'step') seen.push([`${e.step}${e.machine ? ` ${e.machine}` : ''} ${e.status}`, at]);
            const state = e.type === 'playground' ? e.state : e.type === 'snapshot' ? e.playground.state : undefined;
            if (state === 'running') {
              seen.push(['running', at]);
              stop?.();
              resolve();
            } else if (state === 'failed') reject(new Error(`${created.id} failed`));
          })
          .then((s) => (stop = s));
      });
      const record = await c.get(created.id);
      const ssh = await connectMachine(c, record, record.machines[0].name);
      await execOn(ssh, 'true');
      seen.push(['first SSH command done', performance.now() - t0]);
      const t1 = performance.now();
      await execOn(ssh, 'true');
      if (i >= 0) execs.push(performance.now() - t1);
      ssh.end();
      await c.destroy(created.id);
      if (i >= 0) for (const [label, ms] of seen) mark(label, ms); // run -1 warms caches
    }
    for (const [label, ms] of marks) console.log(`${label.padEnd(34)} ${fmtMs(median(ms)).padStart(8)} after POST (median)`);
    console.log(`baseline: one SSH exec on the running machine  ${fmtMs(median(execs))}`);
    console.log(`load at the end ${load()}`);
  } finally {
    await agent.kill();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
