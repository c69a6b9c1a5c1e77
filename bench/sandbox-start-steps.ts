// Where a sandbox start spends its time, step by step, through a real agent: every step
// event of a `linux` playground's start, as milliseconds after the POST, median of RUNS,
// then the first SSH command; and inside the driver, each step's offset and duration (the
// `sandbox start <id> in N ms: …` line the driver writes to the agent's log). Baseline in
// the same run: one SSH exec on a running machine.
// Run: npm run build && npm run bench -- sandbox-start-steps   (RUNS=9)
import type { PlaygroundEvent } from '../host-agent/api/protocol';
import { parseStartTimes } from '../host-agent/drivers/sandbox/start-times';
import { connectMachine } from '../host-agent/ssh/connect';
import { startAgent } from '../test/helpers/agent-process';
import { execOn } from '../test/helpers/ssh-exec';
import { fmtMs, loadAverage, median } from './stats';

const RUNS = Number(process.env.RUNS ?? 9);
const TEMPLATE = process.env.TEMPLATE ?? 'linux';

async function main(): Promise<void> {
  const agent = await startAgent();
  const c = agent.client;
  console.log(`${new Date().toISOString()}, load ${loadAverage()}, template ${TEMPLATE}, ${RUNS} runs`);
  const marks = new Map<string, number[]>();
  const mark = (label: string, ms: number) => marks.set(label, [...(marks.get(label) ?? []), ms]);
  // Inside the driver: label → [offsets], [durations].
  const inside = new Map<string, { at: number[]; ms: number[] }>();
  const driverTotal: number[] = [];
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
      seen.push(['SSH session open', performance.now() - t0]);
      await execOn(ssh, 'true');
      seen.push(['first SSH command done', performance.now() - t0]);
      const t1 = performance.now();
      await execOn(ssh, 'true');
      if (i >= 0) execs.push(performance.now() - t1);
      ssh.end();
      await c.destroy(created.id);
      if (i < 0) continue; // run -1 warms caches
      for (const [label, ms] of seen) mark(label, ms);
      const line = agent
        .log()
        .split('\n')
        .map(parseStartTimes)
        .find((t) => t?.id === created.id);
      if (!line) throw new Error(`no "sandbox start ${created.id}" line in the agent's log`);
      driverTotal.push(line.total);
      for (const s of line.steps) {
        const entry = inside.get(s.label) ?? { at: [], ms: [] };
        entry.at.push(s.at);
        entry.ms.push(s.ms);
        inside.set(s.label, entry);
      }
    }
    console.log('\nseen by the client (step events, median ms after the POST):');
    for (const [label, ms] of marks) console.log(`  ${label.padEnd(34)} ${fmtMs(median(ms)).padStart(8)}`);
    console.log(`\ninside the driver (median offset after driver start + median duration), driver start total ${fmtMs(median(driverTotal))}:`);
    const rows = [...inside].sort((a, b) => median(a[1].at) - median(b[1].at));
    for (const [label, t] of rows) console.log(`  ${label.padEnd(34)} @${fmtMs(median(t.at)).padStart(8)}  ${fmtMs(median(t.ms)).padStart(8)}`);
    console.log(`\nbaseline: one SSH exec on the running machine  ${fmtMs(median(execs))}`);
    console.log(`start → shell / baseline: ${(median(marks.get('first SSH command done') ?? [0]) / median(execs)).toFixed(1)}×`);
    console.log(`load at the end ${loadAverage()}`);
  } finally {
    await agent.kill();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
