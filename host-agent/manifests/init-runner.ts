// Runs a playground manifest's init tasks once its machines are up, through the task
// engine tutorials use (tasks/engine.ts): along `needs`, independent ones in parallel,
// each as its user on its machine within its timeout. Each task is a progress step
// (`init task <name>` started/done/failed on its machine); the first failure rejects with
// the engine's InitTaskFailedError: the task's name, how it ended and the tail of its
// output. The playground is left as it is, so it can be inspected.
import type { TaskRecord } from '../api/protocol';
import type { TaskSpec } from '../content/model';
import type { ProgressFn } from '../drivers/protocol';
import { TaskEngine } from '../tasks/engine';
import type { ScriptRunner } from '../tasks/runner';
import type { PlannedInitTask } from './init';

export function initTaskSpecs(plan: readonly PlannedInitTask[]): Record<string, TaskSpec> {
  return Object.fromEntries(
    plan.map((t) => [
      t.name,
      { name: t.name, kind: 'init', machine: t.machine, user: t.user, run: t.run, needs: t.needs, env: t.env, timeoutSeconds: t.timeoutSeconds },
    ]),
  );
}

export const initStepName = (task: string): string => `init task ${task}`;

export async function runInitTasks(opts: {
  plan: readonly PlannedInitTask[];
  runner: ScriptRunner;
  progress: ProgressFn;
  /** Every change of a task (for the record and events), as the engine reports it. */
  onTask?: (record: TaskRecord) => void;
}): Promise<void> {
  if (opts.plan.length === 0) return;
  const reported = new Map<string, TaskRecord['status']>();
  const engine = new TaskEngine({
    tasks: initTaskSpecs(opts.plan),
    defaultMachine: opts.plan[0].machine,
    runner: opts.runner,
    onTask: (task) => {
      opts.onTask?.(task);
      if (reported.get(task.name) === task.status) return;
      reported.set(task.name, task.status);
      const step = initStepName(task.name);
      if (task.status === 'running') opts.progress(step, 'started', task.machine);
      if (task.status === 'completed') opts.progress(step, 'done', task.machine);
      if (task.status === 'failed')
        opts.progress(step, 'failed', task.machine, task.error ?? (task.exitCode === null ? 'killed' : `exit code ${task.exitCode}`));
    },
  });
  try {
    await engine.start();
  } finally {
    await engine.stop();
  }
}
