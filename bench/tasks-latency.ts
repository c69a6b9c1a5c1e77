// Condition satisfied in the machine → task `completed` reported by the engine.
// The machine is a loopback OpenSSH server (real SSH, one shared connection, checks
// every second); the baseline is one exec round trip on that warm connection, the floor
// any SSH-polling check can reach.
// Run: npx esbuild bench/tasks-latency.ts --bundle --platform=node --packages=external --outfile=dist/bench/tasks-latency.js --log-level=warning && node dist/bench/tasks-latency.js
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { TaskEngine } from '../host-agent/tasks/engine';
import { buildProgram } from '../host-agent/tasks/program';
import { SshRunner } from '../host-agent/tasks/ssh-runner';
import { median, startSshd } from './tasks-sshd';

const RUNS = Number(process.env.RUNS ?? 15);

async function main() {
  const sshd = await startSshd();
  const runner = new SshRunner({ connect: async () => net.connect(sshd.port, '127.0.0.1'), privateKey: sshd.userKey, hostKey: () => sshd.hostPub });
  try {
    const rtts: number[] = [];
    await runner.run({ machine: 'm', user: 'root', program: buildProgram('true', {}), timeoutMs: 10_000 });
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      await runner.run({ machine: 'm', user: 'root', program: buildProgram('[ -f /nonexistent ]', {}), timeoutMs: 10_000 });
      rtts.push(performance.now() - t0);
    }
    const latencies: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const flag = path.join(sshd.dir, `flag-${i}`);
      let resolveDone!: () => void;
      const done = new Promise<void>((r) => (resolveDone = r));
      const engine = new TaskEngine({
        tasks: { verify: { name: 'verify', kind: 'regular', user: 'root', run: `[ -f ${flag} ]`, needs: [], env: [] } },
        defaultMachine: 'm',
        runner,
        onTask: (t) => t.status === 'completed' && resolveDone(),
      });
      await engine.start();
      // Satisfy the condition at a random point of the check cycle.
      await new Promise((r) => setTimeout(r, 1000 + Math.random() * 1000));
      const t0 = performance.now();
      fs.writeFileSync(flag, '');
      await done;
      latencies.push(performance.now() - t0);
      await engine.stop();
    }
    const m = median(latencies);
    const b = median(rtts);
    console.log(`tasks-latency: ${RUNS} runs, check interval 1000 ms`);
    console.log(
      `  condition → completed event: median ${m.toFixed(0)} ms (min ${Math.min(...latencies).toFixed(0)}, max ${Math.max(...latencies).toFixed(0)})`,
    );
    console.log(`  baseline, one SSH exec round trip on the shared connection: median ${b.toFixed(0)} ms`);
    console.log(`  ratio: ${(m / b).toFixed(1)}x`);
  } finally {
    runner.close();
    sshd.stop();
  }
}

void main();
