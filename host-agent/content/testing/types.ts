// What `sandlot content test` reports: per run of a content's solution, what happened in
// each phase and to each task. Plain data (the CLI prints it, `--json` writes it, the VS
// Code Test Explorer maps it to test items).
import type { Solution } from '../solution';

/** One run of one solution of one content on a fresh playground. */
export interface TestCase {
  /** `linux-basics`, `linux-basics .solution-02.sh`: the content, and the solution when it has several. */
  label: string;
  /** Content folder name. */
  content: string;
  dir: string;
  title: string;
  solution: Solution;
  /** 1-based, up to `--repeat`. */
  run: number;
  repeat: number;
  /** Regular tasks in their order, with their timeouts: what must complete. */
  tasks: { name: string; timeoutSeconds: number; input: boolean; machine?: string }[];
  /** Machine for steps that name none. */
  defaultMachine?: string;
}

export type Phase = 'start' | 'init' | 'starter' | 'solution' | 'checks';

export type TaskVerdict = 'passed' | 'failed' | 'starter-defect' | 'not-run';

export interface TaskResult {
  name: string;
  verdict: TaskVerdict;
  /** From the start of the solution to the task's completion. */
  ms?: number;
  /** Why it failed, one line. */
  message?: string;
  /** The failing check's last output (stdout, stderr, hint), tail. */
  output?: string;
}

export interface CaseResult {
  label: string;
  content: string;
  dir: string;
  solution: string;
  run: number;
  passed: boolean;
  /** The first phase that failed. */
  failedPhase?: Phase;
  /** One line: what went wrong first. */
  message?: string;
  /** The solution's output (tail) when one of its steps failed or a task did not complete. */
  solutionOutput?: string;
  playground?: string;
  durationMs: number;
  /** Wall time per phase. */
  phases: Partial<Record<Phase, number>>;
  tasks: TaskResult[];
}

export interface FlakyTask {
  label: string;
  task: string;
  passedRuns: number[];
  failedRuns: number[];
}

export interface SuiteResult {
  passed: boolean;
  wallMs: number;
  jobs: number;
  results: CaseResult[];
  flaky: FlakyTask[];
  /** Content that could not be tested at all (problems, no solution). */
  untestable: { content: string; dir: string; problems: string[] }[];
}

/** Progress while the suite runs. */
export type TestEvent =
  | { type: 'phase'; label: string; run: number; phase: Phase | 'destroy'; detail?: string }
  | { type: 'pending'; label: string; run: number; phase: Phase; waiting: string[]; elapsedMs: number }
  | { type: 'task'; label: string; run: number; task: TaskResult }
  | { type: 'case'; result: CaseResult }
  | { type: 'note'; message: string };
