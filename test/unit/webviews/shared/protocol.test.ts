import { describe, expect, it } from 'vitest';
import { dispatch, requestHandler, type Handlers, type RequestHandlers } from '../../../../webviews/shared/protocol';
import type { ToHost, ToWebview, TutorialProtocol } from '../../../../webviews/tutorial/protocol';

describe('dispatch', () => {
  it('routes each kind to its handler', () => {
    const seen: string[] = [];
    const handlers: Handlers<ToHost> = {
      ready: () => seen.push('ready'),
      runInTerminal: (m) => seen.push(`run:${m.command}`),
      copy: (m) => seen.push(`copy:${m.text}`),
      openLink: (m) => seen.push(`link:${m.url}`),
      startContent: (m) => seen.push(`start:${m.source}`),
      openPlayground: (m) => seen.push(`open:${m.playground}`),
      openReading: () => seen.push('back'),
      openCatalogEntry: (m) => seen.push(`entry:${m.source}`),
    };
    expect(dispatch(handlers, { kind: 'ready' })).toBe(true);
    expect(dispatch(handlers, { kind: 'runInTerminal', command: 'ls' })).toBe(true);
    expect(dispatch(handlers, { kind: 'openLink', url: 'https://example.com' })).toBe(true);
    expect(seen).toEqual(['ready', 'run:ls', 'link:https://example.com']);
  });

  it('ignores messages that are not ours', () => {
    const handlers: Handlers<ToWebview> = { show: () => {}, empty: () => {}, showReading: () => {}, task: () => {}, contentState: () => {} };
    expect(dispatch(handlers, null)).toBe(false);
    expect(dispatch(handlers, 'show')).toBe(false);
    expect(dispatch(handlers, { kind: 'toString' })).toBe(false);
    expect(dispatch(handlers, { kind: 'other' })).toBe(false);
    expect(dispatch(handlers, { type: 'show' })).toBe(false);
  });

  it('a handler map missing a kind does not compile', () => {
    // @ts-expect-error — `openLink` has no handler: the build must fail.
    const partial: Handlers<ToHost> = { ready: () => {}, runInTerminal: () => {}, copy: () => {} };
    expect(Object.keys(partial)).toHaveLength(3);
  });
});

describe('requestHandler', () => {
  const requests: RequestHandlers<TutorialProtocol['requests']> = { submitInput: (p) => ({ ok: p.value === '4', message: p.task }) };

  it('finds own methods only', () => {
    expect(requestHandler(requests, 'submitInput')).toBeTypeOf('function');
    expect(requestHandler(requests, 'toString')).toBeUndefined();
    expect(requestHandler(requests, 'nope')).toBeUndefined();
    expect(requestHandler(requests, 3)).toBeUndefined();
  });

  it('a request map missing a method, or answering the wrong type, does not compile', () => {
    // @ts-expect-error — `submitInput` has no handler.
    const none: RequestHandlers<TutorialProtocol['requests']> = {};
    // @ts-expect-error — the result must be an AnswerVerdict.
    const wrong: RequestHandlers<TutorialProtocol['requests']> = { submitInput: () => 'yes' };
    expect([none, wrong]).toHaveLength(2);
  });
});
