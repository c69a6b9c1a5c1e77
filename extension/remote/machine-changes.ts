// Tells the agent that something in a machine changed (a command finished in its
// terminal, a file was saved through sandlot://), so the playground's pending checks run
// now instead of at the next tick of the agent's check loop. Per machine at most one
// request is in flight; changes meanwhile are folded into one more request after it (the
// agent checks every pending task on each, so one is as good as many). Pure: no vscode.
import type { MachineRef } from './uri';

export type ChangeReason = 'terminal' | 'file';

export interface MachineChangesOptions {
  /** Whether the playground runs content whose checks are waiting (no request otherwise). */
  checking(playground: string): boolean;
  send(ref: MachineRef, reason: ChangeReason): Promise<void>;
  onError?(ref: MachineRef, err: unknown): void;
}

export class MachineChanges {
  private readonly inFlight = new Map<string, { again?: ChangeReason }>();

  constructor(private readonly o: MachineChangesOptions) {}

  notify(ref: MachineRef, reason: ChangeReason): void {
    if (!this.o.checking(ref.playground)) return;
    const key = `${ref.playground}/${ref.machine}`;
    const busy = this.inFlight.get(key);
    if (busy) {
      busy.again = reason;
      return;
    }
    const state: { again?: ChangeReason } = {};
    this.inFlight.set(key, state);
    void this.run(ref, key, reason, state);
  }

  private async run(ref: MachineRef, key: string, reason: ChangeReason, state: { again?: ChangeReason }): Promise<void> {
    let next: ChangeReason | undefined = reason;
    while (next) {
      state.again = undefined;
      try {
        await this.o.send(ref, next);
      } catch (err) {
        this.o.onError?.(ref, err);
      }
      next = state.again;
    }
    this.inFlight.delete(key);
  }
}
