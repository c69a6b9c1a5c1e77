// A local TCP listener whose every connection rides the agent's tunnel to one port of a
// machine: what `sandlot port-forward`, the extension's "Forward Port…" and `sandlot mcp`'s
// forward_port all open. Closing it also ends the connections it carried (a plain
// server.close() would leave them running until each side hangs up).
import * as net from 'node:net';
import type { Duplex } from 'node:stream';
import type { AgentClient } from './client';

export interface ForwardTarget {
  playground: string;
  machine: string;
  /** TCP port inside the machine. */
  port: number;
}

export interface PortForward {
  readonly target: ForwardTarget;
  /** The address the listener is bound to (`127.0.0.1`) and its port. */
  readonly local: { address: string; port: number };
  close(): Promise<void>;
}

export interface ForwardOptions {
  /** Where to listen; default 127.0.0.1 and a free port. */
  host?: string;
  port?: number;
  /** Told when one connection could not be tunnelled (the machine port closed, the agent gone). */
  onError?: (err: unknown) => void;
}

/** The client is asked for per connection, so a forward follows an agent connection that was replaced. */
export async function listenForward(agent: AgentClient | (() => AgentClient), target: ForwardTarget, opts: ForwardOptions = {}): Promise<PortForward> {
  const client = typeof agent === 'function' ? agent : () => agent;
  const open = new Set<net.Socket | Duplex>();
  const track = (s: net.Socket | Duplex) => {
    open.add(s);
    s.once('close', () => open.delete(s));
  };
  const server = net.createServer((sock) => {
    track(sock);
    client()
      .tunnel(target.playground, target.machine, target.port)
      .then(
        (stream) => {
          if (sock.destroyed) return stream.destroy();
          track(stream);
          sock.pipe(stream).pipe(sock);
          sock.on('error', () => stream.destroy());
          stream.on('error', () => sock.destroy());
        },
        (err: unknown) => {
          opts.onError?.(err);
          sock.destroy();
        },
      );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address();
  if (!bound || typeof bound === 'string') {
    server.close();
    throw new Error(`${opts.host ?? '127.0.0.1'}:${opts.port ?? 0} is not a TCP address`);
  }
  return {
    target: { ...target },
    local: { address: bound.address, port: bound.port },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of open) s.destroy();
      }),
  };
}
