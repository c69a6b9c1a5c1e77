// `sandlot content test` over several content folders: reads each (in the content reader
// worker, like the agent), plans one case per solution per run, runs up to `jobs` cases
// at once, and names the tasks that passed in one run and failed in another.
import * as os from 'node:os';
import type { AgentClient } from '../../api/client';
import type { DriverName } from '../../api/protocol';
import { formatProblem } from '../errors';
import type { ContentMeta } from '../model';
import type { ReadResult } from '../reader-protocol';
import { runCase } from './case';
import type { CaseResult, FlakyTask, SuiteResult, TestCase, TestEvent } from './types';

export interface SuiteOptions {
  client: AgentClient;
  repeat: number;
  jobs: number;
  driver?: DriverName;
  /** Per case; default 10 minutes. */
  timeoutMs?: number;
  emit: (e: TestEvent) => void;
  signal?: AbortSignal;
}

/** Rough cost of one test playground on the host (a machine, its checks, the SSH sessions). */
const BYTES_PER_JOB = 512 * 1024 * 1024;

/**
 * Playgrounds at once that this host can carry: two per processor (most of a case is
 * waiting) and one per 512 MiB of free memory, at least one.
 */
export function hostJobLimit(cpus = os.availableParallelism(), freeBytes = os.freemem()): number {
  return Math.max(1, Math.min(cpus * 2, Math.floor(freeBytes / BYTES_PER_JOB)));
}

/** The cases for content read with its solutions; content that cannot be tested says why. */
export function planCases(reads: ReadResult[], repeat: number): { cases: TestCase[]; untestable: SuiteResult['untestable'] } {
  const cases: TestCase[] = [];
  const untestable: SuiteResult['untestable'] = [];
  for (const r of reads) {
    const name = r.header?.name ?? r.dir;
    const problems = [...r.problems, ...(r.solutions?.problems ?? [])].map(formatProblem);
    if (r.header && !r.meta) problems.push(`${name} is a ${r.header.kind}: test the content it refers to (sandlot content show ${r.dir})`);
    if (problems.length > 0 || !r.meta) {
      untestable.push({ content: name, dir: r.dir, problems });
      continue;
    }
    const solutions = r.solutions?.solutions ?? [];
    if (solutions.length === 0) {
      untestable.push({ content: name, dir: r.dir, problems: [`no solution to apply (looked for ${(r.solutions?.lookedFor ?? []).join(', ')})`] });
      continue;
    }
    for (const solution of solutions) {
      for (let run = 1; run <= repeat; run++) {
        cases.push({
          label: solutions.length > 1 ? `${name} ${solution.name}` : name,
          content: name,
          dir: r.meta.dir,
          title: r.meta.title,
          solution,
          run,
          repeat,
          tasks: regularTasks(r.meta),
        });
      }
    }
  }
  return { cases, untestable };
}

function regularTasks(meta: ContentMeta): TestCase['tasks'] {
  return Object.values(meta.tasks)
    .filter((t) => t.kind === 'regular')
    .map((t) => ({ name: t.name, timeoutSeconds: t.timeoutSeconds ?? 60, input: t.input !== undefined, ...(t.machine ? { machine: t.machine } : {}) }));
}

/** Tasks (and phases) that passed in one run and failed in another, per content and solution. */
export function findFlaky(results: CaseResult[]): FlakyTask[] {
  const byLabel = new Map<string, CaseResult[]>();
  for (const r of results) byLabel.set(r.label, [...(byLabel.get(r.label) ?? []), r]);
  const out: FlakyTask[] = [];
  for (const [label, runs] of byLabel) {
    if (runs.length < 2) continue;
    const names = new Set(runs.flatMap((r) => r.tasks.map((t) => t.name)));
    for (const task of names) {
      const passedRuns: number[] = [];
      const failedRuns: number[] = [];
      for (const r of runs) {
        const t = r.tasks.find((x) => x.name === task);
        if (!t || t.verdict === 'not-run') continue;
        (t.verdict === 'passed' ? passedRuns : failedRuns).push(r.run);
      }
      if (passedRuns.length > 0 && failedRuns.length > 0) out.push({ label, task, passedRuns: passedRuns.sort(), failedRuns: failedRuns.sort() });
    }
    // A setup that works in one run and not in another is flaky too.
    const setupOk = runs.filter((r) => r.failedPhase !== 'start' && r.failedPhase !== 'init').map((r) => r.run);
    const setupBad = runs.filter((r) => r.failedPhase === 'start' || r.failedPhase === 'init').map((r) => r.run);
    if (setupOk.length > 0 && setupBad.length > 0) out.push({ label, task: '(playground and init tasks)', passedRuns: setupOk, failedRuns: setupBad });
  }
  return out;
}

/** Runs the cases, `jobs` at a time; resolves when every started case has destroyed its playground. */
export async function runSuite(cases: TestCase[], untestable: SuiteResult['untestable'], o: SuiteOptions): Promise<SuiteResult> {
  const started = Date.now();
  const results: CaseResult[] = [];
  let next = 0;
  const worker = async () => {
    while (next < cases.length && !o.signal?.aborted) {
      const tc = cases[next++];
      const result = await runCase(tc, {
        client: o.client,
        ...(o.driver ? { driver: o.driver } : {}),
        timeoutMs: o.timeoutMs ?? 10 * 60_000,
        emit: o.emit,
        ...(o.signal ? { signal: o.signal } : {}),
      });
      results.push(result);
      o.emit({ type: 'case', result });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(o.jobs, cases.length)) }, worker));
  const order = (r: CaseResult) => cases.findIndex((c) => c.label === r.label && c.run === r.run);
  results.sort((a, b) => order(a) - order(b));
  const flaky = findFlaky(results);
  return {
    passed: untestable.length === 0 && results.length === cases.length && results.every((r) => r.passed),
    wallMs: Date.now() - started,
    jobs: o.jobs,
    results,
    flaky,
    untestable,
  };
}
