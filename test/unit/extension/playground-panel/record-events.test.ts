import { describe, expect, it } from 'vitest';
import type { PlaygroundRecord } from '../../../../host-agent/api/protocol';
import { applyEvent } from '../../../../extension/playground-panel/record-events';

const at = '2026-11-21T10:00:00.000Z';
const record = (extra: Partial<PlaygroundRecord> = {}): PlaygroundRecord => ({
  id: 'pg-abc123',
  template: 'linux',
  title: 'Linux',
  driver: 'sandbox',
  state: 'running',
  createdAt: at,
  deadline: '2026-11-21T12:00:00.000Z',
  userPublicKey: 'ssh-ed25519 AAAA',
  machines: [
    {
      name: 'dev',
      state: 'running',
      users: ['root'],
      defaultUser: 'root',
      home: '/root',
      noSSH: false,
      hostKey: 'k',
      resources: { cpuCount: 1, ramSize: '1Gi' },
    },
    {
      name: 'node-01',
      state: 'running',
      users: ['root'],
      defaultUser: 'root',
      home: '/root',
      noSSH: false,
      hostKey: 'k',
      resources: { cpuCount: 1, ramSize: '512Mi' },
    },
  ],
  ...extra,
});

describe('applyEvent', () => {
  it('takes a snapshot of the same playground whole', () => {
    const r = record();
    const snap = record({ deadline: '2026-11-21T13:00:00.000Z' });
    expect(applyEvent(r, { type: 'snapshot', at, playground: snap })).toBe(snap);
    expect(applyEvent(r, { type: 'snapshot', at, playground: record({ id: 'pg-other1' }) })).toBe(r);
  });

  it('follows playground state, keeping the failure message', () => {
    const r = record();
    expect(applyEvent(r, { type: 'playground', at, state: 'stopping' }).state).toBe('stopping');
    const failed = applyEvent(r, { type: 'playground', at, state: 'failed', message: 'disk full' });
    expect(failed).toMatchObject({ state: 'failed', error: 'disk full' });
    expect(applyEvent(r, { type: 'playground', at, state: 'running' })).toBe(r);
  });

  it('changes only the named machine', () => {
    const r = record();
    const next = applyEvent(r, { type: 'machine', at, machine: 'node-01', state: 'stopped' });
    expect(next.machines.map((m) => m.state)).toEqual(['running', 'stopped']);
    expect(r.machines[1].state).toBe('running');
    expect(applyEvent(r, { type: 'machine', at, machine: 'ghost', state: 'stopped' })).toBe(r);
    expect(applyEvent(r, { type: 'machine', at, machine: 'dev', state: 'failed', message: 'oom' }).machines[0]).toMatchObject({
      state: 'failed',
      error: 'oom',
    });
  });

  it('ignores steps, logs, tasks and content', () => {
    const r = record();
    expect(applyEvent(r, { type: 'log', at, level: 'info', message: 'lifetime extended' })).toBe(r);
    expect(applyEvent(r, { type: 'step', at, step: 'boot', status: 'done' })).toBe(r);
    expect(applyEvent(r, { type: 'content', at, state: 'ready' })).toBe(r);
  });
});
