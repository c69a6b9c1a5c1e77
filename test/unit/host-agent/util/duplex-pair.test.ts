import { describe, expect, it } from 'vitest';
import { duplexPair } from '../../../../host-agent/util/duplex-pair';

describe('duplexPair', () => {
  it('delivers bytes in order, survives a writer reusing its buffer after the write completed, and ends cleanly', async () => {
    const [a, b] = duplexPair();
    const got: Buffer[] = [];
    b.on('data', (d: Buffer) => got.push(d));
    b.pause(); // the reader lags: chunks are still queued when the writer reuses its buffer
    setTimeout(() => b.resume(), 20);
    const reused = Buffer.alloc(4);
    for (let i = 0; i < 100; i++) {
      reused.fill(i);
      await new Promise<void>((done) => a.write(reused, () => done()));
    }
    a.end();
    await new Promise((r) => b.on('end', r));
    const all = Buffer.concat(got);
    expect(all.length).toBe(400);
    for (let i = 0; i < 100; i++) expect([...all.subarray(i * 4, i * 4 + 4)]).toEqual([i, i, i, i]);
  });

  it("never delivers inside the writer's own call (no re-entrancy)", () => {
    const [a, b] = duplexPair();
    let delivered = false;
    b.on('data', () => (delivered = true));
    a.write(Buffer.from('x'));
    expect(delivered).toBe(false);
  });

  it('applies backpressure: a reader that does not read holds the writer back', async () => {
    const [a, b] = duplexPair();
    b.pause();
    let ok = true;
    let writes = 0;
    while (ok && writes < 10_000) {
      ok = a.write(Buffer.alloc(16 * 1024));
      writes++;
    }
    await new Promise((r) => setTimeout(r, 20));
    expect(ok).toBe(false);
    expect(writes).toBeLessThan(10_000);
    const drained = new Promise((r) => a.once('drain', r));
    b.resume();
    await drained;
  });

  it('destroys the peer with it', async () => {
    const [a, b] = duplexPair();
    const closed = new Promise((r) => b.on('close', r));
    a.destroy();
    await closed;
    expect(b.destroyed).toBe(true);
  });
});
