import { describe, expect, it } from 'vitest';
import { targetMachine } from '../../../../extension/tutorial/target-machine';

const base = { playground: 'pg-abc123', machines: ['node-01', 'node-02', 'dev'] };

describe('targetMachine', () => {
  it('takes the machine the block names', () => {
    expect(targetMachine({ ...base, explicit: 'node-02', activeTerminal: 'dev (pg-abc123)' })).toBe('node-02');
  });
  it('follows the active terminal when it is a machine of this playground', () => {
    expect(targetMachine({ ...base, activeTerminal: 'node-02 (pg-abc123)', fallback: 'dev' })).toBe('node-02');
  });
  it('ignores terminals of other playgrounds and local shells', () => {
    expect(targetMachine({ ...base, activeTerminal: 'node-02 (pg-other1)', fallback: 'dev' })).toBe('dev');
    expect(targetMachine({ ...base, activeTerminal: 'bash', fallback: 'dev' })).toBe('dev');
  });
  it('falls back to the first machine without a content default', () => {
    expect(targetMachine({ ...base })).toBe('node-01');
    expect(targetMachine({ playground: 'pg-x', machines: [] })).toBeUndefined();
  });
});
