import type { MachineSpec, PlaygroundSpec } from '../../../../../host-agent/drivers/protocol';
import { specFrom } from '../../../../helpers/spec';

const built = specFrom(`
kind: playground
name: t
playground:
  machines:
    - name: dev
      users: [{ name: root, default: true }, { name: laborant }]
      resources: { cpuCount: 2, ramSize: 512Mi }
`);

/** The agent's spec of one machine `dev` (root, laborant), without startup files unless given. */
export function machine(over: Partial<MachineSpec> = {}): MachineSpec {
  return { ...built.machines[0], startupFiles: [], ...over };
}

export function playground(machines: MachineSpec[], registryAuth?: string): PlaygroundSpec {
  return {
    ...built,
    manifest: { kind: 'playground', name: 't', playground: { machines: machines.map((m) => ({ name: m.name })), registryAuth } },
    machines,
  };
}
