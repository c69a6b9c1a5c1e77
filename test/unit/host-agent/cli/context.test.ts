import { describe, expect, it } from 'vitest';
import { table, timeLeft } from '../../../../host-agent/cli/context';

describe('CLI output', () => {
  it('shows time left in hours and minutes', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(timeLeft('2026-01-01T02:00:00Z', now)).toBe('2h00m');
    expect(timeLeft('2026-01-01T00:45:00Z', now)).toBe('45m');
    expect(timeLeft('2025-12-31T23:00:00Z', now)).toBe('expired');
  });

  it('aligns table columns', () => {
    expect(
      table([
        ['A', 'B', 'C'],
        ['long', 'x', 'tail'],
      ]),
    ).toBe('A     B  C\nlong  x  tail');
  });
});
