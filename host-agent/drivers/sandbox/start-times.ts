// Where a sandbox start spends its time: each step's offset and duration, written as one
// line to the agent's log when the start ends (bench/sandbox-start-steps.ts reads it back).
// Steps overlap when they run concurrently, so they are listed by their start, not summed.

export interface StepTime {
  label: string;
  /** Milliseconds after the start began. */
  at: number;
  ms: number;
}

export class StartTimes {
  private readonly t0 = performance.now();
  private readonly steps: StepTime[] = [];

  /** Runs `fn` as the step `label`; a step that fails is recorded too (the line says how far a start got). */
  async time<T>(label: string, fn: () => Promise<T> | T): Promise<T> {
    const start = performance.now();
    try {
      return await fn();
    } finally {
      this.record(label, start);
    }
  }

  /** A step that began at `start` (a performance.now() value) and ends now. */
  record(label: string, start: number): void {
    this.steps.push({ label, at: start - this.t0, ms: performance.now() - start });
  }

  /** Milliseconds since the start began. */
  elapsed(): number {
    return performance.now() - this.t0;
  }

  /** `sandbox start <id> in 93 ms: hub @0+12, uplink @12+30, …` (offset+duration in ms). */
  line(id: string): string {
    const steps = [...this.steps].sort((a, b) => a.at - b.at).map((s) => `${s.label} @${Math.round(s.at)}+${Math.round(s.ms)}`);
    return `sandbox start ${id} in ${Math.round(this.elapsed())} ms: ${steps.join(', ')}`;
  }
}

/** The steps of `line()`'s text, for readers of the agent's log (the bench). */
export function parseStartTimes(line: string): { id: string; total: number; steps: StepTime[] } | undefined {
  const m = /sandbox start (\S+) in (\d+) ms: (.*)$/.exec(line);
  if (!m) return undefined;
  const steps = m[3]
    .split(', ')
    .map((part) => /^(.+) @(\d+)\+(\d+)$/.exec(part))
    .filter((s): s is RegExpExecArray => !!s)
    .map((s) => ({ label: s[1], at: Number(s[2]), ms: Number(s[3]) }));
  return { id: m[1], total: Number(m[2]), steps };
}
