// Bulk SFTP copy of 256 MiB out of a sandbox machine, through the agent's WebSocket
// tunnel vs over a plain TCP connection to the same SSH endpoint (the agent's embedded
// SSH server for that machine), alternating, median of RUNS each, ratio printed.
// The agent runs in this process; the SFTP client runs in a child process, as a user's
// would. Run: npm run build && npm run bench -- sftp-tunnel
import { fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'ssh2';
import { AgentClient } from '../host-agent/api/client';
import { MiB, median } from './stats';

const SIZE_MIB = Number(process.env.SIZE_MIB ?? 256);
const RUNS = Number(process.env.RUNS ?? 3);

interface Job {
  mode: 'tunnel' | 'tcp';
  url: string;
  token: string;
  id: string;
  tcpPort: number;
  privateKey: string;
  hostKey: string;
}

async function client(job: Job): Promise<number> {
  const sock =
    job.mode === 'tunnel'
      ? await new AgentClient({ url: job.url, token: job.token }).tunnel(job.id, 'dev', 22)
      : await new Promise<net.Socket>((resolve) => {
          const s = net.connect(job.tcpPort, '127.0.0.1', () => resolve(s));
        });
  const ssh = new Client();
  await new Promise<void>((resolve, reject) => {
    ssh.once('ready', resolve).once('error', reject);
    ssh.connect({
      sock,
      username: 'root',
      privateKey: job.privateKey,
      hostVerifier: (k: Buffer) => k.toString('base64') === job.hostKey.split(' ')[1],
    });
  });
  const sftp = await new Promise<import('ssh2').SFTPWrapper>((resolve, reject) => ssh.sftp((e, s) => (e ? reject(e) : resolve(s))));
  const local = path.join(os.tmpdir(), `sftp-bench-${process.pid}`);
  const t0 = performance.now();
  await new Promise<void>((resolve, reject) => sftp.fastGet('/tmp/blob', local, { concurrency: 64, chunkSize: 32768 }, (e) => (e ? reject(e) : resolve())));
  const ms = performance.now() - t0;
  if (fs.statSync(local).size !== SIZE_MIB * MiB) throw new Error('short copy');
  fs.rmSync(local);
  ssh.end();
  return ms;
}

async function parent(): Promise<void> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'sftp-bench-'));
  process.env.SANDLOT_HOME = home;
  const { startAgent } = await import('../host-agent/server/run');
  const agent = await startAgent({ listen: '127.0.0.1:0', driver: 'sandbox', version: 'bench' });
  const manager = await agent.ready;
  const token = fs.readFileSync(path.join(home, 'token'), 'utf8').trim();
  const c = new AgentClient({ url: agent.url, token });
  const pg = await c.create({ template: 'linux' });
  for (let i = 0; i < 200 && (await c.get(pg.id)).state !== 'running'; i++) await new Promise((r) => setTimeout(r, 50));
  const exit = await c.exec(pg.id, 'dev', { command: `head -c ${SIZE_MIB}M /dev/urandom > /tmp/blob` }, () => undefined);
  if (exit.code !== 0) throw new Error('cannot make the blob');
  // The baseline endpoint: plain TCP on loopback into the very same SSH server.
  const tcp = net.createServer((s) => {
    void manager.connect(pg.id, 'dev', 22, false).then((d) => s.pipe(d).pipe(s));
  });
  await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', () => r()));
  const key = await c.sshKey(pg.id);
  const record = await c.get(pg.id);
  const base: Omit<Job, 'mode'> = {
    url: agent.url,
    token,
    id: pg.id,
    tcpPort: portOf(tcp),
    privateKey: key.privateKey,
    hostKey: record.machines[0].hostKey,
  };
  const times: Record<Job['mode'], number[]> = { tunnel: [], tcp: [] };
  for (let i = 0; i < RUNS; i++) {
    for (const mode of ['tcp', 'tunnel'] as const) {
      const ms = await new Promise<number>((resolve, reject) => {
        const child = fork(__filename, ['child'], { stdio: 'inherit' });
        child.send({ ...base, mode });
        child.on('message', (m: { ms?: number; error?: string }) => (m.error ? reject(new Error(m.error)) : resolve(m.ms!)));
      });
      times[mode].push(ms);
    }
  }
  const rate = (ms: number) => (SIZE_MIB / (ms / 1000)).toFixed(1);
  const t = median(times.tunnel);
  const p = median(times.tcp);
  console.log(`SFTP download ${SIZE_MIB} MiB, ${RUNS} runs each (alternating):`);
  console.log(`  plain TCP to the SSH endpoint: median ${p.toFixed(0)} ms (${rate(p)} MiB/s)`);
  console.log(`  agent WebSocket tunnel:        median ${t.toFixed(0)} ms (${rate(t)} MiB/s)`);
  console.log(`  ratio tunnel/TCP throughput: ${(p / t).toFixed(2)}`);
  tcp.close();
  await c.destroy(pg.id);
  await agent.stop();
  fs.rmSync(home, { recursive: true, force: true });
  process.exit(0);
}

if (process.argv[2] === 'child') {
  process.once('message', (job: Job) => {
    client(job).then(
      (ms) => process.send!({ ms }, () => process.exit(0)),
      (err: Error) => process.send!({ error: err.message }, () => process.exit(1)),
    );
  });
} else {
  parent().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}

function portOf(server: net.Server): number {
  const addr = server.address();
  if (!addr || typeof addr === 'string') throw new Error('the baseline server has no TCP address');
  return addr.port;
}
