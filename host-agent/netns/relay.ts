// Opens TCP connections from inside a network namespace (a sandbox machine's, a microvm
// playground's) and hands the connected sockets back to the agent over the IPC channel,
// so bytes then flow between the agent and the machine with no process in between. It
// can also listen inside the namespace and hand over each accepted connection (how a
// sandbox machine answers `ssh` from its neighbours). One relay per namespace, started on
// first use; it ends when the agent goes away.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { netEnterArgs } from './enter';

// Runs as `node -e` inside the namespace: it must not need any file of the checkout
// (a machine's uid may not be able to read them).
const RELAY_SOURCE = `
const net = require('net');
process.on('disconnect', () => process.exit(0));
process.on('message', (m) => {
  if (m.listen) {
    const server = net.createServer({ pauseOnConnect: true }, (s) => process.send({ accepted: m.listen }, s));
    server.once('listening', () => process.send({ id: m.id, ok: true }));
    server.once('error', (e) => process.send({ id: m.id, ok: false, error: e.code || e.message }));
    server.listen(m.listen, '0.0.0.0');
    return;
  }
  const s = net.connect({ host: m.host, port: m.port });
  s.once('connect', () => { s.pause(); process.send({ id: m.id, ok: true }, s); });
  s.once('error', (e) => process.send({ id: m.id, ok: false, error: e.code || e.message }));
});
`;

interface Reply {
  id?: number;
  ok?: boolean;
  error?: string;
  /** A connection accepted on this listening port (the socket comes as the handle). */
  accepted?: number;
}

type ListenWaiter = { kind: 'listen'; resolve: () => void; reject: (e: Error) => void };
type ConnectWaiter = { kind: 'connect'; resolve: (s: Socket) => void; reject: (e: Error) => void };

export class NetnsRelay {
  private child: ChildProcess | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, ListenWaiter | ConnectWaiter>();
  /** Ports served inside the namespace; a relay started again listens on them again. */
  private readonly listeners = new Map<number, (socket: Socket) => void>();
  /** The current relay's bind of each listened port. */
  private listening = new Map<number, Promise<void>>();

  constructor(private readonly pid: number) {}

  connect(host: string, port: number): Promise<Socket> {
    const child = this.ensure();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { kind: 'connect', resolve, reject });
      child.send({ id, host, port });
    });
  }

  /** Listens on `port` on every address inside the namespace; resolves once bound. */
  listen(port: number, onSocket: (socket: Socket) => void): Promise<void> {
    this.listeners.set(port, onSocket);
    const child = this.ensure();
    let bound = this.listening.get(port);
    if (!bound) this.listening.set(port, (bound = this.sendListen(child, port)));
    return bound;
  }

  private sendListen(child: ChildProcess, port: number): Promise<void> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, {
        kind: 'listen',
        resolve,
        reject: (e) => reject(new Error(`cannot listen on port ${port} inside the machine (${e.message})`)),
      });
      child.send({ id, listen: port });
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
      if (msg.accepted !== undefined) {
        const onSocket = this.listeners.get(msg.accepted);
        if (onSocket && handle) onSocket(handle as Socket);
        else (handle as Socket | undefined)?.destroy();
        return;
      }
      const waiter = msg.id === undefined ? undefined : this.pending.get(msg.id);
      if (!waiter) return;
      this.pending.delete(msg.id!);
      if (waiter.kind === 'listen') {
        if (msg.ok) waiter.resolve();
        else waiter.reject(new Error(msg.error ?? 'unknown error'));
      } else if (msg.ok && handle) waiter.resolve(handle as Socket);
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
    // A relay started again (it died, or the machine's first one) serves the same ports.
    this.listening = new Map([...this.listeners.keys()].map((port) => [port, this.sendListen(child, port)]));
    for (const bound of this.listening.values()) bound.catch(() => undefined);
    return child;
  }
}
