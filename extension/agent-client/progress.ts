// Turns the agent's playground event stream into what a progress notification shows:
// a message per step and a monotonic fraction. Pure, so it is unit-tested.
import type { PlaygroundEvent, PlaygroundRecord, MachineState } from '../../host-agent/api/protocol';

export interface ProgressUpdate {
  /** Shown next to the title, e.g. "dev: starting machine". */
  message?: string;
  /** Percentage points to add (VS Code's progress API takes increments). */
  increment?: number;
}

export type ProvisionOutcome = { kind: 'running'; playground?: PlaygroundRecord } | { kind: 'failed'; message: string };

/** How far along a machine is, per state; running is the end of its share. */
const MACHINE_WEIGHT: Record<MachineState, number> = {
  creating: 0.2,
  starting: 0.6,
  running: 1,
  stopping: 0,
  stopped: 0,
  failed: 0,
  lost: 0,
};

/** Steps the agent reports, worded for people. Unknown steps show their own name. */
const STEP_LABELS: Record<string, string> = {
  image: 'preparing the image',
  registry: 'starting the registry',
  network: 'creating the network',
  machine: 'creating the machine',
  keys: 'making SSH keys',
  ssh: 'waiting for SSH',
  init: 'running init tasks',
  startupFiles: 'writing startup files',
};

export function stepLabel(step: string): string {
  return STEP_LABELS[step] ?? step.replace(/[-_]/g, ' ');
}

export class ProvisionProgress {
  private readonly machines = new Map<string, number>();
  private machineCount = 1;
  private stepsDone = 0;
  private reported = 0;
  private outcome: ProvisionOutcome | undefined;

  constructor(machineNames: string[] = []) {
    for (const m of machineNames) this.machines.set(m, 0);
    this.machineCount = Math.max(1, machineNames.length);
  }

  get done(): ProvisionOutcome | undefined {
    return this.outcome;
  }

  /** Feeds one event; returns what the notification should show, if anything. */
  next(ev: PlaygroundEvent): ProgressUpdate | undefined {
    if (this.outcome) return undefined;
    switch (ev.type) {
      case 'snapshot': {
        for (const m of ev.playground.machines) this.machines.set(m.name, MACHINE_WEIGHT[m.state]);
        this.machineCount = Math.max(1, ev.playground.machines.length);
        if (ev.playground.state === 'running') this.outcome = { kind: 'running', playground: ev.playground };
        else if (ev.playground.state === 'failed') this.outcome = { kind: 'failed', message: ev.playground.error ?? 'the playground failed' };
        return this.report(undefined);
      }
      case 'step': {
        const who = ev.machine ? `${ev.machine}: ` : '';
        if (ev.status === 'done') this.stepsDone++;
        if (ev.status === 'failed') {
          return this.report(`${who}${stepLabel(ev.step)} failed${ev.message ? `: ${ev.message}` : ''}`);
        }
        const detail = ev.status === 'started' && ev.message ? `: ${ev.message}` : '';
        return this.report(`${who}${stepLabel(ev.step)}${ev.status === 'done' ? ' ✓' : `${detail}…`}`);
      }
      case 'machine': {
        this.machines.set(ev.machine, MACHINE_WEIGHT[ev.state]);
        if (ev.state === 'failed') return this.report(`${ev.machine}: failed${ev.message ? `: ${ev.message}` : ''}`);
        return this.report(`${ev.machine}: ${ev.state}`);
      }
      case 'playground': {
        if (ev.state === 'running') {
          this.outcome = { kind: 'running' };
          return this.report('ready', 1);
        }
        if (ev.state === 'failed' || ev.state === 'destroyed' || ev.state === 'destroying') {
          this.outcome = { kind: 'failed', message: ev.message ?? `the playground is ${ev.state}` };
          return undefined;
        }
        return this.report(ev.message ?? ev.state);
      }
      case 'error':
        this.outcome = { kind: 'failed', message: ev.message };
        return undefined;
      case 'log':
        return ev.level === 'info' ? undefined : this.report(`${ev.machine ? `${ev.machine}: ` : ''}${ev.message}`);
      case 'task':
      case 'content':
        return undefined;
    }
  }

  /** The stream closed before the playground ran. */
  closed(reason: string): ProvisionOutcome {
    this.outcome ??= { kind: 'failed', message: reason };
    return this.outcome;
  }

  /**
   * Machines carry 90% of the bar, finished steps creep the rest (we never know how many
   * steps a driver has); the bar never goes backwards.
   */
  private report(message: string | undefined, force?: number): ProgressUpdate | undefined {
    let machineShare = 0;
    for (const w of this.machines.values()) machineShare += w;
    const steps = 1 - Math.pow(0.8, this.stepsDone);
    const fraction = force ?? Math.min(0.99, (0.9 * machineShare) / this.machineCount + 0.1 * steps);
    const increment = Math.max(0, Math.round((fraction - this.reported) * 100));
    this.reported += increment / 100;
    if (!message && increment === 0) return undefined;
    return { ...(message ? { message } : {}), ...(increment > 0 ? { increment } : {}) };
  }
}
