import { describe, expect, it } from 'vitest';
import type { TaskRecord } from '../../../../host-agent/api/protocol';
import type { TutorialView } from '../../../../webviews/tutorial/protocol';
import { applyMessage, initialState, restoreState, withAnswerPending, withVerdict } from '../../../../webviews/tutorial/state';

const view = (playground: string, tasks: Record<string, TaskRecord> = {}): TutorialView => ({
  playground,
  title: 'T',
  kind: 'challenge',
  content: { name: 't', kind: 'challenge', title: 'T', state: 'ready' },
  pages: [],
  tasks,
  assets: {},
});
const task = (name: string, status: TaskRecord['status'], extra: Partial<TaskRecord> = {}): TaskRecord => ({
  name,
  kind: 'regular',
  machine: 'dev',
  user: 'root',
  status,
  runs: 0,
  ...extra,
});

describe('restoreState', () => {
  it('round-trips a saved state (what setState stored after JSON cloning)', () => {
    const s = { ...initialState(), view: view('pg-a'), drafts: { q: '4' }, answers: { r: { ok: false, message: 'Not quite.' } }, scrollY: 120 };
    expect(restoreState(JSON.parse(JSON.stringify(s)))).toEqual(s);
  });

  it('starts fresh on nothing, another version, or a broken shape', () => {
    expect(restoreState(undefined)).toEqual(initialState());
    expect(restoreState({ version: 2, drafts: { q: '1' } })).toEqual(initialState());
    const broken = restoreState({
      version: 1,
      view: { pages: 'no' },
      drafts: { q: 5, r: 'ok' },
      answers: { q: { ok: 'yes' }, r: { ok: true, message: 'Correct.' } },
      scrollY: -3,
    });
    expect(broken).toEqual({
      version: 1,
      view: undefined,
      empty: undefined,
      drafts: { r: 'ok' },
      answers: { r: { ok: true, message: 'Correct.' } },
      scrollY: 0,
    });
  });
});

describe('applyMessage', () => {
  it('a fresh show of the same playground keeps drafts and scroll', () => {
    const s = { ...initialState(), view: view('pg-a'), drafts: { q: '4' }, scrollY: 50 };
    const next = applyMessage(s, { kind: 'show', view: view('pg-a', { v: task('v', 'completed') }) });
    expect(next.drafts).toEqual({ q: '4' });
    expect(next.scrollY).toBe(50);
    expect(next.view?.tasks.v.status).toBe('completed');
  });

  it('another playground drops drafts and scroll', () => {
    const s = { ...initialState(), view: view('pg-a'), drafts: { q: '4' }, scrollY: 50 };
    const next = applyMessage(s, { kind: 'show', view: view('pg-b') });
    expect(next).toMatchObject({ drafts: {}, scrollY: 0 });
  });

  it('task events update the task; helpers stay hidden; without a view nothing changes', () => {
    const s = { ...initialState(), view: view('pg-a', { v: task('v', 'running') }) };
    expect(applyMessage(s, { kind: 'task', task: task('v', 'completed') }).view?.tasks.v.status).toBe('completed');
    expect(applyMessage(s, { kind: 'task', task: task('h', 'running', { kind: 'helper', hidden: true }) }).view?.tasks.h).toBeUndefined();
    const empty = initialState();
    expect(applyMessage(empty, { kind: 'task', task: task('v', 'completed') })).toBe(empty);
  });

  it('a wrong answer keeps its draft and says why; a right one drops the draft', () => {
    const s = { ...initialState(), view: view('pg-a'), drafts: { q: '4', r: 'x' } };
    expect(withAnswerPending(s, 'q').answers.q).toEqual({ ok: false, pending: true, message: 'Checking your answer…' });
    const wrong = withVerdict(s, 'q', { ok: false, message: 'Not quite. Try again.' });
    expect(wrong.drafts).toEqual({ q: '4', r: 'x' });
    expect(wrong.answers.q).toEqual({ ok: false, message: 'Not quite. Try again.' });
    const right = withVerdict(wrong, 'q', { ok: true, message: 'Correct.' });
    expect(right.drafts).toEqual({ r: 'x' });
    expect(right.answers.q).toEqual({ ok: true, message: 'Correct.' });
    // Another playground's content starts with no verdicts.
    expect(applyMessage(right, { kind: 'show', view: view('pg-b') }).answers).toEqual({});
  });

  it('empty clears the view and says why', () => {
    const next = applyMessage({ ...initialState(), view: view('pg-a') }, { kind: 'empty', reason: 'playground destroyed' });
    expect(next.view).toBeUndefined();
    expect(next.empty).toBe('playground destroyed');
  });
});
