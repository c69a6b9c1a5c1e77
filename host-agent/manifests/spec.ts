// The one place a PlaygroundSpec (what drivers are given) is made from a manifest: users,
// resources, startup files with the playground's SSH identity, networks and addresses,
// drives. The agent and the driver tests both call it, so a driver under test sees
// exactly what the agent would hand it.
import type { KeyPair, MachineSpec, MachineUser, PlaygroundSpec } from '../drivers/protocol';
import { machineSshIdentityFiles, withSshIdentity } from '../playgrounds/machine-ssh-identity';
import { machineDrives } from './drives';
import { planNetworks } from './networks';
import { machineResources, type MachineManifest, type PlaygroundManifest, type StartupFile } from './schema';
import { machineUsers } from './users';
import { welcomeFiles } from './welcome';

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
      startupFiles: [
        ...withSshIdentity(
          (m.startupFiles ?? []).map((f) => withOwnerNames(f, users)),
          machineSshIdentityFiles(users, identity.userKey, identity.hostKeys),
        ),
        ...welcomeFiles(m, users),
      ],
      noSSH: m.noSSH ?? false,
      hostKey,
      interfaces: plan.interfaces.get(m.name) ?? [],
      defaultRoute: plan.defaultRoutes.get(m.name),
      drives: drives.drives,
      ...(m.backend ? { backend: m.backend } : {}),
      ...(m.kernel ? { kernel: m.kernel.source } : {}),
    };
  });
  if (problems.length > 0) throw new Error(`manifest "${manifest.name}" does not plan:\n${problems.join('\n')}`);
  return { id: identity.id, dir: identity.dir, manifest, networks: plan.networks, machines, authorizedKey: identity.userKey.publicKey };
}

/**
 * Numeric owners (`1000`, `1000:1000`, iximiuz Labs' `UID[:GID]`) as the names of the
 * machine's users where they are known, so every driver resolves owners by name; other
 * ids stay numeric.
 */
function withOwnerNames(f: StartupFile, users: readonly MachineUser[]): StartupFile {
  if (f.owner === undefined || !/[0-9]/.test(f.owner[0])) return f;
  const [u, g] = f.owner.split(':');
  const byUid = /^[0-9]+$/.test(u) ? users.find((x) => x.uid === Number(u))?.name : u;
  const byGid = g !== undefined && /^[0-9]+$/.test(g) ? users.find((x) => x.gid === Number(g))?.name : g;
  if (byUid === undefined || (g !== undefined && byGid === undefined)) return f;
  return { ...f, owner: g === undefined ? byUid : `${byUid}:${byGid}` };
}
