import type { MachineSpec, PlaygroundSpec } from '../../../../../host-agent/drivers/protocol';

export function machine(over: Partial<MachineSpec> = {}): MachineSpec {
  return {
    name: 'dev',
    index: 0,
    image: 'linux',
    users: [
      { name: 'root', uid: 0, gid: 0, home: '/root', shell: '/bin/bash' },
      { name: 'laborant', uid: 1000, gid: 1000, home: '/home/laborant', shell: '/bin/bash' },
    ],
    defaultUser: 'root',
    resources: { cpuCount: 2, ramSize: '512Mi', ramBytes: 512 * 1024 ** 2 },
    startupFiles: [],
    noSSH: false,
    hostKey: { privateKey: '-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----', publicKey: 'ssh-ed25519 AAAAhost dev' },
    ...over,
  };
}

export function playground(machines: MachineSpec[], registryAuth?: string): PlaygroundSpec {
  return {
    id: 'pg-abcd',
    dir: '/tmp/pg-abcd',
    manifest: { kind: 'playground', name: 't', playground: { machines: machines.map((m) => ({ name: m.name })), registryAuth } },
    machines,
    authorizedKey: 'ssh-ed25519 AAAAuser pg-abcd',
  };
}
