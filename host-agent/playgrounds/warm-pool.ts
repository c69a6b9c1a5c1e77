// The warm pool: playgrounds of chosen templates started ahead of demand, so a create of
// such a template is answered by handing one out (manager.ts makes it the caller's
// playground, with the identity it was made with). This module is the bookkeeping only: how many of each template are wanted,
// ready and being made, the memory budget (a member costs its machines' ramSize), one
// member made at a time in the background, a pause after a failure, and emptying the
// pool when the agent stops. Making, destroying and handing out are the manager's.
import type { DriverName, WarmPoolInfo } from '../api/protocol';
import { errorMessage } from '../util/errors';

export interface PoolTemplate {
  template: string;
  driver: DriverName;
  /** How many ready members are wanted. */
  count: number;
  /** What one member holds: its machines' ramSize, summed. */
  costBytes: number;
}

/** What the pool asks of the agent. */
export interface PoolHost {
  /** Makes a member of the template; resolves with its id once it runs, rejects (leaving nothing) when it cannot. */
  make(template: string): Promise<string>;
  destroy(id: string): Promise<void>;
}

export interface WarmPoolOptions {
  templates: PoolTemplate[];
  budgetBytes: number;
  host: PoolHost;
  log: (level: 'info' | 'warn' | 'error', message: string) => void;
  /** First pause after a failed make; doubles per failure in a row, up to five minutes. */
  retryMs?: number;
  /**
   * How long after a hand-out the refill starts (default 2 s): making a machine takes the
   * host's CPU for a few seconds, which the playground just handed out should not have
   * to share while its user connects.
   */
  refillDelayMs?: number;
}

interface Slot {
  spec: PoolTemplate;
  ready: string[];
  filling: number;
  failures: number;
  retryAt: number;
  lastError?: string;
}

const MAX_RETRY_MS = 5 * 60_000;

export class WarmPool {
  private readonly slots = new Map<string, Slot>();
  private running: Promise<void> | undefined;
  private again = false;
  private closed = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private refillTimer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: WarmPoolOptions) {
    for (const t of opts.templates) this.slots.set(t.template, { spec: t, ready: [], filling: 0, failures: 0, retryAt: 0 });
  }

  /** Whether the pool keeps playgrounds of this template on this driver. */
  serves(template: string, driver: DriverName): boolean {
    const s = this.slots.get(template);
    return s !== undefined && s.spec.driver === driver && s.spec.count > 0;
  }

  /** Starts (or continues) filling in the background. */
  fill(): void {
    if (this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.fillLoop().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.fill();
      } else this.retryWhenPaused();
    });
  }

  /** A ready member of the template, taken out of the pool (a refill starts), or undefined. */
  take(template: string): string | undefined {
    const s = this.slots.get(template);
    const id = s?.ready.shift();
    if (id !== undefined && !this.refillTimer) {
      this.refillTimer = setTimeout(() => {
        this.refillTimer = undefined;
        this.fill();
      }, this.opts.refillDelayMs ?? 2000);
      this.refillTimer.unref();
    }
    return id;
  }

  info(): WarmPoolInfo {
    return {
      budgetBytes: this.opts.budgetBytes,
      heldBytes: this.held(),
      templates: [...this.slots.values()].map((s) => ({
        template: s.spec.template,
        driver: s.spec.driver,
        wanted: s.spec.count,
        ready: s.ready.length,
        filling: s.filling,
        costBytes: s.spec.costBytes,
        ...(s.lastError ? { lastError: s.lastError } : {}),
      })),
    };
  }

  /** Stops filling, waits for a member being made, and destroys every member. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.refillTimer) clearTimeout(this.refillTimer);
    await this.running;
    const ids = [...this.slots.values()].flatMap((s) => s.ready.splice(0));
    await Promise.all(ids.map((id) => this.destroy(id)));
  }

  private held(): number {
    return [...this.slots.values()].reduce((sum, s) => sum + (s.ready.length + s.filling) * s.spec.costBytes, 0);
  }

  /** The template to make a member of next: the one furthest below its count that fits the budget and is not pausing. */
  private next(): Slot | undefined {
    const room = this.opts.budgetBytes - this.held();
    const now = Date.now();
    const candidates = [...this.slots.values()].filter((s) => s.ready.length + s.filling < s.spec.count && s.spec.costBytes <= room && s.retryAt <= now);
    candidates.sort((a, b) => (a.ready.length + a.filling) / a.spec.count - (b.ready.length + b.filling) / b.spec.count);
    return candidates[0];
  }

  private async fillLoop(): Promise<void> {
    for (let s = this.next(); s && !this.closed; s = this.next()) {
      s.filling++;
      let id: string | undefined;
      try {
        id = await this.opts.host.make(s.spec.template);
        s.failures = 0;
        s.lastError = undefined;
      } catch (err) {
        s.failures++;
        s.lastError = errorMessage(err);
        const pause = Math.min((this.opts.retryMs ?? 10_000) * 2 ** (s.failures - 1), MAX_RETRY_MS);
        s.retryAt = Date.now() + pause;
        this.opts.log('warn', `warm pool: a ${s.spec.template} playground could not be made (trying again in ${Math.round(pause / 1000)} s): ${s.lastError}`);
      } finally {
        s.filling--;
      }
      if (id === undefined) continue;
      if (this.closed) await this.destroy(id);
      else s.ready.push(id);
    }
  }

  /**
   * Templates pausing after a failure are tried again when the first pause ends. Derived
   * from the slots every time the loop stops, so a timer that fires a moment early (timers
   * and Date.now() round differently) is simply set again for the rest of the pause.
   */
  private retryWhenPaused(): void {
    if (this.closed) return;
    const now = Date.now();
    const waits = [...this.slots.values()].filter((s) => s.ready.length + s.filling < s.spec.count && s.retryAt > now).map((s) => s.retryAt - now);
    if (waits.length > 0) this.retryLater(Math.min(...waits));
  }

  private retryLater(ms: number): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.fill(), ms);
    this.retryTimer.unref();
  }

  private async destroy(id: string): Promise<void> {
    await this.opts.host.destroy(id).catch((err: unknown) => this.opts.log('error', `warm pool: destroying ${id}: ${errorMessage(err)}`));
  }
}
