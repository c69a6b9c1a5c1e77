// What a new playground is made of before any driver runs: its record (state
// `provisioning`, one machine record per manifest machine), its keys, and the spec the
// drivers act on, rebuilt the same way after an agent restart.
import { hostAlias, type DriverName, type PlaygroundRecord } from '../api/protocol';
import type { PlaygroundSpec } from '../drivers/protocol';
import { generateEd25519 } from '../keys/keys';
import { machineResources, type PlaygroundManifest } from '../manifests/schema';
import { machineUsers } from '../manifests/users';
import { machineSshIdentityFiles, withSshIdentity } from './machine-ssh-identity';
import type { StoredPlayground } from './store';

export interface NewPlayground {
  id: string;
  manifest: PlaygroundManifest;
  manifestText: string;
  manifestName: string;
  template: string;
  driver: DriverName;
  lifetimeMinutes: number;
  now?: Date;
}

/** The stored form of a playground about to be made: record, manifest text and fresh keys. */
export function newStoredPlayground(p: NewPlayground): StoredPlayground {
  const userKey = generateEd25519(`sandlot ${p.id}`);
  const hostKeys = Object.fromEntries(p.manifest.playground.machines.map((m) => [m.name, generateEd25519(hostAlias(p.id, m.name))]));
  const created = p.now ?? new Date();
  const record: PlaygroundRecord = {
    id: p.id,
    template: p.template,
    title: p.manifest.title ?? p.manifest.name,
    driver: p.driver,
    state: 'provisioning',
    createdAt: created.toISOString(),
    deadline: new Date(created.getTime() + p.lifetimeMinutes * 60_000).toISOString(),
    userPublicKey: userKey.publicKey,
    machines: p.manifest.playground.machines.map((m) => {
      const users = machineUsers((m.users ?? [{ name: 'root' }]).map((u) => u.name));
      const defaultUser = m.users?.find((u) => u.default)?.name ?? m.users?.[0]?.name ?? 'root';
      const { cpuCount, ramSize } = machineResources(m.resources);
      return {
        name: m.name,
        state: 'creating',
        users: users.map((u) => u.name),
        defaultUser,
        home: users.find((u) => u.name === defaultUser)?.home ?? '/root',
        noSSH: m.noSSH ?? false,
        hostKey: hostKeys[m.name].publicKey,
        resources: { cpuCount, ramSize },
      };
    }),
  };
  return { record, manifestText: p.manifestText, manifestName: p.manifestName, userKey, hostKeys };
}

/** The spec drivers act on; `dir` is the playground's directory in the store. */
export function playgroundSpec(stored: StoredPlayground, manifest: PlaygroundManifest, dir: string): PlaygroundSpec {
  return {
    id: stored.record.id,
    dir,
    manifest,
    authorizedKey: stored.userKey.publicKey,
    machines: manifest.playground.machines.map((m, index) => {
      const rec = stored.record.machines.find((x) => x.name === m.name);
      const users = machineUsers(rec?.users ?? ['root']);
      return {
        name: m.name,
        index,
        image: m.image ?? 'linux',
        users,
        defaultUser: rec?.defaultUser ?? 'root',
        resources: machineResources(m.resources),
        startupFiles: withSshIdentity(m.startupFiles ?? [], machineSshIdentityFiles(users, stored.userKey, stored.hostKeys)),
        noSSH: m.noSSH ?? false,
        hostKey: stored.hostKeys[m.name],
      };
    }),
  };
}
