import { describe, expect, it } from 'vitest';
import type { CaseResult } from '../../../../host-agent/content/testing/types';
import { verdicts } from '../../../../extension/tutorial/content-test-verdicts';

const run = (n: number, passed: boolean, tasks: CaseResult['tasks'], extra: Partial<CaseResult> = {}): CaseResult => ({
  label: 'my-challenge',
  content: 'my-challenge',
  dir: '/w/my-challenge',
  solution: '.solution.sh',
  run: n,
  passed,
  durationMs: 1000,
  phases: {},
  tasks,
  ...extra,
});

describe('verdicts', () => {
  it('passes a folder whose runs all passed, with each task and its time', () => {
    const v = verdicts([run(1, true, [{ name: 'verify_a', verdict: 'passed', ms: 120 }])]);
    expect(v.passed).toBe(true);
    expect(v.message).toBeUndefined();
    expect(v.tasks.get('verify_a')).toEqual({ verdict: 'passed', ms: 120 });
  });

  it('keeps the worst verdict of a task over several runs and says what failed first', () => {
    const v = verdicts([
      run(1, true, [
        { name: 'verify_a', verdict: 'passed', ms: 100 },
        { name: 'verify_b', verdict: 'passed', ms: 100 },
      ]),
      run(
        2,
        false,
        [
          { name: 'verify_a', verdict: 'failed', message: 'did not complete within 60 s', output: 'exit 1' },
          { name: 'verify_b', verdict: 'passed', ms: 90 },
        ],
        { failedPhase: 'checks', message: 'verify_a did not complete', solutionOutput: '+ touch /root/a' },
      ),
      run(3, true, [{ name: 'verify_a', verdict: 'passed', ms: 100 }]),
    ]);
    expect(v.passed).toBe(false);
    expect(v.message).toBe('my-challenge run 2: verify_a did not complete\n+ touch /root/a');
    expect(v.tasks.get('verify_a')).toEqual({ verdict: 'failed', message: 'did not complete within 60 s\nexit 1' });
    expect(v.tasks.get('verify_b')?.verdict).toBe('passed');
  });

  it('does not pass a folder with no runs', () => {
    expect(verdicts([]).passed).toBe(false);
  });
});
