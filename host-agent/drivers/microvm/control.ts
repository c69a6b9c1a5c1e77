// The agent's side of a VM's control port (a virtio-serial port QEMU exposes as a unix
// socket): the VM init says "waiting" when it has done everything machine-neutral, takes
// "go <epoch> <seed>", answers "ready" once sshd listens, and on "stop" shuts down
// cleanly ("stopped"). Line-based, so it needs nothing in the guest but a shell.
import { randomBytes } from 'node:crypto';
import type * as net from 'node:net';
import { connectUnixSocket } from '../../util/unix-socket';

export class ControlChannel {
  private buffer = '';
  private readonly lines: string[] = [];
  private readonly waiters = new Set<() => void>();
  private ended: Error | undefined;

  private constructor(private readonly socket: net.Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      this.buffer += d;
      let nl: number;
      while ((nl = this.buffer.indexOf('\n')) >= 0) {
        const line = this.buffer.slice(0, nl).trim();
        this.buffer = this.buffer.slice(nl + 1);
        if (line) this.lines.push(line);
      }
      this.wake();
    });
    const end = (err?: Error) => {
      this.ended ??= err ?? new Error('control port closed (the VM exited?)');
      this.wake();
    };
    socket.on('error', end);
    socket.on('close', () => end());
  }

  static async connect(socketPath: string, timeoutMs = 5000): Promise<ControlChannel> {
    return new ControlChannel(await connectUnixSocket(socketPath, timeoutMs, 'control socket'));
  }

  /** Waits for a line equal to `want`, dropping others; rejects on timeout or close. */
  async expect(want: string, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.lines.indexOf(want);
      if (i >= 0) {
        this.lines.splice(0, i + 1);
        return;
      }
      if (this.ended) throw new Error(`${what}: ${this.ended.message}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${what}: no "${want}" from the VM in ${Math.round(timeoutMs / 1000)} s`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, left);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.waiters.add(() => {
          this.waiters.clear();
          done();
        });
      });
    }
  }

  send(line: string): void {
    this.socket.write(`${line}\n`);
  }

  /** The "go" line: wall clock (the VM's may be from snapshot time) and fresh entropy. */
  sendGo(now = Date.now()): void {
    this.send(`go ${Math.floor(now / 1000)} ${randomBytes(32).toString('hex')}`);
  }

  close(): void {
    this.socket.destroy();
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }
}
