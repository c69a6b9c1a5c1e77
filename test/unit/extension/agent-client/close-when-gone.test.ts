import { describe, expect, it } from 'vitest';
import { closeWhenGone, type PlaygroundList } from '../../../../extension/agent-client/close-when-gone';

function fakeList(): PlaygroundList & { kind: string; emit(ids: string[]): void } {
  const listeners: ((list: readonly { id: string }[]) => unknown)[] = [];
  const list = {
    kind: 'connected',
    get state() {
      return { kind: list.kind };
    },
    onDidChangePlaygrounds: (listener: (l: readonly { id: string }[]) => unknown) => {
      listeners.push(listener);
      return { dispose: () => listeners.splice(listeners.indexOf(listener), 1) };
    },
    emit: (ids: string[]) => listeners.forEach((l) => l(ids.map((id) => ({ id })))),
  };
  return list;
}

describe('closeWhenGone', () => {
  it('closes and drops the entries of playgrounds no longer listed, keeps the others', () => {
    const agent = fakeList();
    const entries = new Map([
      ['pg-a/dev:80', { playground: 'pg-a' }],
      ['pg-b/dev:80', { playground: 'pg-b' }],
      ['pg-b/dev:81', { playground: 'pg-b' }],
    ]);
    const closed: string[] = [];
    const watch = closeWhenGone(
      agent,
      entries,
      (e) => e.playground,
      (_e, key) => closed.push(key),
    );
    agent.emit(['pg-a']);
    expect(closed).toEqual(['pg-b/dev:80', 'pg-b/dev:81']);
    expect([...entries.keys()]).toEqual(['pg-a/dev:80']);
    watch.dispose();
    agent.emit([]);
    expect([...entries.keys()]).toEqual(['pg-a/dev:80']);
  });

  it('keeps everything while disconnected (the list is empty then, the agent may come back)', () => {
    const agent = fakeList();
    const entries = new Map([['pg-a/dev:80', { playground: 'pg-a' }]]);
    const closed: string[] = [];
    closeWhenGone(
      agent,
      entries,
      (e) => e.playground,
      (_e, key) => closed.push(key),
    );
    agent.kind = 'disconnected';
    agent.emit([]);
    expect(closed).toEqual([]);
    expect(entries.size).toBe(1);
  });
});
