import { describe, expect, it } from 'vitest';
import type { ContentMeta } from '../../../../../host-agent/content/model';
import type { ReadResult } from '../../../../../host-agent/content/reader-protocol';
import { junitXml, summaryLines } from '../../../../../host-agent/content/testing/report';
import { findFlaky, hostJobLimit, planCases } from '../../../../../host-agent/content/testing/suite';
import type { CaseResult, SuiteResult } from '../../../../../host-agent/content/testing/types';

const meta = (name: string): ContentMeta => ({
  name,
  kind: 'challenge',
  format: 'iximiuz',
  title: name,
  description: '',
  dir: `/c/${name}`,
  playground: { template: 'linux' },
  pageCount: 1,
  tasks: {
    init_x: { name: 'init_x', kind: 'init', user: 'root', run: 'true', needs: [], env: [] },
    verify_a: { name: 'verify_a', kind: 'regular', user: 'root', run: 'true', needs: [], env: [], timeoutSeconds: 5 },
    verify_b: { name: 'verify_b', kind: 'regular', user: 'root', run: 'true', needs: [], env: [], input: {} },
    helper_h: { name: 'helper_h', kind: 'helper', user: 'root', run: 'true', needs: [], env: [] },
  },
});

const read = (name: string, extra: Partial<ReadResult> = {}): ReadResult => ({
  dir: `/c/${name}`,
  problems: [],
  header: { name, kind: 'challenge', format: 'iximiuz', title: name, description: '', dir: `/c/${name}` },
  meta: meta(name),
  solutions: { solutions: [{ name: '.solution.sh', source: '.solution.sh', steps: [] }], problems: [], lookedFor: [] },
  ...extra,
});

describe('planCases', () => {
  it('plans each solution run by run with the regular tasks and their timeouts', () => {
    const two = read('two', {
      solutions: {
        solutions: [
          { name: '.solution-01.sh', source: '', steps: [] },
          { name: '.solution-02.sh', source: '', steps: [] },
        ],
        problems: [],
        lookedFor: [],
      },
    });
    const { cases, untestable } = planCases([read('one'), two], 2);
    expect(untestable).toEqual([]);
    expect(cases.map((c) => `${c.label}#${c.run}`)).toEqual([
      'one#1',
      'one#2',
      'two .solution-01.sh#1',
      'two .solution-01.sh#2',
      'two .solution-02.sh#1',
      'two .solution-02.sh#2',
    ]);
    expect(cases[0].tasks).toEqual([
      { name: 'verify_a', timeoutSeconds: 5, input: false },
      { name: 'verify_b', timeoutSeconds: 60, input: true },
    ]);
  });

  it('says why content cannot be tested: problems, no solution, a skill path', () => {
    const broken = read('broken', { problems: [{ file: 'index.md', where: 'tasks.x', message: 'bad' }] });
    const none = read('none', { solutions: { solutions: [], problems: [], lookedFor: ['.solution.sh', 'solution.md'] } });
    const path = read('path', {
      meta: undefined,
      header: { name: 'path', kind: 'skill-path', format: 'iximiuz', title: 'P', description: '', dir: '/c/path' },
    });
    const { cases, untestable } = planCases([broken, none, path], 1);
    expect(cases).toEqual([]);
    expect(untestable.map((u) => u.problems)).toEqual([
      ['index.md: tasks.x: bad'],
      ['no solution to apply (looked for .solution.sh, solution.md)'],
      ['path is a skill-path: test the content it refers to (sandlot content show /c/path)'],
    ]);
  });
});

const result = (run: number, verdicts: Record<string, CaseResult['tasks'][number]['verdict']>, extra: Partial<CaseResult> = {}): CaseResult => ({
  label: 'c',
  content: 'c',
  dir: '/c/c',
  solution: '.solution.sh',
  run,
  passed: Object.values(verdicts).every((v) => v === 'passed'),
  durationMs: 1000,
  phases: { start: 100, init: 100, starter: 100, solution: 100, checks: 100 },
  tasks: Object.entries(verdicts).map(([name, verdict]) => ({
    name,
    verdict,
    ...(verdict === 'passed' ? { ms: 300 } : { message: 'did not complete', output: 'tick <2> missed & gone' }),
  })),
  ...extra,
});

describe('findFlaky', () => {
  it('names tasks that passed in one run and failed in another, and setups that broke in one run', () => {
    const flaky = findFlaky([
      result(1, { verify_a: 'passed', verify_b: 'passed' }),
      result(2, { verify_a: 'failed', verify_b: 'passed' }),
      result(3, { verify_a: 'passed', verify_b: 'not-run' }, { failedPhase: 'init', passed: false }),
    ]);
    expect(flaky).toEqual([
      { label: 'c', task: 'verify_a', passedRuns: [1, 3], failedRuns: [2] },
      { label: 'c', task: '(playground and init tasks)', passedRuns: [1, 2], failedRuns: [3] },
    ]);
    expect(findFlaky([result(1, { verify_a: 'failed' }), result(2, { verify_a: 'failed' })])).toEqual([]);
  });
});

describe('hostJobLimit', () => {
  it('allows two playgrounds per processor and one per 512 MiB free, at least one', () => {
    expect(hostJobLimit(2, 24 * 1024 ** 3)).toBe(4);
    expect(hostJobLimit(16, 2 * 1024 ** 3)).toBe(4);
    expect(hostJobLimit(2, 100 * 1024 ** 2)).toBe(1);
  });
});

describe('reports', () => {
  const suite: SuiteResult = {
    passed: false,
    wallMs: 2500,
    jobs: 2,
    results: [result(1, { verify_a: 'passed' }), result(2, { verify_a: 'failed' }), result(3, { verify_a: 'starter-defect' })],
    flaky: [{ label: 'c', task: 'verify_a', passedRuns: [1], failedRuns: [2, 3] }],
    untestable: [{ content: 'x', dir: '/c/x', problems: ['no solution to apply'] }],
  };

  it('writes JUnit XML with one test case per task per run and the check output, escaped', () => {
    const xml = junitXml(suite);
    expect(xml.match(/<testcase /g)).toHaveLength(3 * 2 + 1);
    expect(xml).toContain('<testcase classname="c" name="verify_a run 2" time="0.000">');
    expect(xml).toContain('<failure message="did not complete">tick &lt;2&gt; missed &amp; gone</failure>');
    expect(xml).toContain('<failure message="starter defect: did not complete">');
    expect(xml).toContain('<error message="no solution to apply">');
    expect(xml).toContain('<testsuite name="c" tests="6" failures="2" errors="0" skipped="0" time="3.000">');
  });

  it('prints a table with times per phase and per task, failures, flaky tasks and a total', () => {
    const text = summaryLines(suite).join('\n');
    expect(text).toMatch(/^CONTENT\s+RUN\s+RESULT\s+TIME\s+START\s+INIT\s+STARTER\s+SOLUTION\s+CHECKS\s+PLAYGROUND$/m);
    expect(text).toMatch(/^ {2}verify_a\s+✓ 0\.3s\s+✗ failed\s+! starter-defect$/m);
    expect(text).toContain('Flaky (passed in one run, failed in another):\n  c: verify_a — passed in run 1, failed in run 2, 3');
    expect(text).toContain('Not tested: x (/c/x)');
    expect(text.split('\n').at(-1)).toBe('1 of 3 run(s) passed, 1 content not tested, 1 flaky task(s) in 2.5s (2 jobs)');
  });
});
