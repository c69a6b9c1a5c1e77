import { describe, expect, it } from 'vitest';
import { applyMessage, initialState, restoreState, withAnswered, withPending } from '../../../../webviews/playground/state';
import { record } from './fixtures';

const probe = { ports: [{ port: 8765, addresses: ['0.0.0.0'] }], addresses: ['10.77.0.2'] };

describe('panel state', () => {
  it('restores the playground it showed, but not probes, forwards or pending buttons', () => {
    let s = applyMessage(initialState(), { kind: 'show', playground: record() });
    s = applyMessage(s, { kind: 'probe', machine: 'dev', probe });
    s = applyMessage(s, { kind: 'forwards', forwards: [{ machine: 'dev', port: 8765, local: 40001, url: 'http://127.0.0.1:40001/' }] });
    s = withPending(s, 'extend:30');
    const back = restoreState(JSON.parse(JSON.stringify(s)));
    expect(back.playgroundId).toBe('pg-abc123');
    expect(back.playground?.machines).toHaveLength(2);
    expect(back.probes).toEqual({});
    expect(back.forwards).toEqual([]);
    expect(back.pending).toEqual([]);
  });

  it('starts fresh from anything else', () => {
    for (const saved of [undefined, null, 'x', 42, { version: 2, playgroundId: 'pg-abc123' }, {}]) {
      expect(restoreState(saved)).toEqual(initialState());
    }
    // A record that does not belong to the saved id is dropped, the id kept.
    const odd = restoreState({ version: 1, playgroundId: 'pg-abc123', playground: { ...record(), id: 'pg-zzz' } });
    expect(odd.playgroundId).toBe('pg-abc123');
    expect(odd.playground).toBeUndefined();
    expect(restoreState({ version: 1, playgroundId: 'pg-abc123', playground: { id: 'pg-abc123' } }).playground).toBeUndefined();
  });

  it('keeps probes for the same playground and drops them for another', () => {
    let s = applyMessage(initialState(), { kind: 'show', playground: record() });
    s = applyMessage(s, { kind: 'probe', machine: 'dev', probe });
    const again = applyMessage(s, { kind: 'show', playground: record({ state: 'stopping' }) });
    expect(again.probes.dev).toEqual(probe);
    const other = applyMessage(s, { kind: 'show', playground: record({ id: 'pg-other1' }) });
    expect(other.probes).toEqual({});
    expect(other.playgroundId).toBe('pg-other1');
  });

  it('a gone playground clears ports and forwards; a later show brings it back', () => {
    let s = applyMessage(initialState(), { kind: 'show', playground: record() });
    s = applyMessage(s, { kind: 'probe', machine: 'dev', probe });
    s = applyMessage(s, { kind: 'gone', playground: 'pg-abc123', reason: 'Playground pg-abc123 was destroyed.' });
    expect(s).toMatchObject({ gone: 'Playground pg-abc123 was destroyed.', probes: {}, forwards: [] });
    expect(s.playground?.id).toBe('pg-abc123');
    expect(applyMessage(s, { kind: 'show', playground: record() }).gone).toBeUndefined();
    // Another playground's gone message is not ours.
    const mine = applyMessage(initialState(), { kind: 'show', playground: record() });
    expect(applyMessage(mine, { kind: 'gone', playground: 'pg-other1', reason: 'x' })).toBe(mine);
  });

  it('clears a pending button when answered, and shows the error of a failed one', () => {
    let s = withPending(initialState(), 'extend:60');
    s = withPending(s, 'lifecycle:stop');
    expect(s.pending).toEqual(['extend:60', 'lifecycle:stop']);
    s = withAnswered(s, 'extend:60', 'minutes: expected a number');
    expect(s.pending).toEqual(['lifecycle:stop']);
    expect(s.notice).toBe('minutes: expected a number');
    s = withAnswered(s, 'lifecycle:stop');
    expect(s.pending).toEqual([]);
    expect(s.notice).toBeUndefined();
    // An answer for a button that is not pending changes nothing but the notice.
    expect(withAnswered(s, 'extend:30').pending).toEqual([]);
  });
});
