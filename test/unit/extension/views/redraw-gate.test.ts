// The Playgrounds tree's redraw gate: one redraw for a burst of changes, none when what
// the view shows is the same.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RedrawGate } from '../../../../extension/views/redraw-gate';

describe('RedrawGate', () => {
  let shown: string;
  let redraws: number;
  let gate: RedrawGate;

  beforeEach(() => {
    vi.useFakeTimers();
    shown = 'a';
    redraws = 0;
    gate = new RedrawGate(
      () => shown,
      () => redraws++,
      100,
    );
  });
  afterEach(() => {
    gate.dispose();
    vi.useRealTimers();
  });

  it('redraws once for changes that arrive together, after they settle', () => {
    gate.poke();
    vi.advanceTimersByTime(60);
    shown = 'b';
    gate.poke();
    vi.advanceTimersByTime(99);
    expect(redraws).toBe(0);
    vi.advanceTimersByTime(1);
    expect(redraws).toBe(1);
  });

  it('does not redraw when the view would show the same', () => {
    gate.poke();
    vi.advanceTimersByTime(100);
    expect(redraws).toBe(1);
    gate.poke();
    vi.advanceTimersByTime(100);
    expect(redraws).toBe(1);
    shown = 'c';
    gate.poke();
    vi.advanceTimersByTime(100);
    expect(redraws).toBe(2);
  });

  it('draws nothing after it is disposed', () => {
    gate.poke();
    gate.dispose();
    vi.advanceTimersByTime(1000);
    expect(redraws).toBe(0);
  });
});
