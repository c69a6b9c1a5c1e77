// `ssh node-02 true` from inside node-01 of a `linux-multi` playground on the sandbox
// driver: OpenSSH's client in the machine, the netns relay's listener on node-02's port
// 22, the agent's embedded SSH server — a whole handshake each time, as a learner's
// command pays it. Baseline in the same run: the same command from the host with OpenSSH
// through `ProxyCommand sandlot ssh-proxy` (node start + agent WebSocket tunnel + the
// same server). Medians; each sample is timed inside node-01 with `date +%s%N`, so the
// outer SSH session that carries the loop is not counted.
//
//   npm run build && npm run bench -- in-playground-ssh [--runs 15]
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { hostAlias } from '../host-agent/api/protocol';
import { openssh, startAgent, startPlayground, tempHome, writeSshConfig } from '../test/helpers/agent-process';
import { runBench, runsArg } from './harness';
import { fmtMs, loadAverage, median } from './stats';

const RUNS = runsArg(15);

async function main(): Promise<void> {
  const agent = await startAgent({ home: tempHome('sandlot-bench-inssh-') });
  try {
    const pg = await startPlayground(agent, 'linux-multi');
    const config = writeSshConfig(agent, pg.id);
    // One outer session runs the whole loop and prints one duration (ns) per line.
    const loop = `for i in $(seq ${RUNS}); do t=$(date +%s%N); ssh -o BatchMode=yes node-02 true || exit 1; echo $(( $(date +%s%N) - t )); done`;
    const inside = openssh(config, hostAlias(pg.id, 'node-01'), loop);
    if (inside.code !== 0) throw new Error(`ssh inside the playground failed: ${inside.stderr}`);
    const hop = inside.stdout
      .trim()
      .split('\n')
      .map((ns) => Number(ns) / 1e6);

    const host: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now();
      const r = spawnSync('ssh', ['-F', config, '-o', 'BatchMode=yes', hostAlias(pg.id, 'node-02'), 'true']);
      if (r.status !== 0) throw new Error(`ssh from the host failed: ${r.stderr.toString()}`);
      host.push(performance.now() - t);
    }
    const h = median(hop);
    const b = median(host);
    console.log(`runs: ${RUNS}, load average ${loadAverage()}`);
    console.log(`ssh node-02 true, from inside node-01:            median ${fmtMs(h)} (min ${fmtMs(Math.min(...hop))}, max ${fmtMs(Math.max(...hop))})`);
    console.log(`  baseline, the same from the host (ProxyCommand): median ${fmtMs(b)} — ratio ${(h / b).toFixed(2)}x`);
    await agent.client.destroy(pg.id);
  } finally {
    await agent.kill();
    fs.rmSync(agent.home, { recursive: true, force: true });
  }
}

runBench(main);
