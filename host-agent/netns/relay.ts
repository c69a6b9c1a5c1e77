// Opens TCP connections from inside a network namespace (a sandbox machine's, a microvm
// playground's) and hands the connected sockets back to the agent over the IPC channel,
// so bytes then flow between the agent and the machine with no process in between. One
// relay per namespace, started on first use; it ends when the agent goes away.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { netEnterArgs } from './enter';

// Runs as `node -e` inside the namespace: it must not need any file of the checkout
// (a machine's uid may not be able to read them).
const RELAY_SOURCE = `
const net = require('net');
process.on('disconnect', () => process.exit(0));
process.on('message', (m) => {
  const s = net.connect({ host: m.host, port: m.port });
  s.once('connect', () => { s.pause(); process.send({ id: m.id, ok: true }, s); });
  s.once('error', (e) => process.send({ id: m.id, ok: false, error: e.code || e.message }));
});
`;

interface Reply {
  id: number;
  ok: boolean;
  error?: string;
}

export class NetnsRelay {
  private child: ChildProcess | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (s: Socket) => void; reject: (e: Error) => void }>();

  constructor(private readonly pid: number) {}

  connect(host: string, port: number): Promise<Socket> {
    const child = this.ensure();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      child.send({ id, host, port });
    });
  }

  close(): void {
    this.child?.kill('SIGKILL');
    this.child = undefined;
  }

  private ensure(): ChildProcess {
    if (this.child && this.child.exitCode === null && this.child.connected) return this.child;
    const argv = [...netEnterArgs(this.pid), '--', process.execPath, '-e', RELAY_SOURCE];
    const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'ignore', 'ignore', 'ipc'], serialization: 'json' });
    child.on('message', (msg: Reply, handle?: unknown) => {
      const waiter = this.pending.get(msg.id);
      if (!waiter) return;
      this.pending.delete(msg.id);
      if (msg.ok && handle) waiter.resolve(handle as Socket);
      else waiter.reject(new Error(`connection refused inside the machine (${msg.error ?? 'no socket'})`));
    });
    child.on('exit', () => {
      for (const w of this.pending.values()) w.reject(new Error('relay ended'));
      this.pending.clear();
      if (this.child === child) this.child = undefined;
    });
    child.unref();
    (child as unknown as { channel?: { unref(): void } }).channel?.unref();
    this.child = child;
    return child;
  }
}
