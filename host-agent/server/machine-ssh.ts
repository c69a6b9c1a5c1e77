// The agent's own SSH login to a machine (exec, run): through the driver's connection to
// port 22, with the playground's key, accepting only the machine's recorded host key.
import { Client } from 'ssh2';
import { ApiProblem } from '../api/protocol';
import { publicKeyBody } from '../keys/keys';
import type { PlaygroundManager } from '../playgrounds/manager';

/** An SSH client logged in to `machine` as `user` (default: the machine's default user); `provisioning`: see manager.connect. */
export async function loginToMachine(
  manager: PlaygroundManager,
  id: string,
  machine: string,
  user: string | undefined,
  provisioning = false,
): Promise<{ client: Client; user: string }> {
  const record = manager.get(id);
  const m = record.machines.find((x) => x.name === machine);
  if (!m)
    throw new ApiProblem('machine_not_found', `playground ${id} has no machine "${machine}" (machines: ${record.machines.map((x) => x.name).join(', ')})`);
  const login = user ?? m.defaultUser ?? 'root';
  if (!m.users.includes(login)) throw new ApiProblem('invalid_request', `user: machine ${machine} has no user "${login}" (users: ${m.users.join(', ')})`);
  const sock = await manager.connect(id, machine, 22, false, provisioning);
  const expectedHostKey = publicKeyBody(m.hostKey);
  const client = new Client();
  await new Promise<void>((resolve, reject) => {
    client.once('ready', resolve).once('error', (err) => reject(new ApiProblem('exec_failed', `cannot log in to ${machine} as ${login}: ${err.message}`)));
    client.connect({
      sock,
      username: login,
      privateKey: manager.userKey(id).privateKey,
      hostVerifier: (key: Buffer) => hostKeyMatches(key, expectedHostKey),
      readyTimeout: 20_000,
    });
  });
  return { client, user: login };
}

function hostKeyMatches(key: Buffer, expected: string): boolean {
  // ssh2 hands the raw public key blob: compare with the base64 part of the line.
  return key.toString('base64') === expected.split(' ')[1];
}
