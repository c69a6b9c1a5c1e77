import { describe, expect, it } from 'vitest';
import type { PlaygroundEvent, PlaygroundRecord } from '../../../../host-agent/api/protocol';
import { ProvisionProgress, type ProgressUpdate } from '../../../../extension/agent-client/progress';

const at = '2026-11-21T00:00:00Z';
const record = (state: PlaygroundRecord['state'], machineState: 'creating' | 'running' = 'creating'): PlaygroundRecord => ({
  id: 'pg-a',
  template: 'linux',
  title: 'Linux',
  driver: 'sandbox',
  state,
  createdAt: at,
  deadline: at,
  userPublicKey: 'ssh-ed25519 AAAA',
  machines: ['dev', 'node-01'].map((name) => ({
    name,
    state: machineState,
    users: ['root'],
    defaultUser: 'root',
    home: '/root',
    noSSH: false,
    hostKey: 'ssh-ed25519 AAAA',
    resources: { cpuCount: 1, ramSize: '1Gi' },
  })),
});

function feed(p: ProvisionProgress, events: PlaygroundEvent[]): ProgressUpdate[] {
  return events.map((e) => p.next(e)).filter((u): u is ProgressUpdate => u !== undefined);
}

describe('ProvisionProgress', () => {
  it('follows steps and machine states to 100% once, and reports running', () => {
    const p = new ProvisionProgress();
    const updates = feed(p, [
      { type: 'snapshot', at, playground: record('provisioning') },
      { type: 'step', at, step: 'image', status: 'started' },
      { type: 'step', at, step: 'image', status: 'done' },
      { type: 'machine', at, machine: 'dev', state: 'starting' },
      { type: 'machine', at, machine: 'dev', state: 'running' },
      { type: 'step', at, step: 'ssh', status: 'started', machine: 'node-01' },
      { type: 'machine', at, machine: 'node-01', state: 'running' },
      { type: 'log', at, level: 'info', message: 'noise' },
      { type: 'playground', at, state: 'running' },
      { type: 'machine', at, machine: 'dev', state: 'stopped' },
    ]);
    expect(updates.map((u) => u.message).filter(Boolean)).toEqual([
      'preparing the image…',
      'preparing the image ✓',
      'dev: starting',
      'dev: running',
      'node-01: waiting for SSH…',
      'node-01: running',
      'ready',
    ]);
    const total = updates.reduce((s, u) => s + (u.increment ?? 0), 0);
    expect(total).toBe(100);
    expect(updates.every((u) => (u.increment ?? 0) >= 0)).toBe(true);
    expect(p.done).toEqual({ kind: 'running' });
  });

  it('never goes backwards when a machine restarts', () => {
    const p = new ProvisionProgress(['dev']);
    const ups = feed(p, [
      { type: 'machine', at, machine: 'dev', state: 'running' },
      { type: 'machine', at, machine: 'dev', state: 'starting' },
      { type: 'machine', at, machine: 'dev', state: 'running' },
    ]);
    expect(ups[0].increment).toBe(90);
    expect(ups.slice(1).every((u) => u.increment === undefined)).toBe(true);
  });

  it('ends with the failure message on a failed step + failed playground', () => {
    const p = new ProvisionProgress(['dev']);
    const ups = feed(p, [
      { type: 'step', at, step: 'machine', status: 'failed', machine: 'dev', message: 'no space left' },
      { type: 'playground', at, state: 'failed', message: 'dev: no space left' },
    ]);
    expect(ups[0].message).toBe('dev: creating the machine failed: no space left');
    expect(p.done).toEqual({ kind: 'failed', message: 'dev: no space left' });
  });

  it('takes the outcome from a snapshot of an already running playground', () => {
    const p = new ProvisionProgress();
    p.next({ type: 'snapshot', at, playground: record('running', 'running') });
    expect(p.done?.kind).toBe('running');
  });

  it('reports an error event and a closed stream as failures', () => {
    const a = new ProvisionProgress();
    a.next({ type: 'error', at, message: 'driver crashed' });
    expect(a.done).toEqual({ kind: 'failed', message: 'driver crashed' });
    const b = new ProvisionProgress();
    expect(b.closed('the agent went away')).toEqual({ kind: 'failed', message: 'the agent went away' });
  });
});
