// The uids, homes and shells a manifest's user names get inside a machine, the same on
// every driver so a playground's record does not depend on where it runs.
import type { MachineUser } from '../drivers/protocol';

/** Machine users: root, then the manifest's others as 1000, 1001, … with homes in /home. */
export function machineUsers(names: string[]): MachineUser[] {
  let next = 1000;
  const users: MachineUser[] = [{ name: 'root', uid: 0, gid: 0, home: '/root', shell: '/bin/bash' }];
  for (const name of names) {
    if (name === 'root') continue;
    const id = next++;
    users.push({ name, uid: id, gid: id, home: `/home/${name}`, shell: '/bin/bash' });
  }
  return users;
}
