// Where `sandlot run linux -- hostname` spends its time, seen from the client of the run
// route: socket open, `created`, `running`, first output byte, `exit` (the playground is
// destroyed before it), as milliseconds after the request, median of RUNS. Baseline in the
// same run: one exec on a running machine through the agent (login + command).
// Run: npm run build && npm run bench -- run-steps   (RUNS=9)
import * as fs from 'node:fs';
import { startAgent, startPlayground } from '../test/helpers/agent-process';
import { fmtMs, median } from './stats';

const RUNS = Number(process.env.RUNS ?? 9);

async function main(): Promise<void> {
  const load = () => fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(`${new Date().toISOString()}, load ${load()}, ${RUNS} runs`);
  const agent = await startAgent();
  const c = agent.client;
  const marks = new Map<string, number[]>();
  const mark = (label: string, ms: number) => marks.set(label, [...(marks.get(label) ?? []), ms]);
  try {
    const pg = await startPlayground(agent, 'linux');
    for (let i = -1; i < RUNS; i++) {
      const keep = i >= 0;
      const t0 = performance.now();
      let first = 0;
      const run = await c.run(
        { playground: { template: 'linux' }, command: 'hostname' },
        {
          stdout: () => (first ||= performance.now() - t0),
          stderr: () => undefined,
          event: (e) => keep && mark(e.type, performance.now() - t0),
        },
      );
      if (keep) mark('socket open', performance.now() - t0);
      run.end();
      await run.done;
      if (keep) {
        mark('first output byte', first);
        mark('exit (destroy recorded)', performance.now() - t0);
      }
      const t1 = performance.now();
      await c.exec(pg.id, 'dev', { command: 'hostname' }, () => undefined);
      if (keep) mark('baseline: exec on a running machine', performance.now() - t1);
    }
    for (const [label, values] of marks) console.log(`${label.padEnd(40)} ${fmtMs(median(values))}`);
    console.log(`load at the end: ${load()}`);
    await c.destroy(pg.id);
  } finally {
    await agent.kill();
  }
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
