// What the Test Explorer shows for one content folder after `sandlot content test --json`:
// per task the worst verdict over the runs (with the failing check's output), and whether
// the folder passed, with the first thing that went wrong. Pure (no vscode).
import type { CaseResult, TaskVerdict } from '../../host-agent/content/testing/types';

export interface TaskVerdictView {
  verdict: TaskVerdict;
  ms?: number;
  message?: string;
}

/** The verdicts of one content folder's test runs, per task. */
export function verdicts(results: CaseResult[]): { passed: boolean; message?: string; tasks: Map<string, TaskVerdictView> } {
  const tasks = new Map<string, TaskVerdictView>();
  for (const r of results) {
    for (const t of r.tasks) {
      const previous = tasks.get(t.name);
      // Over several runs the worst verdict stands.
      if (previous && previous.verdict !== 'passed') continue;
      const message = [t.message, t.output].filter(Boolean).join('\n');
      tasks.set(t.name, { verdict: t.verdict, ...(t.ms !== undefined ? { ms: t.ms } : {}), ...(message ? { message } : {}) });
    }
  }
  const failed = results.find((r) => !r.passed);
  const message = failed
    ? [`${failed.label} run ${failed.run}: ${failed.message ?? `failed in ${failed.failedPhase ?? 'a phase'}`}`, failed.solutionOutput]
        .filter(Boolean)
        .join('\n')
    : undefined;
  return { passed: !failed && results.length > 0, ...(message ? { message } : {}), tasks };
}
