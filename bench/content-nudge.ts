// Green at once (issue 15 item 1), real agent, sandbox driver, checks every 1000 ms:
// (1) condition satisfied in the machine (a file written over SSH) → `completed` task event
//     seen by a WebSocket event-stream client, without a nudge (the check loop finds it) and
//     with one (POST …/machines/dev/changed right after, as the extension does when a
//     terminal's prompt returns or a file is saved); runs alternate between the two, each
//     after a random 1–2 s wait so the change lands at every phase of the loop (content
//     restarted between runs);
// (2) agent CPU with 20 never-passing checks (5 playgrounds × 4 tasks) against the same
//     playgrounds with their content stopped.
// Run: npm run build && npm run bench -- content-nudge [--runs N]
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AgentClient } from '../host-agent/api/client';
import type { PlaygroundEvent } from '../host-agent/api/protocol';
import { connectMachine } from '../host-agent/ssh/connect';
import { startAgent } from '../test/helpers/agent-process';
import { runBench, runsArg, sshExec } from './harness';
import { median } from './stats';

const RUNS = runsArg(9);
const CPU_SECONDS = Number(process.env.CPU_SECONDS ?? 20);

function cpuMs(pid: number): number {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) * 10; // utime + stime, clock ticks of 10 ms
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves with performance.now() of the first event that matches, seen on a new event stream. */
async function nextEvent(client: AgentClient, id: string, match: (e: PlaygroundEvent) => boolean): Promise<{ at: Promise<number> }> {
  let resolveAt!: (t: number) => void;
  const at = new Promise<number>((r) => (resolveAt = r));
  const sub = client.follow(id, (e) => {
    if (match(e)) resolveAt(performance.now());
  });
  await sub.opened;
  return { at: at.finally(() => sub.close()) };
}

const ready = (e: PlaygroundEvent) => (e.type === 'content' && e.state === 'ready') || (e.type === 'snapshot' && e.playground.content?.state === 'ready');

function writeContent(dir: string, tasks: Record<string, string>): string {
  fs.mkdirSync(dir, { recursive: true });
  const body = Object.entries(tasks)
    .map(([name, run]) => `  ${name}:\n    run: ${JSON.stringify(run)}`)
    .join('\n');
  fs.writeFileSync(path.join(dir, 'index.md'), `---\nkind: challenge\ntitle: Nudge bench\nplayground: { name: linux }\ntasks:\n${body}\n---\n`);
  return dir;
}

async function main() {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlot-bench-nudge-'));
  const agent = await startAgent({ home });
  const { client } = agent;
  const pid = agent.process.pid!;
  const made: string[] = [];
  try {
    // (1) latency
    const dir = writeContent(path.join(home, 'latency'), { verify_flag: '[ -f /root/flag ]' });
    const pg = await client.startContent({ source: dir });
    made.push(pg.id);
    await (
      await nextEvent(client, pg.id, ready)
    ).at;
    const ssh = await connectMachine(client, await client.get(pg.id), 'dev', 'root');
    const times: Record<'loop' | 'nudge', number[]> = { loop: [], nudge: [] };
    const rtts: number[] = [];
    for (let i = 0; i < RUNS * 2; i++) {
      const mode = i % 2 === 0 ? 'loop' : 'nudge';
      await sshExec(ssh, 'rm -f /root/flag');
      const restarted = await nextEvent(client, pg.id, (e) => e.type === 'content' && e.state === 'ready');
      await client.contentAction(pg.id, 'restart');
      await restarted.at;
      await sleep(1000 + Math.random() * 1000);
      const completed = await nextEvent(client, pg.id, (e) => e.type === 'task' && e.task.name === 'verify_flag' && e.task.status === 'completed');
      const t0 = performance.now();
      await sshExec(ssh, 'touch /root/flag');
      rtts.push(performance.now() - t0);
      if (mode === 'nudge') await client.machineChanged(pg.id, 'dev', { reason: 'bench' });
      times[mode].push((await completed.at) - t0);
    }
    ssh.end();
    await client.destroy(pg.id);
    made.pop();
    const line = (xs: number[]) =>
      `median ${median(xs).toFixed(0)} ms (min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)}; ${xs.length} runs)`;
    console.log(`content-nudge latency (sandbox driver, checks every 1000 ms), condition → completed event on a WebSocket client:`);
    console.log(`  without a nudge (check loop only): ${line(times.loop)}`);
    console.log(`  with a nudge after the change:     ${line(times.nudge)}; ratio ${(median(times.loop) / median(times.nudge)).toFixed(1)}x faster`);
    console.log(`  the SSH command that satisfies it: median ${median(rtts).toFixed(0)} ms`);

    // (2) CPU: 20 looping checks, then the same playgrounds with their content stopped
    const loopDir = writeContent(path.join(home, 'cpu'), Object.fromEntries([0, 1, 2, 3].map((i) => [`verify_${i}`, `[ -f /root/never-${i} ]`])));
    const ids: string[] = [];
    for (let p = 0; p < 5; p++) {
      const r = await client.startContent({ source: loopDir });
      ids.push(r.id);
      made.push(r.id);
    }
    for (const id of ids) {
      const rec = await client.get(id);
      if (rec.content?.state !== 'ready') await (await nextEvent(client, id, ready)).at;
    }
    await sleep(3000);
    let c0 = cpuMs(pid);
    await sleep(CPU_SECONDS * 1000);
    const busy = cpuMs(pid) - c0;
    for (const id of ids) await client.contentAction(id, 'stop');
    await sleep(2000);
    c0 = cpuMs(pid);
    await sleep(CPU_SECONDS * 1000);
    const idle = cpuMs(pid) - c0;
    const pct = (ms: number) => ((ms / (CPU_SECONDS * 1000)) * 100).toFixed(1);
    console.log(`content-nudge CPU (${CPU_SECONDS} s per phase, 5 playgrounds):`);
    console.log(`  20 looping checks: ${busy} ms = ${pct(busy)}% of one core`);
    console.log(`  same playgrounds, content stopped (baseline): ${idle} ms = ${pct(idle)}% of one core`);
  } finally {
    for (const id of made) await client.destroy(id).catch(() => undefined);
    await agent.kill();
    fs.rmSync(home, { recursive: true, force: true });
  }
}

runBench(main);
