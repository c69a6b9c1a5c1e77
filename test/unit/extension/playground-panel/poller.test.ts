import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Poller } from '../../../../extension/playground-panel/poller';

describe('Poller', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('runs a round at once on start, then one per interval, and none after stop', async () => {
    let rounds = 0;
    const p = new Poller(1000, async () => void rounds++);
    p.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(rounds).toBe(1);
    await vi.advanceTimersByTimeAsync(3000);
    expect(rounds).toBe(4);
    p.stop();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(rounds).toBe(4);
    expect(p.running).toBe(false);
  });

  it('never runs two rounds at once: a slow round delays the next', async () => {
    let inFlight = 0;
    let most = 0;
    let rounds = 0;
    const p = new Poller(100, async () => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, 1000));
      inFlight--;
      rounds++;
    });
    p.start();
    await vi.advanceTimersByTimeAsync(5000);
    expect(most).toBe(1);
    // Each round: 1000 ms of work + 100 ms of pause.
    expect(rounds).toBe(4);
    p.stop();
  });

  it('a round still running when stopped does not schedule another, even after a restart', async () => {
    let rounds = 0;
    const p = new Poller(1000, async () => {
      rounds++;
      await new Promise((r) => setTimeout(r, 500));
    });
    p.start();
    await vi.advanceTimersByTimeAsync(100);
    p.stop();
    p.start();
    await vi.advanceTimersByTimeAsync(100);
    // One round from the first start, one from the restart; the first does not loop on.
    expect(rounds).toBe(2);
    await vi.advanceTimersByTimeAsync(1450);
    expect(rounds).toBe(3);
    p.stop();
  });

  it('keeps polling after a failed round and reports the error', async () => {
    const errors: unknown[] = [];
    let rounds = 0;
    const p = new Poller(
      1000,
      async () => {
        rounds++;
        if (rounds === 1) throw new Error('ssh down');
      },
      (e) => errors.push(e),
    );
    p.start();
    await vi.advanceTimersByTimeAsync(1000);
    expect(rounds).toBe(2);
    expect(errors).toHaveLength(1);
    p.stop();
  });

  it('start while running is a no-op', async () => {
    let rounds = 0;
    const p = new Poller(1000, async () => void rounds++);
    p.start();
    p.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(rounds).toBe(1);
    p.stop();
  });
});
