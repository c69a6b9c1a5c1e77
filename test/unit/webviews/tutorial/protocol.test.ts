import { describe, expect, it } from 'vitest';
import { dispatch, type Handlers, type ToHost, type ToWebview } from '../../../../webviews/tutorial/protocol';

describe('dispatch', () => {
  it('routes each kind to its handler', () => {
    const seen: string[] = [];
    const handlers: Handlers<ToHost> = {
      ready: () => seen.push('ready'),
      runInTerminal: (m) => seen.push(`run:${m.command}`),
      copy: (m) => seen.push(`copy:${m.text}`),
      submitInput: (m) => seen.push(`input:${m.task}=${m.value}#${m.id}`),
      openLink: (m) => seen.push(`link:${m.url}`),
    };
    expect(dispatch(handlers, { kind: 'ready' })).toBe(true);
    expect(dispatch(handlers, { kind: 'runInTerminal', command: 'ls' })).toBe(true);
    expect(dispatch(handlers, { kind: 'submitInput', id: 3, task: 'q', value: '7' })).toBe(true);
    expect(seen).toEqual(['ready', 'run:ls', 'input:q=7#3']);
  });

  it('ignores messages that are not ours', () => {
    const handlers: Handlers<ToWebview> = { show: () => {}, empty: () => {}, task: () => {}, contentState: () => {}, inputResult: () => {} };
    expect(dispatch(handlers, null)).toBe(false);
    expect(dispatch(handlers, 'show')).toBe(false);
    expect(dispatch(handlers, { kind: 'toString' })).toBe(false);
    expect(dispatch(handlers, { kind: 'other' })).toBe(false);
    expect(dispatch(handlers, { type: 'show' })).toBe(false);
  });

  it('a handler map missing a kind does not compile', () => {
    // @ts-expect-error — `openLink` has no handler: the build must fail.
    const partial: Handlers<ToHost> = { ready: () => {}, runInTerminal: () => {}, copy: () => {}, submitInput: () => {} };
    expect(Object.keys(partial)).toHaveLength(4);
  });
});
