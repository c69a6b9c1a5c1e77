// Agent-side CPU cost of the task engine: 20 never-passing checks (4 tasks on each of 5
// playgrounds, one SSH connection per playground) looping every second for a while,
// against the same process idling for the same time (baseline).
// Run: npx esbuild bench/tasks-cpu.ts --bundle --platform=node --packages=external --outfile=dist/bench/tasks-cpu.js --log-level=warning && node dist/bench/tasks-cpu.js
import * as net from 'node:net';
import { TaskEngine } from '../host-agent/tasks/engine';
import { SshRunner } from '../host-agent/tasks/ssh-runner';
import { startSshd } from './tasks-sshd';

const SECONDS = Number(process.env.SECONDS_PER_PHASE ?? 20);
const PLAYGROUNDS = 5;
const TASKS = 4;

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

async function phase(ms: number): Promise<number> {
  const c0 = cpuMs();
  await new Promise((r) => setTimeout(r, ms));
  return cpuMs() - c0;
}

async function main() {
  const sshd = await startSshd();
  const idle = await phase(SECONDS * 1000);
  const runners: SshRunner[] = [];
  const engines: TaskEngine[] = [];
  for (let p = 0; p < PLAYGROUNDS; p++) {
    const runner = new SshRunner({ connect: async () => net.connect(sshd.port, '127.0.0.1'), privateKey: sshd.userKey, hostKey: () => sshd.hostPub });
    runners.push(runner);
    const tasks = Object.fromEntries(
      Array.from({ length: TASKS }, (_, i) => [
        `verify_${i}`,
        { name: `verify_${i}`, kind: 'regular' as const, user: 'root', run: `[ -f /nonexistent-${p}-${i} ]`, needs: [], env: [] },
      ]),
    );
    const engine = new TaskEngine({ tasks, defaultMachine: 'm', runner });
    engines.push(engine);
    await engine.start();
  }
  await new Promise((r) => setTimeout(r, 3000)); // connections up, loops in their rhythm
  const before = engines.map((e) => Object.values(e.snapshot()).reduce((n, t) => n + t.runs, 0)).reduce((a, b) => a + b, 0);
  const busy = await phase(SECONDS * 1000);
  const after = engines.map((e) => Object.values(e.snapshot()).reduce((n, t) => n + t.runs, 0)).reduce((a, b) => a + b, 0);
  const runs = after - before;
  await Promise.all(engines.map((e) => e.stop()));
  runners.forEach((r) => r.close());
  sshd.stop();
  const pct = (ms: number) => ((ms / (SECONDS * 1000)) * 100).toFixed(1);
  console.log(`tasks-cpu: ${PLAYGROUNDS} playgrounds × ${TASKS} looping tasks, ${SECONDS} s per phase`);
  console.log(`  idle process (baseline): ${idle.toFixed(0)} ms CPU = ${pct(idle)}% of one core`);
  console.log(
    `  20 looping tasks: ${busy.toFixed(0)} ms CPU = ${pct(busy)}% of one core, ${runs} checks (${(runs / SECONDS).toFixed(1)}/s), ${(busy / Math.max(runs, 1)).toFixed(2)} ms CPU per check`,
  );
  console.log(`  ratio to idle: ${(busy / Math.max(idle, 0.1)).toFixed(0)}x`);
}

void main();
