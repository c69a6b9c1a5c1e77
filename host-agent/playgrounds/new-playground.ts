// What a new playground is made of before any driver runs: its record (state
// `provisioning`, one machine record per manifest machine) and its keys. The spec the
// drivers act on comes from manifests/spec.ts.
import { hostAlias, type DriverName, type PlaygroundRecord } from '../api/protocol';
import { generateEd25519 } from '../keys/keys';
import { machineResources, type PlaygroundManifest } from '../manifests/schema';
import { defaultUserOf, userNamesOf } from '../manifests/spec';
import { machineUsers } from '../manifests/users';
import type { StoredPlayground } from './store';

export interface NewPlayground {
  id: string;
  manifest: PlaygroundManifest;
  manifestText: string;
  manifestName: string;
  template: string;
  driver: DriverName;
  lifetimeMinutes: number;
  labels?: Record<string, string>;
  now?: Date;
  /** The keys of a warm pool member being handed out (made for it alone, never used by anyone else); fresh ones otherwise. */
  keys?: Pick<StoredPlayground, 'userKey' | 'hostKeys'>;
}

/** The stored form of a playground about to be made: record, manifest text and keys (fresh unless given). */
export function newStoredPlayground(p: NewPlayground): StoredPlayground {
  const userKey = p.keys?.userKey ?? generateEd25519(`sandlot ${p.id}`);
  const hostKeys = p.keys?.hostKeys ?? Object.fromEntries(p.manifest.playground.machines.map((m) => [m.name, generateEd25519(hostAlias(p.id, m.name))]));
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
    ...(p.labels && Object.keys(p.labels).length > 0 ? { labels: { ...p.labels } } : {}),
    machines: p.manifest.playground.machines.map((m) => {
      const users = machineUsers(userNamesOf(m));
      const defaultUser = defaultUserOf(m);
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
