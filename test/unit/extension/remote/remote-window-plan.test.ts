import { describe, expect, it } from 'vitest';
import type { PlaygroundRecord } from '../../../../host-agent/api/protocol';
import { planRemoteWindow } from '../../../../extension/remote/remote-window-plan';

const rec = (state: PlaygroundRecord['state'], template = 'linux'): Pick<PlaygroundRecord, 'state' | 'template'> => ({ state, template });

describe('planRemoteWindow', () => {
  it('lets a running playground through and waits for one on its way up', () => {
    expect(planRemoteWindow('pg-a', rec('running'), undefined)).toEqual({ action: 'none' });
    expect(planRemoteWindow('pg-a', rec('provisioning'), undefined)).toEqual({ action: 'wait' });
    expect(planRemoteWindow('pg-a', rec('starting'), undefined)).toEqual({ action: 'wait' });
  });

  it('starts a stopped or lost one and restarts a failed one', () => {
    expect(planRemoteWindow('pg-a', rec('stopped'), undefined)).toEqual({ action: 'start' });
    expect(planRemoteWindow('pg-a', rec('lost'), undefined)).toEqual({ action: 'start' });
    expect(planRemoteWindow('pg-a', rec('failed'), undefined)).toEqual({ action: 'restart' });
  });

  it('re-creates an expired one from its template, from the record or from memory', () => {
    expect(planRemoteWindow('pg-a', rec('destroyed', 'docker'), undefined)).toEqual({ action: 'recreate', template: 'docker' });
    expect(planRemoteWindow('pg-a', undefined, 'zig')).toEqual({ action: 'recreate', template: 'zig' });
    expect(planRemoteWindow('pg-a', rec('destroyed', 'custom'), 'k3s')).toEqual({ action: 'recreate', template: 'k3s' });
  });

  it('gives up, saying why, when nothing says what it was', () => {
    expect(planRemoteWindow('pg-a', undefined, undefined)).toEqual({
      action: 'give-up',
      reason: 'playground pg-a no longer exists and its template is unknown; start a new one',
    });
  });
});
