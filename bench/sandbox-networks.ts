// Sandbox driver networks and roots, through a real agent process (as root), in one run:
// (1) start → shell for: the host's read-only view vs an image root (overlay over the
//     idmapped image + data disk), and an image root with one network vs three networks;
// (2) TCP throughput between two machines of one playground (a 512 MiB stream, Node on
//     both ends, host-view machines so the same Node runs inside) against the same stream
//     between two network namespaces of the host joined by a veth pair — the physical
//     baseline — measured in the same run.
// Run: npm run build && npm run bench -- sandbox-networks   (RUNS=9 by default)
import { spawn, spawnSync } from 'node:child_process';
import { stringify } from 'yaml';
import type { AgentClient } from '../host-agent/api/client';
import type { PlaygroundRecord } from '../host-agent/api/protocol';
import { connectMachine } from '../host-agent/ssh/connect';
import { startAgent, waitForState } from '../test/helpers/agent-process';
import { execOn } from '../test/helpers/ssh-exec';
import { fmtMs, median } from './stats';

const RUNS = Number(process.env.RUNS ?? 9);
const STREAM_MIB = 512;

const manifest = (image: boolean, networks: number) =>
  stringify({
    kind: 'playground',
    name: `bench-${image ? 'image' : 'view'}-${networks}`,
    playground: {
      ...(networks > 1 ? { networks: Array.from({ length: networks }, (_, i) => ({ name: `net${i}`, subnet: `10.${60 + i}.0.0/24` })) } : {}),
      machines: ['node-01', 'node-02'].map((name) => ({
        name,
        ...(image ? { image: 'linux' } : {}),
        ...(networks > 1 ? { network: { interfaces: Array.from({ length: networks }, (_, i) => ({ network: `net${i}` })) } } : {}),
      })),
    },
  });

async function startToShell(c: AgentClient, text: string): Promise<{ ms: number; record: PlaygroundRecord }> {
  const t0 = performance.now();
  const created = await c.create({ manifest: text, manifestName: 'bench.yaml' });
  const record = await waitForState(c, created.id, 'running', 600_000);
  const ssh = await connectMachine(c, record, 'node-01');
  await execOn(ssh, 'true');
  ssh.end();
  return { ms: performance.now() - t0, record };
}

// The same two Node programs inside machines and in host namespaces.
const RECEIVE = `require('net').createServer((s) => { let n = 0; s.on('data', (d) => (n += d.length)); s.on('end', () => { console.log(n); process.exit(0); }); }).listen(5001, () => console.log('listening'));`;
const SEND = (host: string) =>
  `const s = require('net').connect(5001, '${host}', () => { const b = Buffer.alloc(1 << 20); let left = ${STREAM_MIB}; const t0 = process.hrtime.bigint(); const go = () => { while (left > 0) { left--; if (!s.write(b)) return s.once('drain', go); } s.end(() => console.log(Number(process.hrtime.bigint() - t0) / 1e6)); }; go(); });`;

async function machineThroughput(c: AgentClient, record: PlaygroundRecord): Promise<number> {
  const rx = await connectMachine(c, record, 'node-01');
  const tx = await connectMachine(c, record, 'node-02');
  try {
    const receiving = execOn(rx, `exec ${process.execPath} -e "${RECEIVE.replace(/"/g, '\\"')}"`);
    await new Promise((r) => setTimeout(r, 500));
    const sent = await execOn(tx, `exec ${process.execPath} -e "${SEND('node-01').replace(/"/g, '\\"')}"`);
    await receiving;
    return STREAM_MIB / (Number(sent.stdout.trim()) / 1000);
  } finally {
    rx.end();
    tx.end();
  }
}

function hostNamespacesThroughput(): Promise<number> {
  const tag = `slbench${process.pid % 10000}`;
  const ip = (...a: string[]) => spawnSync('ip', a, { stdio: 'ignore' });
  ip('netns', 'add', `${tag}a`);
  ip('netns', 'add', `${tag}b`);
  ip('link', 'add', 'veth0', 'netns', `${tag}a`, 'type', 'veth', 'peer', 'name', 'veth1', 'netns', `${tag}b`);
  ip('-n', `${tag}a`, 'addr', 'add', '10.250.0.1/24', 'dev', 'veth0');
  ip('-n', `${tag}b`, 'addr', 'add', '10.250.0.2/24', 'dev', 'veth1');
  for (const [ns, dev] of [
    [`${tag}a`, 'veth0'],
    [`${tag}b`, 'veth1'],
  ]) {
    ip('-n', ns, 'link', 'set', dev, 'up');
    ip('-n', ns, 'link', 'set', 'lo', 'up');
  }
  return new Promise((resolve, reject) => {
    const rx = spawn('ip', ['netns', 'exec', `${tag}a`, process.execPath, '-e', RECEIVE], { stdio: ['ignore', 'pipe', 'inherit'] });
    rx.stdout.once('data', () => {
      const tx = spawnSync('ip', ['netns', 'exec', `${tag}b`, process.execPath, '-e', SEND('10.250.0.1')], { encoding: 'utf8' });
      rx.once('exit', () => {
        ip('netns', 'del', `${tag}a`);
        ip('netns', 'del', `${tag}b`);
        const ms = Number(tx.stdout.trim());
        if (!ms) reject(new Error(`baseline stream failed: ${tx.stderr}`));
        else resolve(STREAM_MIB / (ms / 1000));
      });
    });
  });
}

async function main(): Promise<void> {
  const agent = await startAgent();
  const c = agent.client;
  const load = () => (spawnSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).stdout ?? '').split(' ').slice(0, 3).join(' ');
  console.log(`${new Date().toISOString()}, load average ${load()}, ${RUNS} runs per figure, interleaved`);
  try {
    const kinds = { 'host view, 1 network': manifest(false, 1), 'image root, 1 network': manifest(true, 1), 'image root, 3 networks': manifest(true, 3) };
    const times: Record<string, number[]> = Object.fromEntries(Object.keys(kinds).map((k) => [k, []]));
    for (const text of Object.values(kinds)) await startToShell(c, text).then((r) => c.destroy(r.record.id)); // warm-up (builds the image root)
    for (let i = 0; i < RUNS; i++) {
      for (const [kind, text] of Object.entries(kinds)) {
        const { ms, record } = await startToShell(c, text);
        times[kind].push(ms);
        await c.destroy(record.id);
      }
    }
    const base = median(times['host view, 1 network']);
    for (const [kind, t] of Object.entries(times)) {
      console.log(
        `start → shell, 2 machines, ${kind}: median ${fmtMs(median(t))} (min ${fmtMs(Math.min(...t))}, max ${fmtMs(Math.max(...t))}), ratio ${(median(t) / base).toFixed(2)}× the host view`,
      );
    }
    const machine: number[] = [];
    const host: number[] = [];
    const { record } = await startToShell(c, manifest(false, 1));
    for (let i = 0; i < Math.min(RUNS, 5); i++) {
      machine.push(await machineThroughput(c, record));
      host.push(await hostNamespacesThroughput());
    }
    await c.destroy(record.id);
    console.log(
      `TCP stream between two machines of a playground: median ${median(machine).toFixed(0)} MiB/s; between two host network namespaces (veth): ${median(host).toFixed(0)} MiB/s; ratio ${(median(machine) / median(host)).toFixed(2)}`,
    );
    console.log(`load average at the end ${load()}`);
  } finally {
    await agent.kill();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
