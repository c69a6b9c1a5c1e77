// Before a running VM's disks are copied, its kernel must write what it holds in its page
// cache: pausing QEMU flushes QEMU's own caches, not the guest's, and a file written a few
// seconds earlier would be missing from the copy. The guest has no agent of ours to ask,
// so the driver logs in over SSH (through the playground's namespace, like any user) with
// the playground key pair the spec hands every machine, and runs `sync`.
import type { Duplex } from 'node:stream';
import { Client } from 'ssh2';
import { hostKeyBlob } from '../../ssh/connect';
import type { MachineSpec, PlaygroundSpec } from '../protocol';

export interface GuestLogin {
  user: string;
  privateKey: string;
}

/**
 * The playground key pair as the spec gives it to the machine (a user's `~/.ssh/id_ed25519`
 * whose public half is the authorized key), with that user; undefined when the manifest
 * replaced every such file with a key of its own.
 */
export function playgroundLogin(spec: PlaygroundSpec, m: MachineSpec): GuestLogin | undefined {
  const files = new Map(m.startupFiles.map((f) => [f.path, f]));
  const publicKey = spec.authorizedKey.trim().split(/\s+/).slice(0, 2).join(' ');
  for (const f of m.startupFiles) {
    if (!f.path.endsWith('/.ssh/id_ed25519') || !f.owner) continue;
    const pub = files.get(`${f.path}.pub`)?.content.trim().split(/\s+/).slice(0, 2).join(' ');
    if (pub === publicKey) return { user: f.owner.split(':')[0], privateKey: f.content };
  }
  return undefined;
}

/** Runs `sync` in the machine over SSH on `sock` (its port 22), checking its host key. */
export function syncGuest(sock: Duplex, m: MachineSpec, login: GuestLogin, timeoutMs: number): Promise<void> {
  const client = new Client();
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`sync in ${m.name} took over ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
    const fail = (err: Error) => {
      clearTimeout(timer);
      client.end();
      sock.destroy();
      reject(err);
    };
    client.once('error', (err) => fail(err));
    client.once('ready', () => {
      client.exec('sync', (err, stream) => {
        if (err) return fail(err);
        stream.resume();
        stream.stderr.resume();
        stream.once('exit', (code: number | null) => {
          if (code !== 0) return fail(new Error(`sync in ${m.name} exited with ${code}`));
          clearTimeout(timer);
          client.end();
          resolve();
        });
      });
    });
    client.connect({
      sock,
      username: login.user,
      privateKey: login.privateKey,
      hostVerifier: (blob: Buffer) => blob.toString('base64') === hostKeyBlob(m.hostKey.publicKey),
      readyTimeout: timeoutMs,
    });
  });
}
