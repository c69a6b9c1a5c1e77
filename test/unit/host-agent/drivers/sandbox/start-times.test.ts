import { describe, expect, it } from 'vitest';
import { StartTimes, parseStartTimes } from '../../../../../host-agent/drivers/sandbox/start-times';

describe('sandbox start times', () => {
  it('records steps, failed ones too, and reads its own log line back in start order', async () => {
    const times = new StartTimes();
    await times.time('hub', () => new Promise((r) => setTimeout(r, 15)));
    await expect(times.time('uplink', () => Promise.reject(new Error('no nft')))).rejects.toThrow('no nft');
    times.record('dev →ready', performance.now());
    const parsed = parseStartTimes(`2026-12-02T10:00:00.000Z info  ${times.line('pg-abc123')}`);
    expect(parsed?.id).toBe('pg-abc123');
    expect(parsed?.steps.map((s) => s.label)).toEqual(['hub', 'uplink', 'dev →ready']);
    expect(parsed!.steps[0].ms).toBeGreaterThanOrEqual(14);
    expect(parsed!.steps[1].at).toBeGreaterThanOrEqual(parsed!.steps[0].at + parsed!.steps[0].ms - 1);
    expect(parsed!.total).toBeGreaterThanOrEqual(parsed!.steps[0].ms);
  });

  it('ignores other log lines', () => {
    expect(parseStartTimes('2026-12-02T10:00:00.000Z info  sandbox: cpu and memory limits through cgroup v2')).toBeUndefined();
  });
});
