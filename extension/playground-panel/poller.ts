// Runs a probe over and over while something is looked at: started when the panel shows,
// stopped when it hides or closes, never two rounds at once (a slow round delays the next
// instead of piling up on a loaded machine).
export class Poller {
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Bumped by start/stop, so a round still running from before a stop does not reschedule. */
  private generation = 0;
  private active = false;

  constructor(
    private readonly intervalMs: number,
    private readonly round: () => Promise<void>,
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {}

  get running(): boolean {
    return this.active;
  }

  /** Starts polling now (the first round at once); no-op when already polling. */
  start(): void {
    if (this.active) return;
    this.active = true;
    const gen = ++this.generation;
    this.schedule(gen, 0);
  }

  stop(): void {
    this.active = false;
    this.generation++;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(gen: number, ms: number): void {
    this.timer = setTimeout(() => void this.run(gen), ms);
  }

  private async run(gen: number): Promise<void> {
    if (gen !== this.generation) return;
    try {
      await this.round();
    } catch (err) {
      this.onError(err);
    }
    if (gen === this.generation && this.active) this.schedule(gen, this.intervalMs);
  }
}
