// An ssh2 client connection to a machine through the agent's tunnel, authenticated with
// the playground key and verifying the machine's host key (never "accept any").
import { Client } from 'ssh2';
import type { AgentClient } from '../api/client';
import type { PlaygroundRecord } from '../api/protocol';

export function hostKeyBlob(publicKeyLine: string): string {
  return publicKeyLine.trim().split(/\s+/)[1] ?? '';
}

export async function connectMachine(agent: AgentClient, record: PlaygroundRecord, machine: string, user?: string, privateKey?: string): Promise<Client> {
  const m = record.machines.find((x) => x.name === machine);
  if (!m) throw new Error(`playground ${record.id} has no machine "${machine}"`);
  // Two round trips to the agent, side by side: the first login to a new playground waits for both.
  const [keyGot, sockGot] = await Promise.allSettled([privateKey ?? agent.sshKey(record.id).then((k) => k.privateKey), agent.tunnel(record.id, machine, 22)]);
  if (keyGot.status === 'rejected') {
    if (sockGot.status === 'fulfilled') sockGot.value.destroy();
    throw keyGot.reason;
  }
  if (sockGot.status === 'rejected') throw sockGot.reason;
  const [key, sock] = [keyGot.value, sockGot.value];
  const client = new Client();
  await new Promise<void>((resolve, reject) => {
    client.once('ready', resolve);
    client.once('error', (err: Error & { level?: string }) =>
      reject(
        err.level === 'client-authentication' ? new Error(`SSH login as ${user ?? m.defaultUser} refused by ${machine} (users: ${m.users.join(', ')})`) : err,
      ),
    );
    client.connect({
      sock,
      username: user ?? m.defaultUser,
      privateKey: key,
      hostVerifier: (blob: Buffer) => blob.toString('base64') === hostKeyBlob(m.hostKey),
      readyTimeout: 30_000,
    });
  });
  return client;
}
