// Ordering of tasks by `needs`. Content validation already refused cycles and unknown
// names; these functions still guard against them so a bad record cannot hang the engine.
import type { TaskStatus } from '../api/protocol';
import type { TaskSpec } from '../content/model';

/** Names in `task.needs` whose task has not completed. */
export function unmetNeeds(task: Pick<TaskSpec, 'needs'>, status: (name: string) => TaskStatus | undefined): string[] {
  return task.needs.filter((n) => status(n) !== 'completed');
}

/**
 * Tasks grouped into waves: every task's needs are in earlier waves, so each wave can
 * run in parallel. Throws on a cycle or an unknown need.
 */
export function waves(tasks: Pick<TaskSpec, 'name' | 'needs'>[]): string[][] {
  const byName = new Map(tasks.map((t) => [t.name, t]));
  const done = new Set<string>();
  const out: string[][] = [];
  let left = tasks.map((t) => t.name);
  while (left.length > 0) {
    const wave = left.filter((n) =>
      byName.get(n)!.needs.every((d) => {
        if (!byName.has(d)) throw new Error(`task "${n}" needs unknown task "${d}"`);
        return done.has(d);
      }),
    );
    if (wave.length === 0) throw new Error(`tasks ${left.join(', ')} need each other in a cycle`);
    wave.forEach((n) => done.add(n));
    out.push(wave);
    left = left.filter((n) => !done.has(n));
  }
  return out;
}
