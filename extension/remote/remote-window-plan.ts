// What a Remote-SSH window opening a Sandlot host needs before SSH may proceed, from the
// playground's record (undefined: the agent no longer knows it). Pure, unit-tested.
import type { PlaygroundRecord } from '../../host-agent/api/protocol';

export type RemoteWindowPlan =
  | { action: 'none' }
  | { action: 'wait' }
  | { action: 'start' }
  | { action: 'restart' }
  | { action: 'recreate'; template: string }
  | { action: 'give-up'; reason: string };

export function planRemoteWindow(
  id: string,
  record: Pick<PlaygroundRecord, 'state' | 'template'> | undefined,
  rememberedTemplate: string | undefined,
): RemoteWindowPlan {
  const state = record?.state;
  switch (state) {
    case 'running':
      return { action: 'none' };
    case 'provisioning':
    case 'starting':
      return { action: 'wait' };
    case 'stopped':
    case 'stopping':
    case 'lost':
      return { action: 'start' };
    case 'failed':
      return { action: 'restart' };
    case undefined:
    case 'destroying':
    case 'destroyed': {
      const template = record && record.template !== 'custom' ? record.template : rememberedTemplate;
      if (!template) return { action: 'give-up', reason: `playground ${id} no longer exists and its template is unknown; start a new one` };
      return { action: 'recreate', template };
    }
  }
}
