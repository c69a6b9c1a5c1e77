// How late the agent's event loop runs: every SSH session, tunnel and API call of every
// playground is served from that one loop, so its lag is what a learner feels as typing
// delay. Measured with Node's own histogram (perf_hooks.monitorEventLoopDelay), reported
// for the last full minute and since the start, for `sandlot status`.
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { EventLoopLagFigures } from '../api/records';

/** Milliseconds (0.1 ms precision) over a window; the API's type, one shape for both ends. */
export type EventLoopLag = EventLoopLagFigures;

/** Sampling period: fine enough for a 10 ms goal, cheap enough to leave on (one timer). */
const RESOLUTION_MS = 10;
const WINDOW_MS = 60_000;

/** The histogram holds whole timer intervals (the resolution plus the delay): the lag is the excess. */
const lagMs = (ns: number) => Math.max(0, Math.round((ns / 1e6 - RESOLUTION_MS) * 10) / 10);

function figures(h: IntervalHistogram, since: number): EventLoopLag {
  const windowSeconds = Math.round((Date.now() - since) / 1000);
  if (h.count === 0) return { p50Ms: 0, p99Ms: 0, maxMs: 0, windowSeconds };
  return { p50Ms: lagMs(h.percentile(50)), p99Ms: lagMs(h.percentile(99)), maxMs: lagMs(h.max), windowSeconds };
}

export class EventLoopLagMonitor {
  private readonly total = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  private window = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  private readonly started = Date.now();
  private windowStarted = Date.now();
  private lastWindow: EventLoopLag | undefined;
  private readonly timer: NodeJS.Timeout;

  constructor(windowMs = WINDOW_MS) {
    this.total.enable();
    this.window.enable();
    this.timer = setInterval(() => this.rotate(), windowMs);
    this.timer.unref(); // never keeps the process alive
  }

  /** The last full window (or the current one in the first minute), and everything since the start. */
  snapshot(): { recent: EventLoopLag; sinceStart: EventLoopLag } {
    return { recent: this.lastWindow ?? figures(this.window, this.windowStarted), sinceStart: figures(this.total, this.started) };
  }

  dispose(): void {
    clearInterval(this.timer);
    this.total.disable();
    this.window.disable();
  }

  private rotate(): void {
    this.lastWindow = figures(this.window, this.windowStarted);
    this.window.disable();
    this.window = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
    this.window.enable();
    this.windowStarted = Date.now();
  }
}

/** `event loop lag: p50 0.1 ms, p99 1.2 ms, max 14 ms (last 60 s)` */
export function formatEventLoopLag(lag: EventLoopLag): string {
  return `p50 ${lag.p50Ms} ms, p99 ${lag.p99Ms} ms, max ${lag.maxMs} ms (last ${lag.windowSeconds} s)`;
}
