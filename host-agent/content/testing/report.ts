// How a content test run is shown: progress lines while it runs, a summary table at the
// end, and a JUnit XML report (one test case per task per run) for CI systems.
import type { CaseResult, Phase, SuiteResult, TaskResult, TestEvent } from './types';

export function fmtSeconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.round(ms / 1000)}s`;
}

const PHASE_TEXT: Record<Phase | 'destroy', string> = {
  start: 'starting a playground',
  init: 'init tasks',
  starter: 'starter check (no task may pass yet)',
  solution: 'applying the solution',
  checks: 'waiting for every task',
  destroy: 'destroying',
};

/** One progress line per event (undefined: nothing worth a line). */
export function progressLine(e: TestEvent): string | undefined {
  switch (e.type) {
    case 'phase':
      return `[${e.label} #${e.run}] ${e.phase === 'solution' && e.detail ? 'applying' : PHASE_TEXT[e.phase]}${e.detail ? `: ${e.detail}` : ''}`;
    case 'pending':
      return `[${e.label} #${e.run}] ${e.phase}: still waiting for ${e.waiting.join(', ') || '…'} (${fmtSeconds(e.elapsedMs)})`;
    case 'task':
      return e.task.verdict === 'passed' ? undefined : `[${e.label} #${e.run}] ✗ ${e.task.name}: ${e.task.message ?? e.task.verdict}`;
    case 'case':
      return `[${e.result.label} #${e.result.run}] ${e.result.passed ? 'PASS' : 'FAIL'} in ${fmtSeconds(e.result.durationMs)}${e.result.message ? `: ${e.result.message}` : ''}`;
    case 'note':
      return e.message;
  }
}

function pad(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd(),
  );
}

const MARK: Record<TaskResult['verdict'], string> = { passed: '✓', failed: '✗', 'starter-defect': '!', 'not-run': '-' };

/** The table printed at the end: each run with its phase times, then each task's time per run. */
export function summaryLines(s: SuiteResult): string[] {
  const lines: string[] = [];
  if (s.results.length > 0) {
    const phase = (r: CaseResult, p: Phase) => (r.phases[p] === undefined ? '-' : fmtSeconds(r.phases[p]));
    lines.push(
      ...pad([
        ['CONTENT', 'RUN', 'RESULT', 'TIME', 'START', 'INIT', 'STARTER', 'SOLUTION', 'CHECKS', 'PLAYGROUND'],
        ...s.results.map((r) => [
          r.label,
          String(r.run),
          r.passed ? 'pass' : `FAIL (${r.failedPhase ?? 'checks'})`,
          fmtSeconds(r.durationMs),
          phase(r, 'start'),
          phase(r, 'init'),
          phase(r, 'starter'),
          phase(r, 'solution'),
          phase(r, 'checks'),
          r.playground ?? '-',
        ]),
      ]),
    );
    lines.push('');
    // Per task: its time after the solution started, in each run.
    const labels = [...new Set(s.results.map((r) => r.label))];
    for (const label of labels) {
      const runs = s.results.filter((r) => r.label === label);
      const tasks = [...new Set(runs.flatMap((r) => r.tasks.map((t) => t.name)))];
      if (tasks.length === 0) continue;
      lines.push(
        ...pad([
          [`${label}: TASK`, ...runs.map((r) => `RUN ${r.run}`)],
          ...tasks.map((name) => [
            `  ${name}`,
            ...runs.map((r) => {
              const t = r.tasks.find((x) => x.name === name);
              if (!t) return '-';
              return `${MARK[t.verdict]} ${t.ms !== undefined ? fmtSeconds(t.ms) : t.verdict === 'passed' ? '' : t.verdict}`.trim();
            }),
          ]),
        ]),
      );
    }
  }
  const failures = s.results.filter((r) => !r.passed);
  if (failures.length > 0) {
    lines.push('', 'Failures:');
    for (const r of failures) {
      lines.push(`  ${r.label} run ${r.run}${r.playground ? ` (${r.playground})` : ''}: ${r.message ?? 'failed'}`);
      for (const t of r.tasks.filter((x) => x.verdict === 'failed' || x.verdict === 'starter-defect')) {
        lines.push(`    ${MARK[t.verdict]} ${t.name}: ${t.message ?? t.verdict}`);
        for (const l of (t.output ?? '').split('\n').filter(Boolean).slice(-6)) lines.push(`        ${l}`);
      }
      if (r.solutionOutput && (r.failedPhase === 'solution' || r.tasks.some((t) => t.verdict === 'failed'))) {
        lines.push('    solution output (last lines):');
        for (const l of r.solutionOutput.split('\n').filter(Boolean).slice(-12)) lines.push(`        ${l}`);
      }
    }
  }
  for (const u of s.untestable) {
    lines.push('', `Not tested: ${u.content} (${u.dir})`);
    for (const p of u.problems) lines.push(`  ${p}`);
  }
  if (s.flaky.length > 0) {
    lines.push('', 'Flaky (passed in one run, failed in another):');
    for (const f of s.flaky) lines.push(`  ${f.label}: ${f.task} — passed in run ${f.passedRuns.join(', ')}, failed in run ${f.failedRuns.join(', ')}`);
  }
  const passed = s.results.filter((r) => r.passed).length;
  lines.push(
    '',
    `${passed} of ${s.results.length} run(s) passed${s.untestable.length ? `, ${s.untestable.length} content not tested` : ''}${s.flaky.length ? `, ${s.flaky.length} flaky task(s)` : ''} in ${fmtSeconds(s.wallMs)} (${s.jobs} job${s.jobs === 1 ? '' : 's'})`,
  );
  return lines;
}

