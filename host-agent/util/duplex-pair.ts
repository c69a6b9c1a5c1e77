// Two in-memory Duplex streams wired to each other: what one writes the other reads.
// The agent hands one end to its embedded SSH server and the other to a tunnel, so a
// sandbox machine's port 22 costs no socket and no extra copy through the kernel.
import { Duplex } from 'node:stream';

class End extends Duplex {
  peer!: End;
  private pendingWrite: (() => void) | undefined;

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    // Deliver on a later tick, as a socket would: a synchronous push lets the reader's
    // 'data' handler run inside the writer's own handler, and ssh2's packet parser does
    // not survive being re-entered that way (it desynchronises its cipher). Copy, since
    // a writer may reuse its buffer once the write has completed. Holding the writer's
    // callback until the peer's reader drains is the backpressure.
    const copy = Buffer.from(chunk);
    process.nextTick(() => {
      if (this.peer.push(copy)) done();
      else this.peer.pendingWrite = () => done();
    });
  }

  override _read(): void {
    const resume = this.pendingWrite;
    this.pendingWrite = undefined;
    resume?.();
  }

  override _final(done: (err?: Error | null) => void): void {
    process.nextTick(() => {
      this.peer.push(null);
      done();
    });
  }

  override _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    const resume = this.pendingWrite;
    this.pendingWrite = undefined;
    resume?.();
    if (!this.peer.destroyed) this.peer.destroy();
    done(err);
  }
}

export function duplexPair(): [Duplex, Duplex] {
  const a = new End();
  const b = new End();
  a.peer = b;
  b.peer = a;
  return [a, b];
}
