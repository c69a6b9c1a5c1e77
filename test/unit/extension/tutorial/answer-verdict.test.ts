import { describe, expect, it } from 'vitest';
import type { TaskRecord } from '../../../../host-agent/api/protocol';
import { answerVerdict } from '../../../../extension/tutorial/answer-verdict';

const task = (over: Partial<TaskRecord>): TaskRecord => ({
  name: 'q',
  kind: 'regular',
  status: 'created',
  machine: 'dev',
  user: 'root',
  runs: 1,
  input: true,
  ...over,
});

describe('answerVerdict', () => {
  it('calls a completed task correct', () => {
    expect(answerVerdict(task({ status: 'completed' }))).toEqual({ ok: true, message: 'Correct.' });
  });
  it('passes on the hint of a wrong answer', () => {
    expect(answerVerdict(task({ status: 'created', hint: ' Count the WARN lines. \n' }))).toEqual({ ok: false, message: 'Not quite: Count the WARN lines.' });
  });
  it('asks to try again when there is no hint', () => {
    expect(answerVerdict(task({ status: 'created', hint: '  ' }))).toEqual({ ok: false, message: 'Not quite. Try again.' });
  });
  it('says when the answer failed the challenge', () => {
    expect(answerVerdict(task({ status: 'failed' })).ok).toBe(false);
  });
});
