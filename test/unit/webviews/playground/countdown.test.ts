import { describe, expect, it } from 'vitest';
import { countdown, formatBytes } from '../../../../webviews/playground/countdown';

const deadline = '2026-11-21T12:00:00.000Z';
const before = (ms: number) => Date.parse(deadline) - ms;

describe('countdown', () => {
  it('shows h:mm:ss from an hour up, mm:ss below', () => {
    expect(countdown(deadline, before(2 * 3600_000))).toEqual({ text: '2:00:00', level: 'ok', seconds: 7200 });
    expect(countdown(deadline, before(3600_000 + 65_000)).text).toBe('1:01:05');
    expect(countdown(deadline, before(3599_000)).text).toBe('59:59');
    expect(countdown(deadline, before(61_000)).text).toBe('01:01');
  });

  it('counts down whole seconds (floor)', () => {
    expect(countdown(deadline, before(59_999)).text).toBe('00:59');
    expect(countdown(deadline, before(1_000)).text).toBe('00:01');
  });

  it('is low under ten minutes, expired at and after the deadline', () => {
    expect(countdown(deadline, before(600_000)).level).toBe('ok');
    expect(countdown(deadline, before(599_000)).level).toBe('low');
    expect(countdown(deadline, before(999))).toEqual({ text: 'expired', level: 'expired', seconds: 0 });
    expect(countdown(deadline, before(-5_000)).text).toBe('expired');
  });

  it('says nothing useful about a deadline it cannot read, without throwing', () => {
    expect(countdown('soon', 0)).toEqual({ text: '—', level: 'expired', seconds: 0 });
  });
});

describe('formatBytes', () => {
  it('uses binary units with one decimal below ten', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(42 * 1024 * 1024)).toBe('42 MiB');
    expect(formatBytes(1024 ** 3)).toBe('1.0 GiB');
  });

  it('gives nothing for negative or non-finite input', () => {
    expect(formatBytes(-1)).toBe('');
    expect(formatBytes(Number.NaN)).toBe('');
  });
});
