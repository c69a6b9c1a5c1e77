// Where a sandbox start spends its time, step by step, through a real agent: every step
// event of a `linux` playground's start as milliseconds after the POST, then the SSH
// session and the first command; and inside the driver, each step's offset and duration
// (the `sandbox start <id> in N ms: …` line the driver writes to the agent's log). Medians
// of RUNS, after one uncounted warm-up. Baselines in the same run: one SSH exec on the
// running machine, and with BEFORE=<another checkout, built> the same start on that
// checkout's agent, interleaved run by run with this one's.
// Run: npm run build && npm run bench -- sandbox-start-steps   (RUNS=9, BEFORE=<dir>)
import * as path from 'node:path';
import type { PlaygroundEvent } from '../host-agent/api/protocol';
import { parseStartTimes } from '../host-agent/drivers/sandbox/start-times';
import { connectMachine } from '../host-agent/ssh/connect';
import { startAgent, type AgentHandle } from '../test/helpers/agent-process';
import { execOn } from '../test/helpers/ssh-exec';
import { fmtMs, loadAverage, median } from './stats';

const RUNS = Number(process.env.RUNS ?? 9);
const TEMPLATE = process.env.TEMPLATE ?? 'linux';
const BEFORE = process.env.BEFORE;

/** What one agent's starts measured: client-side marks, the driver's own steps, SSH execs. */
class Figures {
  readonly marks = new Map<string, number[]>();
  readonly inside = new Map<string, { at: number[]; ms: number[] }>();
  readonly driverTotal: number[] = [];
  readonly execs: number[] = [];

  mark(label: string, ms: number): void {
    this.marks.set(label, [...(this.marks.get(label) ?? []), ms]);
  }

  shell(): number {
    return median(this.marks.get('first SSH command done') ?? [NaN]);
  }
}

/** One start → shell on `agent`, destroyed after; counted into `fig` unless a warm-up. */
async function startOnce(agent: AgentHandle, fig: Figures | undefined): Promise<void> {
  const c = agent.client;
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
  // The create's answer already holds what a login needs (host keys, users), as a client has it.
  const ssh = await connectMachine(c, created, created.machines[0].name);
  seen.push(['SSH session open', performance.now() - t0]);
  await execOn(ssh, 'true');
  seen.push(['first SSH command done', performance.now() - t0]);
  const t1 = performance.now();
  await execOn(ssh, 'true');
  const exec = performance.now() - t1;
  ssh.end();
  await c.destroy(created.id);
  if (!fig) return;
  fig.execs.push(exec);
  for (const [label, ms] of seen) fig.mark(label, ms);
  const line = agent
    .log()
    .split('\n')
    .map(parseStartTimes)
    .find((t) => t?.id === created.id);
  if (!line) return; // an agent from before the driver wrote its steps
  fig.driverTotal.push(line.total);
  for (const s of line.steps) {
    const entry = fig.inside.get(s.label) ?? { at: [], ms: [] };
    entry.at.push(s.at);
    entry.ms.push(s.ms);
    fig.inside.set(s.label, entry);
  }
}

function print(name: string, fig: Figures): void {
  console.log(`\n${name}: seen by the client (step events, median ms after the POST):`);
  for (const [label, ms] of fig.marks) console.log(`  ${label.padEnd(34)} ${fmtMs(median(ms)).padStart(8)}`);
  console.log(`  baseline: one SSH exec on the running machine ${fmtMs(median(fig.execs)).padStart(8)}`);
  if (fig.inside.size === 0) return;
  console.log(`${name}: inside the driver (median offset after the driver's start, median duration), driver total ${fmtMs(median(fig.driverTotal))}:`);
  const rows = [...fig.inside].sort((a, b) => median(a[1].at) - median(b[1].at));
  for (const [label, t] of rows) console.log(`  ${label.padEnd(34)} @${fmtMs(median(t.at)).padStart(8)}  ${fmtMs(median(t.ms)).padStart(8)}`);
}

async function main(): Promise<void> {
  console.log(`${new Date().toISOString()}, load ${loadAverage()}, template ${TEMPLATE}, ${RUNS} runs${BEFORE ? `, before: ${BEFORE}` : ''}`);
  const agents: { name: string; agent: AgentHandle; fig: Figures }[] = [];
  try {
    agents.push({ name: 'this checkout', agent: await startAgent(), fig: new Figures() });
    if (BEFORE) agents.push({ name: 'before', agent: await startAgent({ cli: path.resolve(BEFORE, 'dist', 'sandlot.js') }), fig: new Figures() });
    for (let i = -1; i < RUNS; i++) for (const a of agents) await startOnce(a.agent, i >= 0 ? a.fig : undefined); // run -1 warms caches
    for (const a of agents) print(a.name, a.fig);
    const now = agents[0].fig;
    console.log(`\nstart → shell ${fmtMs(now.shell())}: ${(now.shell() / median(now.execs)).toFixed(1)}× one SSH exec on a running machine`);
    if (agents[1]) console.log(`before ${fmtMs(agents[1].fig.shell())}: this checkout takes ${(now.shell() / agents[1].fig.shell()).toFixed(2)}× the time`);
    console.log(`load at the end ${loadAverage()}`);
  } finally {
    for (const a of agents) await a.agent.kill();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
