// How the panel's copy of a playground record follows the agent's event stream. Pure, so
// the mapping of each event type is unit-tested.
import type { PlaygroundEvent, PlaygroundRecord } from '../../host-agent/api/protocol';

/** The record after an event; the same object when the event changes nothing shown. */
export function applyEvent(record: PlaygroundRecord, e: PlaygroundEvent): PlaygroundRecord {
  switch (e.type) {
    case 'snapshot':
      return e.playground.id === record.id ? e.playground : record;
    case 'playground':
      if (record.state === e.state) return record;
      return { ...record, state: e.state, error: e.state === 'failed' ? (e.message ?? record.error) : record.error };
    case 'machine': {
      const i = record.machines.findIndex((m) => m.name === e.machine);
      if (i < 0 || record.machines[i].state === e.state) return record;
      const machines = record.machines.slice();
      machines[i] = { ...machines[i], state: e.state, error: e.state === 'failed' ? (e.message ?? machines[i].error) : machines[i].error };
      return { ...record, machines };
    }
    default:
      // Steps, logs, tasks and content states belong to other views (progress, tutorial).
      return record;
  }
}
