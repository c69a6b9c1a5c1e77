// The lag monitor against a loop that really stalls: a busy wait on this thread.
import { afterEach, describe, expect, it } from 'vitest';
import { EventLoopLagMonitor, formatEventLoopLag } from '../../../../host-agent/util/event-loop-lag';

let monitor: EventLoopLagMonitor | undefined;
afterEach(() => monitor?.dispose());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('EventLoopLagMonitor', () => {
  it('reports a stall as lag and an idle loop as almost none', async () => {
    monitor = new EventLoopLagMonitor();
    await sleep(300);
    const idle = monitor.snapshot().recent;
    expect(idle.p50Ms).toBeLessThan(5);
    const t0 = Date.now();
    while (Date.now() - t0 < 120); // the event loop is blocked for 120 ms
    await sleep(100);
    const { recent, sinceStart } = monitor.snapshot();
    expect(recent.maxMs).toBeGreaterThanOrEqual(100);
    expect(recent.maxMs).toBeLessThan(400);
    // Two histograms saw the same stall; they may round its length 0.1 ms apart.
    expect(Math.abs(sinceStart.maxMs - recent.maxMs)).toBeLessThan(1);
    expect(formatEventLoopLag(recent)).toMatch(/^p50 [\d.]+ ms, p99 [\d.]+ ms, max [\d.]+ ms \(last \d+ s\)$/);
  });

  it('keeps the last full window apart from the current one', async () => {
    monitor = new EventLoopLagMonitor(200);
    await sleep(50); // the histogram's first interval starts at its first tick
    const t0 = Date.now();
    while (Date.now() - t0 < 80);
    await sleep(420); // two rotations: the stall is no longer in the last window
    expect(monitor.snapshot().recent.maxMs).toBeLessThan(60);
    expect(monitor.snapshot().sinceStart.maxMs).toBeGreaterThanOrEqual(60);
  });
});
