import { describe, expect, it } from 'vitest';
import { timeLeft } from '../../../../extension/util/time';

describe('timeLeft', () => {
  const now = Date.parse('2026-11-21T12:00:00Z');
  it('formats hours and minutes, minutes, and the last minute', () => {
    expect(timeLeft('2026-11-21T13:05:30Z', now)).toBe('1h 05m left');
    expect(timeLeft('2026-11-21T12:12:00Z', now)).toBe('12m left');
    expect(timeLeft('2026-11-21T12:00:30Z', now)).toBe('<1m left');
  });
  it('says expired at and after the deadline, and nothing for a bad date', () => {
    expect(timeLeft('2026-11-21T12:00:00Z', now)).toBe('expired');
    expect(timeLeft('2026-11-21T11:00:00Z', now)).toBe('expired');
    expect(timeLeft('not a date', now)).toBe('');
  });
});
