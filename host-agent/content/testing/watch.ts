// A playground followed through its event stream: the latest record and task states, and
// waiting until they satisfy something. One stream per tested playground; every wait of
// the test reads from it, so nothing polls the agent.
import type { AgentClient } from '../../api/client';
import type { PlaygroundEvent, PlaygroundRecord, TaskRecord } from '../../api/protocol';

export class WatchError extends Error {}
/** The wait ran out of time (the stream is fine). */
export class WatchTimeout extends WatchError {}

export class PlaygroundWatch {
  record: PlaygroundRecord | undefined;
  tasks: Record<string, TaskRecord> = {};
  /** Wall time (ms since epoch) each task was first seen `completed`. */
  readonly completedAt = new Map<string, number>();
  private readonly listeners = new Set<() => void>();
  private stop: (() => void) | undefined;
  private closed: string | undefined;

  private constructor(readonly id: string) {}

  static async follow(client: AgentClient, id: string): Promise<PlaygroundWatch> {
    const w = new PlaygroundWatch(id);
    const sub = client.follow(
      id,
      (e) => w.apply(e),
      (code, reason) => {
        w.closed = `the event stream of ${id} closed (${code}${reason ? `: ${reason}` : ''})`;
        w.changed();
      },
    );
    w.stop = () => sub.close();
    await sub.opened;
    return w;
  }

  close(): void {
    this.stop?.();
    this.stop = undefined;
  }

  private apply(e: PlaygroundEvent): void {
    if (e.type === 'snapshot') {
      this.record = e.playground;
      this.tasks = { ...(e.playground.tasks ?? {}) };
    } else if (e.type === 'task') {
      this.tasks[e.task.name] = e.task;
      if (this.record) this.record.tasks = this.tasks;
    } else if (e.type === 'content' && this.record?.content) {
      this.record.content = { ...this.record.content, state: e.state, ...(e.message ? { error: e.message } : {}) };
    } else if (e.type === 'playground' && this.record) {
      this.record.state = e.state;
      if (e.message) this.record.error = e.message;
    } else if (e.type === 'machine' && this.record) {
      const m = this.record.machines.find((x) => x.name === e.machine);
      if (m) m.state = e.state;
    } else return;
    const now = Date.now();
    for (const t of Object.values(this.tasks)) if (t.status === 'completed' && !this.completedAt.has(t.name)) this.completedAt.set(t.name, now);
    this.changed();
  }

  private changed(): void {
    for (const l of [...this.listeners]) l();
  }

  /**
   * Resolves with `check`'s value once it returns something other than undefined; rejects
   * after `ms` with `timeout()`'s message, when the stream closes, or when `signal` aborts.
   * `onTick` runs every `tickMs` while waiting (progress lines).
   */
  until<T>(
    check: () => T | undefined,
    ms: number,
    timeout: () => string,
    opts: { onTick?: (elapsedMs: number) => void; tickMs?: number; signal?: AbortSignal } = {},
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const started = Date.now();
      const onAbort = () => finish(() => reject(new WatchError('stopped')));
      const finish = (fn: () => void) => {
        clearTimeout(timer);
        clearInterval(ticker);
        opts.signal?.removeEventListener('abort', onAbort);
        this.listeners.delete(probe);
        fn();
      };
      const probe = () => {
        let value: T | undefined;
        try {
          value = check();
        } catch (err) {
          return finish(() => reject(err instanceof Error ? err : new Error(String(err))));
        }
        if (value !== undefined) return finish(() => resolve(value));
        if (this.closed) finish(() => reject(new WatchError(this.closed)));
      };
      const timer = setTimeout(() => finish(() => reject(new WatchTimeout(timeout()))), ms);
      const ticker = setInterval(() => opts.onTick?.(Date.now() - started), opts.tickMs ?? 5000);
      if (opts.signal?.aborted) return onAbort();
      opts.signal?.addEventListener('abort', onAbort);
      this.listeners.add(probe);
      probe();
    });
  }
}
