// Opens TCP connections from inside a network namespace (a sandbox machine's, a microvm
// playground's) and hands the connected sockets back to the agent over the IPC channel,
// so bytes then flow between the agent and the machine with no process in between. It
// can also listen inside the namespace and hand over each accepted connection (how a
// sandbox machine answers `ssh` from its neighbours), and receive UDP there (a hub's DNS).
// One relay per namespace, started on first use; it ends when the agent goes away. The
// relay is dist/sandlot-relay (C, relay/sandlot-relay.c) where it was built, else the
// Node program below: the same messages over Node's IPC channel either way.
import { spawn, type ChildProcess } from 'node:child_process';
import * as net from 'node:net';
import * as os from 'node:os';
import type { Socket } from 'node:net';
import { netEnterArgs } from './enter';
import { builtHelper } from '../util/built-helpers';

// Runs as `node -e` inside the namespace: it must not need any file of the checkout
// (a machine's uid may not be able to read them).
const RELAY_SOURCE = `
const net = require('net');
const dgram = require('dgram');
const udp = new Map();
process.on('disconnect', () => process.exit(0));
process.on('message', (m) => {
  if (m.udp) {
    const sock = dgram.createSocket('udp4');
    udp.set(m.udp, sock);
    sock.on('message', (data, from) => process.send({ datagram: m.udp, data: data.toString('base64'), address: from.address, port: from.port }));
    sock.once('listening', () => process.send({ id: m.id, ok: true }));
    sock.once('error', (e) => process.send({ id: m.id, ok: false, error: e.code || e.message }));
    sock.bind(m.udp, '0.0.0.0');
    return;
  }
  if (m.reply) {
    const sock = udp.get(m.reply);
    if (sock) sock.send(Buffer.from(m.data, 'base64'), m.port, m.address);
    return;
  }
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
  /** A datagram that arrived on this UDP port, base64, with its sender. */
  datagram?: number;
  data?: string;
  address?: string;
  port?: number;
}

/** Answers one datagram that arrived in the namespace; resolves with the reply, or undefined for none. */
export type DatagramHandler = (data: Buffer) => Promise<Buffer | undefined>;

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
  /** UDP ports served inside the namespace, and what answers their datagrams. */
  private readonly datagramHandlers = new Map<number, DatagramHandler>();

  /**
   * `background`: the relay's own start (a Node process, tens of milliseconds of CPU) yields to
   * everything else (a niceness of 10), for relays that nothing waits for while a machine
   * starts; once started it only hands sockets over, which costs next to nothing.
   */
  constructor(
    private readonly pid: number,
    /** `node`: the Node relay even where dist/sandlot-relay was built (tests of both). */
    private readonly opts: { background?: boolean; node?: boolean } = {},
  ) {}

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

  /** Receives UDP datagrams on `port` on every address inside the namespace (e.g. DNS on 53). */
  listenUdp(port: number, handler: DatagramHandler): Promise<void> {
    // A relay started now binds the ports already known; this one is asked for below.
    const child = this.ensure();
    this.datagramHandlers.set(port, handler);
    return this.request(child, { udp: port }, `cannot receive UDP on port ${port} inside the namespace`);
  }

  private request(child: ChildProcess, message: Record<string, unknown>, what: string): Promise<void> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { kind: 'listen', resolve, reject: (e) => reject(new Error(`${what} (${e.message})`)) });
      child.send({ id, ...message });
    });
  }

  private onDatagram(child: ChildProcess, msg: Reply): void {
    const handler = this.datagramHandlers.get(msg.datagram!);
    if (!handler || msg.data === undefined) return;
    handler(Buffer.from(msg.data, 'base64')).then(
      (answer) => {
        if (answer && child.connected) child.send({ reply: msg.datagram, data: answer.toString('base64'), address: msg.address, port: msg.port });
      },
      () => undefined,
    );
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
    // dist/sandlot-relay speaks the same protocol at a fraction of a Node start's cost; the
    // Node relay is for a checkout built without a C compiler.
    const native = this.opts.node ? undefined : builtHelper('sandlot-relay');
    const argv = [...netEnterArgs(this.pid), '--', ...(native ? [native] : [process.execPath, '-e', RELAY_SOURCE])];
    const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'ignore', native ? 'inherit' : 'ignore', 'ipc'], serialization: 'json' });
    if (this.opts.background && !native && child.pid) {
      try {
        os.setPriority(child.pid, 10);
      } catch {
        // already gone: its exit is handled below
      }
    }
    child.on('message', (msg: Reply, handle?: unknown) => {
      if (msg.datagram !== undefined) return this.onDatagram(child, msg);
      // Handles only ever come as the sockets the relay sent.
      const socket = handle instanceof net.Socket ? handle : undefined;
      if (msg.accepted !== undefined) {
        const onSocket = this.listeners.get(msg.accepted);
        if (onSocket && socket) onSocket(socket);
        else socket?.destroy();
        return;
      }
      const waiter = msg.id === undefined ? undefined : this.pending.get(msg.id);
      if (!waiter) return;
      this.pending.delete(msg.id!);
      if (waiter.kind === 'listen') {
        if (msg.ok) waiter.resolve();
        else waiter.reject(new Error(msg.error ?? 'unknown error'));
      } else if (msg.ok && socket) waiter.resolve(socket);
      else waiter.reject(new Error(`connection refused inside the machine (${msg.error ?? 'no socket'})`));
    });
    child.on('exit', () => {
      for (const w of this.pending.values()) w.reject(new Error('relay ended'));
      this.pending.clear();
      if (this.child === child) this.child = undefined;
    });
    child.unref();
    // The IPC channel would keep the agent alive on its own; Node types do not expose it.
    // eslint-disable-next-line @typescript-eslint/no-unsafe-type-assertion -- see above
    (child as unknown as { channel?: { unref(): void } }).channel?.unref();
    this.child = child;
    // A relay started again (it died, or the machine's first one) serves the same ports.
    this.listening = new Map([...this.listeners.keys()].map((port) => [port, this.sendListen(child, port)]));
    for (const bound of this.listening.values()) bound.catch(() => undefined);
    for (const port of this.datagramHandlers.keys()) this.request(child, { udp: port }, 'udp').catch(() => undefined);
    return child;
  }
}