function xml(text: string): string {
  // XML 1.0 allows no control characters but tab, newline and carriage return.
  const allowed = [...text].filter((c) => c >= ' ' || c === '\t' || c === '\n' || c === '\r').join('');
  return allowed.replace(/[<>&"']/g, (c) => `&${{ '<': 'lt', '>': 'gt', '&': 'amp', '"': 'quot', "'": 'apos' }[c]};`);
}

/** JUnit XML: one suite per content (and solution), one test case per task per run, plus the run's setup. */
export function junitXml(s: SuiteResult): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites name="sandlot content test" time="${(s.wallMs / 1000).toFixed(3)}">`];
  const labels = [...new Set(s.results.map((r) => r.label))];
  for (const label of labels) {
    const runs = s.results.filter((r) => r.label === label);
    const cases: string[] = [];
    let failures = 0;
    let skipped = 0;
    for (const r of runs) {
      const setupFailed = r.failedPhase === 'start' || r.failedPhase === 'init' || r.failedPhase === 'solution';
      const setupTime = ((r.phases.start ?? 0) + (r.phases.init ?? 0) + (r.phases.solution ?? 0)) / 1000;
      cases.push(`    <testcase classname="${xml(label)}" name="${xml(`(setup and solution) run ${r.run}`)}" time="${setupTime.toFixed(3)}">`);
      if (setupFailed) {
        failures++;
        cases.push(`      <failure message="${xml(r.message ?? 'failed')}">${xml(r.solutionOutput ?? r.message ?? '')}</failure>`);
      }
      cases.push('    </testcase>');
      for (const t of r.tasks) {
        cases.push(`    <testcase classname="${xml(label)}" name="${xml(`${t.name} run ${r.run}`)}" time="${((t.ms ?? 0) / 1000).toFixed(3)}">`);
        if (t.verdict === 'failed' || t.verdict === 'starter-defect') {
          failures++;
          const message = t.verdict === 'starter-defect' ? `starter defect: ${t.message ?? ''}` : (t.message ?? 'failed');
          cases.push(`      <failure message="${xml(message)}">${xml(t.output ?? '')}</failure>`);
        } else if (t.verdict === 'not-run') {
          skipped++;
          cases.push(`      <skipped message="${xml(t.message ?? 'not run')}"/>`);
        }
        cases.push('    </testcase>');
      }
    }
    const time = runs.reduce((a, r) => a + r.durationMs, 0) / 1000;
    const tests = runs.reduce((a, r) => a + r.tasks.length + 1, 0);
    out.push(
      `  <testsuite name="${xml(label)}" tests="${tests}" failures="${failures}" errors="0" skipped="${skipped}" time="${time.toFixed(3)}">`,
      ...cases,
      '  </testsuite>',
    );
  }
  for (const u of s.untestable) {
    out.push(
      `  <testsuite name="${xml(u.content)}" tests="1" failures="0" errors="1" skipped="0" time="0">`,
      `    <testcase classname="${xml(u.content)}" name="(content)" time="0">`,
      `      <error message="${xml(u.problems[0] ?? 'not testable')}">${xml(u.problems.join('\n'))}</error>`,
      '    </testcase>',
      '  </testsuite>',
    );
  }
  out.push('</testsuites>', '');
  return out.join('\n');
}
