// Runs task programs inside machines over SSH: one ssh2 connection per (machine, user),
// kept open and shared by every task of the playground (each run is one exec channel,
// not a new handshake). Connections ride on whatever byte stream `connect` returns — for
// the agent, the driver's raw connection to the machine's port 22.
import type { Duplex } from 'node:stream';
import { Client, type ClientChannel } from 'ssh2';
import { errorMessage } from '../util/errors';
import { OUTPUT_LIMIT, remoteCommand, tail, type ScriptRequest, type ScriptResult, type ScriptRunner } from './runner';

export interface SshRunnerOptions {
  /** A fresh byte stream to the machine's SSH server. */
  connect(machine: string): Promise<Duplex>;
  /** The playground user key (OpenSSH private key), authorized for every user of every machine. */
  privateKey: string;
  /** The machine's host public key line (`ssh-ed25519 AAAA…`); the connection is refused on mismatch. */
  hostKey(machine: string): string | undefined;
  /**
   * Channels open at once per connection. OpenSSH allows 10 sessions per connection by
   * default; more tasks than that on one machine wait for a free channel.
   */
  maxChannels?: number;
  readyTimeoutMs?: number;
}

interface Connection {
  client: Client;
  ready: Promise<void>;
  active: number;
  queue: (() => void)[];
}

export class SshRunner implements ScriptRunner {
  private readonly connections = new Map<string, Connection>();
  private closed = false;

  constructor(private readonly opts: SshRunnerOptions) {}

  async run(req: ScriptRequest): Promise<ScriptResult> {
    if (this.closed) return { code: null, stdout: '', stderr: '', error: 'runner closed' };
    let conn: Connection;
    try {
      conn = this.connection(req.machine, req.user);
      await conn.ready;
    } catch (err) {
      return { code: null, stdout: '', stderr: '', error: `ssh to ${req.user}@${req.machine}: ${errorMessage(err)}` };
    }
    await this.acquire(conn);
    try {
      return await this.exec(conn, req);
    } finally {
      this.release(conn);
    }
  }

  close(): void {
    this.closed = true;
    for (const c of this.connections.values()) c.client.end();
    this.connections.clear();
  }

  /** How many SSH connections are open (for tests and benchmarks). */
  get connectionCount(): number {
    return this.connections.size;
  }

  private connection(machine: string, user: string): Connection {
    const key = `${machine}\0${user}`;
    const existing = this.connections.get(key);
    if (existing) return existing;
    const client = new Client();
    const expected = this.opts.hostKey(machine)?.trim().split(/\s+/)[1];
    const ready = (async () => {
      const sock = await this.opts.connect(machine);
      await new Promise<void>((resolve, reject) => {
        client.once('ready', () => resolve());
        client.once('error', reject);
        client.connect({
          sock,
          username: user,
          privateKey: this.opts.privateKey,
          readyTimeout: this.opts.readyTimeoutMs ?? 20_000,
          // The agent made the machine's host key, so it can verify instead of trusting.
          hostVerifier: (keyBlob: Buffer) => expected !== undefined && keyBlob.toString('base64') === expected,
          keepaliveInterval: 15_000,
        });
      });
    })();
    const conn: Connection = { client, ready, active: 0, queue: [] };
    const forget = () => {
      if (this.connections.get(key) === conn) this.connections.delete(key);
    };
    client.on('close', forget);
    client.on('error', forget);
    ready.catch(() => {
      forget();
      client.end();
    });
    this.connections.set(key, conn);
    return conn;
  }

  private acquire(conn: Connection): Promise<void> {
    const limit = this.opts.maxChannels ?? 8;
    if (conn.active < limit) {
      conn.active++;
      return Promise.resolve();
    }
    return new Promise((resolve) => conn.queue.push(() => (conn.active++, resolve())));
  }

  private release(conn: Connection): void {
    conn.active--;
    conn.queue.shift()?.();
  }

  private exec(conn: Connection, req: ScriptRequest): Promise<ScriptResult> {
    return new Promise((resolve) => {
      let stdout = '';
      let stderr = '';
      let code: number | null = null;
      let timedOut = false;
      let channel: ClientChannel | undefined;
      let settled = false;
      const finish = (result: ScriptResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        req.signal?.removeEventListener('abort', kill);
        resolve(result);
      };
      const kill = () => {
        if (!channel) return;
        try {
          channel.signal('KILL');
        } catch {
          /* servers may refuse signals; closing the channel still ends the session */
        }
        channel.close();
      };
      const timer = setTimeout(() => {
        timedOut = true;
        kill();
        // A server that ignores both still must not hold the task forever.
        setTimeout(() => finish({ code: null, stdout, stderr, timedOut: true }), 2000).unref();
      }, req.timeoutMs);
      req.signal?.addEventListener('abort', kill, { once: true });
      conn.client.exec(req.direct ? req.program : remoteCommand(req.program, req.timeoutMs / 1000), (err, ch) => {
        if (err) return finish({ code: null, stdout, stderr, error: `exec on ${req.machine}: ${err.message}` });
        channel = ch;
        if (req.signal?.aborted) kill();
        ch.on('data', (d: Buffer) => (stdout = tail(stdout + d.toString('utf8'), OUTPUT_LIMIT)));
        ch.stderr.on('data', (d: Buffer) => (stderr = tail(stderr + d.toString('utf8'), OUTPUT_LIMIT)));
        ch.on('exit', (c: number | null) => {
          code = typeof c === 'number' ? c : null;
        });
        ch.on('close', () => finish({ code: timedOut ? null : code, stdout, stderr, ...(timedOut ? { timedOut } : {}) }));
        ch.end(); // no stdin for task scripts
      });
    });
  }
}
