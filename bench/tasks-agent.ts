// The task engine inside a real agent on the sandbox driver:
// (1) condition satisfied in the machine (a file written over SSH) → `completed` task
//     event on the playground's event stream, median of RUNS (content restarted between
//     runs); baseline: the SSH command's own round trip measured in the same run;
// (2) agent CPU (utime+stime from /proc) with 20 never-passing checks on 5 playgrounds,
//     against the same agent idle with the same 5 playgrounds (no content).
// Run: npm run build && npx esbuild bench/tasks-agent.ts --bundle --platform=node --packages=external --outfile=dist/bench/tasks-agent.js --log-level=warning && node dist/bench/tasks-agent.js
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readAgentFile } from '../host-agent/api/agent-file';
import { AgentClient } from '../host-agent/api/client';
import type { PlaygroundEvent, PlaygroundRecord } from '../host-agent/api/protocol';
import { connectMachine } from '../host-agent/ssh/connect';
import { median } from './tasks-sshd';

const RUNS = Number(process.env.RUNS ?? 9);
const CPU_SECONDS = Number(process.env.CPU_SECONDS ?? 20);
// The bundle lands in dist/bench/, next to dist/sandlot.js one level up.
const CLI = path.resolve(__dirname, '..', 'sandlot.js');

function cpuTicks(pid: number): number {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(f[11]) + Number(f[12]); // utime + stime, in clock ticks (1/100 s)
}

async function main() {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlot-bench-tasks-'));
  const env: NodeJS.ProcessEnv = { ...process.env, SANDLOT_HOME: home };
  delete env.SANDLOT_AGENT_URL;
  delete env.SANDLOT_TOKEN;
  const child = spawn(process.execPath, [CLI, 'agent', '--driver', 'sandbox'], { env, stdio: 'ignore' });
  let client!: AgentClient;
  for (let i = 0; i < 400; i++) {
    try {
      const info = readAgentFile(path.join(home, 'agent.json'));
      if (info && info.pid === child.pid) {
        client = new AgentClient({ url: info.url, token: fs.readFileSync(path.join(home, 'token'), 'utf8').trim() });
        await client.info();
        break;
      }
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const write = (name: string, fm: string) => {
    const dir = path.join(home, name);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'index.md'), `---\n${fm}\n---\n`);
    return dir;
  };
  const waitEvent = async (id: string, match: (e: PlaygroundEvent) => boolean): Promise<number> => {
    let stop: (() => void) | undefined;
    const at = await new Promise<number>((resolve) => {
      void client.events(id, (e) => match(e) && resolve(performance.now())).then((s) => (stop = s));
    });
    stop?.();
    return at;
  };
  try {
    // (1) latency
    const dir = write('latency', 'kind: challenge\ntitle: Latency\nplayground: { name: linux }\ntasks:\n  verify_flag:\n    run: "[ -f /root/flag ]"');
    const pg = await client.startContent({ source: dir });
    const ready = (e: PlaygroundEvent) => (e.type === 'content' && e.state === 'ready') || (e.type === 'snapshot' && e.playground.content?.state === 'ready');
    await waitEvent(pg.id, ready);
    const record: PlaygroundRecord = await client.get(pg.id);
    const ssh = await connectMachine(client, record, 'dev', 'root');
    const run = (cmd: string) =>
      new Promise<void>((resolve, reject) =>
        ssh.exec(cmd, (err, ch) => (err ? reject(err) : (ch.resume(), ch.stderr.resume(), ch.on('close', () => resolve())))),
      );
    const latencies: number[] = [];
    const rtts: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      await new Promise((r) => setTimeout(r, 1000 + Math.random() * 1000));
      let stop: (() => void) | undefined;
      const completed = new Promise<number>((resolve) => {
        void client
          .events(pg.id, (e) => e.type === 'task' && e.task.name === 'verify_flag' && e.task.status === 'completed' && resolve(performance.now()))
          .then((s) => (stop = s));
      });
      await new Promise((r) => setTimeout(r, 100)); // subscribed
      const t0 = performance.now();
      await run('touch /root/flag');
      rtts.push(performance.now() - t0);
      latencies.push((await completed) - t0);
      stop?.();
      await run('rm -f /root/flag');
      await client.contentAction(pg.id, 'restart');
      await waitEvent(pg.id, ready);
    }
    ssh.end();
    await client.destroy(pg.id);
    console.log(`tasks-agent latency (sandbox driver, ${RUNS} runs, checks every 1000 ms):`);
    console.log(
      `  condition → completed event: median ${median(latencies).toFixed(0)} ms (min ${Math.min(...latencies).toFixed(0)}, max ${Math.max(...latencies).toFixed(0)})`,
    );
    console.log(`  baseline, the SSH command that satisfies it: median ${median(rtts).toFixed(0)} ms; ratio ${(median(latencies) / median(rtts)).toFixed(1)}x`);

    // (2) CPU: 5 playgrounds idle, then the same with 4 looping checks each
    const pgs: string[] = [];
    for (let p = 0; p < 5; p++) {
      const created = await client.create({ template: 'linux' });
      pgs.push(created.id);
    }
    for (const id of pgs)
      await waitEvent(id, (e) => (e.type === 'playground' && e.state === 'running') || (e.type === 'snapshot' && e.playground.state === 'running'));
    await new Promise((r) => setTimeout(r, 2000));
    let c0 = cpuTicks(child.pid!);
    await new Promise((r) => setTimeout(r, CPU_SECONDS * 1000));
    const idle = (cpuTicks(child.pid!) - c0) * 10;
    for (const id of pgs) await client.destroy(id);
    const loopDir = write(
      'cpu',
      'kind: challenge\ntitle: CPU\nplayground: { name: linux }\ntasks:\n' +
        [0, 1, 2, 3].map((i) => `  verify_${i}:\n    run: "[ -f /root/never-${i} ]"`).join('\n'),
    );
    const content: string[] = [];
    for (let p = 0; p < 5; p++) content.push((await client.startContent({ source: loopDir })).id);
    for (const id of content) await waitEvent(id, ready);
    await new Promise((r) => setTimeout(r, 3000));
    c0 = cpuTicks(child.pid!);
    await new Promise((r) => setTimeout(r, CPU_SECONDS * 1000));
    const busy = (cpuTicks(child.pid!) - c0) * 10;
    for (const id of content) await client.destroy(id);
    const pct = (ms: number) => ((ms / (CPU_SECONDS * 1000)) * 100).toFixed(1);
    console.log(`tasks-agent CPU (${CPU_SECONDS} s per phase, 5 playgrounds):`);
    console.log(`  agent idle with 5 playgrounds (baseline): ${idle} ms = ${pct(idle)}% of one core`);
    console.log(`  agent with 20 looping checks: ${busy} ms = ${pct(busy)}% of one core; ratio ${(busy / Math.max(idle, 10)).toFixed(1)}x`);
  } finally {
    child.kill('SIGTERM');
  }
}

void main();
