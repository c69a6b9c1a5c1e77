// The one place a PlaygroundSpec (what drivers are given) is made from a manifest: users,
// resources, startup files with the playground's SSH identity, networks and addresses,
// drives. The agent and the driver tests both call it, so a driver under test sees
// exactly what the agent would hand it.
import type { KeyPair, MachineSpec, PlaygroundSpec } from '../drivers/protocol';
import { machineSshIdentityFiles, withSshIdentity } from '../playgrounds/machine-ssh-identity';
import { machineDrives } from './drives';
import { planNetworks } from './networks';
import { machineResources, type MachineManifest, type PlaygroundManifest } from './schema';
import { machineUsers } from './users';

export interface SpecIdentity {
  id: string;
  /** Directory the agent reserves for the playground. */
  dir: string;
  /** The playground's SSH user key pair. */
  userKey: KeyPair;
  /** Host key of every machine, by name. */
  hostKeys: Readonly<Record<string, KeyPair>>;
}

/** The user terminals and `sandlot ssh` log in as: the one marked default, else the first listed, else root. */
export function defaultUserOf(m: MachineManifest): string {
  return m.users?.find((u) => u.default)?.name ?? m.users?.[0]?.name ?? 'root';
}

/** User names that exist in the machine: root plus the manifest's (root alone when it lists none). */
export function userNamesOf(m: MachineManifest): string[] {
  return (m.users ?? [{ name: 'root' }]).map((u) => u.name);
}

/**
 * The spec of a validated manifest. Throws when the manifest's networks or drives do not
 * plan (validateManifest reports the same problems with the file name first).
 */
export function buildPlaygroundSpec(manifest: PlaygroundManifest, identity: SpecIdentity): PlaygroundSpec {
  const { plan, problems } = planNetworks(manifest);
  const machines: MachineSpec[] = manifest.playground.machines.map((m, index) => {
    const drives = machineDrives(m, index);
    problems.push(...drives.problems);
    const hostKey = identity.hostKeys[m.name];
    if (!hostKey) throw new Error(`no host key for machine "${m.name}"`);
    const users = machineUsers(userNamesOf(m));
    return {
      name: m.name,
      index,
      image: drives.image,
      users,
      defaultUser: defaultUserOf(m),
      resources: machineResources(m.resources),
      startupFiles: withSshIdentity(m.startupFiles ?? [], machineSshIdentityFiles(users, identity.userKey, identity.hostKeys)),
      noSSH: m.noSSH ?? false,
      hostKey,
      interfaces: plan.interfaces.get(m.name) ?? [],
      defaultRoute: plan.defaultRoutes.get(m.name),
      drives: drives.drives,
    };
  });
  if (problems.length > 0) throw new Error(`manifest "${manifest.name}" does not plan:\n${problems.join('\n')}`);
  return { id: identity.id, dir: identity.dir, manifest, networks: plan.networks, machines, authorizedKey: identity.userKey.publicKey };
}
