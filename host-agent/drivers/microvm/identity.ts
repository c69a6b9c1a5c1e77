// A new identity for the running VMs of a playground handed out from the warm pool: the
// same script the docker driver runs in a container (drivers/docker/identity.ts: host key,
// authorized playground key, first-boot script, every user's playground key files),
// plus the hostname, run as root over SSH with the identity the machine still has —
// a VM has no `docker exec`, and its control port is only read at boot. The old key
// opens the machine for this one session; the script replaces it, and the connection
// is closed before anyone learns the playground. The config disk is rewritten by the
// driver too, so a later boot of the same overlay applies the new identity again.
// sshd needs no restart: Sandlot's images' OpenSSH reads its host key per connection.
import type { Duplex } from 'node:stream';
import { SshRunner } from '../../tasks/ssh-runner';
import { identityScript } from '../docker/identity';
import { shq } from '../docker/first-boot';
import type { MachineSpec, PlaygroundSpec } from '../protocol';

export interface VmIdentityChange {
  /** The identity the machines have now (what they were started with). */
  current: PlaygroundSpec;
  /** The identity they get. */
  next: PlaygroundSpec;
  connect(machine: string): Promise<Duplex>;
  /** Per run of the script; generous: the guest may run under software emulation. */
  timeoutMs?: number;
}

/** The identity script, and the machine's name set again as its hostname (the kernel's and /etc/hostname). */
export function vmIdentityScript(spec: PlaygroundSpec, machine: MachineSpec): string {
  return [identityScript(spec, machine), `printf '%s\\n' ${shq(machine.name)} >/etc/hostname`, `hostname ${shq(machine.name)}`, ''].join('\n');
}

/** Writes the new identity into every machine; rejects naming the machine when one cannot be reached or the script fails. */
export async function refreshVmIdentity(change: VmIdentityChange): Promise<void> {
  const { current, next } = change;
  const noSsh = next.machines.find((m) => m.noSSH);
  if (noSsh) throw new Error(`microvm driver: machine ${noSsh.name} runs no SSH server, so a running VM cannot be given a new identity`);
  const runner = new SshRunner({
    connect: (machine) => change.connect(machine),
    privateKey: current.machines.length > 0 ? currentUserKey(current) : '',
    hostKey: (machine) => current.machines.find((m) => m.name === machine)?.hostKey.publicKey,
  });
  try {
    await Promise.all(
      next.machines.map(async (m) => {
        const r = await runner.run({ machine: m.name, user: 'root', program: vmIdentityScript(next, m), timeoutMs: change.timeoutMs ?? 60_000 });
        if (r.code !== 0) {
          const why = r.error ?? (r.timedOut ? 'timed out' : `exit ${r.code}: ${(r.stderr || r.stdout).trim().slice(-300)}`);
          throw new Error(`microvm driver: machine ${m.name}: writing its new keys failed (${why})`);
        }
      }),
    );
  } finally {
    runner.close();
  }
}

/** The playground's user private key, from the identity files the spec gives root. */
function currentUserKey(spec: PlaygroundSpec): string {
  for (const m of spec.machines) {
    const key = m.startupFiles.find((f) => f.path === '/root/.ssh/id_ed25519');
    if (key) return key.content;
  }
  throw new Error(`microvm driver: playground ${spec.id} carries no playground key to log in with`);
}
