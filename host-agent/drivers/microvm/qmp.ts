// A minimal QMP (QEMU Machine Protocol) client over a unix socket: greeting, capability
// negotiation, then one command at a time with its reply. Events are kept for waiters
// (e.g. a migration finishing). Enough for status, stop/cont, migrate and quit.
import type * as net from 'node:net';
import { connectUnixSocket } from '../../util/unix-socket';
import { z } from 'zod';

/** One line QEMU writes on its QMP socket: the greeting, a command's answer, or an event. */
const QMP_MESSAGE = z.object({
  QMP: z.unknown().optional(),
  return: z.unknown().optional(),
  error: z.object({ class: z.string(), desc: z.string() }).optional(),
  event: z.string().optional(),
  data: z.record(z.string(), z.unknown()).optional(),
});

export interface QmpEvent {
  event: string;
  data?: Record<string, unknown>;
}

export class QmpError extends Error {}

export class QmpClient {
  private buffer = '';
  private readonly waiting: Array<{ resolve: (v: unknown) => void; reject: (e: Error) => void }> = [];
  private readonly events: QmpEvent[] = [];
  private readonly eventWaiters = new Set<(e: QmpEvent) => void>();
  private closed: Error | undefined;

  private constructor(private readonly socket: net.Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => this.onData(d));
    const fail = (err?: Error) => {
      this.closed ??= err ?? new QmpError('QMP connection closed');
      for (const w of this.waiting.splice(0)) w.reject(this.closed);
    };
    socket.on('error', fail);
    socket.on('close', () => fail());
  }

  /** Connects, reads the greeting and leaves negotiation mode. */
  static async connect(socketPath: string, timeoutMs = 5000): Promise<QmpClient> {
    const socket = await connectUnixSocket(socketPath, timeoutMs, 'QMP socket', (message) => new QmpError(message));
    const client = new QmpClient(socket);
    // The greeting arrives as the first reply-shaped message.
    await new Promise<unknown>((resolve, reject) => client.waiting.push({ resolve, reject }));
    await client.execute('qmp_capabilities');
    return client;
  }

  execute<T = unknown>(command: string, args?: Record<string, unknown>): Promise<T> {
    if (this.closed) return Promise.reject(this.closed);
    return new Promise<T>((resolve, reject) => {
      // The caller names the command and so the shape of its answer: QMP replies are typed by
      // the command, as in QEMU's schema, not by anything in the reply itself.
      // eslint-disable-next-line @typescript-eslint/no-unsafe-type-assertion
      this.waiting.push({ resolve: (v) => resolve(v as T), reject });
      this.socket.write(JSON.stringify(args ? { execute: command, arguments: args } : { execute: command }) + '\n');
    });
  }

  /** Resolves with the first event named `name` (including ones already received). */
  waitEvent(name: string, timeoutMs: number): Promise<QmpEvent> {
    const seen = this.events.find((e) => e.event === name);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.eventWaiters.delete(on);
        reject(new QmpError(`no ${name} event from QEMU in ${timeoutMs} ms`));
      }, timeoutMs);
      const on = (e: QmpEvent) => {
        if (e.event !== name) return;
        clearTimeout(timer);
        this.eventWaiters.delete(on);
        resolve(e);
      };
      this.eventWaiters.add(on);
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(d: string): void {
    this.buffer += d;
    let nl: number;
    while ((nl = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, nl).trim();
      this.buffer = this.buffer.slice(nl + 1);
      if (!line) continue;
      let msg: z.infer<typeof QMP_MESSAGE>;
      try {
        const parsed = QMP_MESSAGE.safeParse(JSON.parse(line));
        if (!parsed.success) continue;
        msg = parsed.data;
      } catch {
        continue;
      }
      if (msg.event) {
        const e = { event: msg.event, data: msg.data };
        this.events.push(e);
        if (this.events.length > 50) this.events.shift();
        for (const w of [...this.eventWaiters]) w(e);
        continue;
      }
      const waiter = this.waiting.shift();
      if (!waiter) continue;
      if (msg.error) waiter.reject(new QmpError(`QMP: ${msg.error.class}: ${msg.error.desc}`));
      else waiter.resolve(msg.QMP ?? msg.return);
    }
  }
}
