// A running VM's identity written again from a spec (Driver.refreshIdentity; the warm
// pool does it once for each member it makes, with the member's own keys): the
// same script the docker driver runs in a container (drivers/docker/identity.ts: host key,
// authorized playground key, first-boot script, every user's playground key files),
// plus the hostname, run as root over SSH with the identity the machine still has —
// a VM has no `docker exec`, and its control port is only read at boot. The current key
// opens the machine for this one session; the script writes the spec's, and the
// connection is closed right after. The config disk is rewritten by the
// driver too, so a later boot of the same overlay applies the new identity again.
// sshd needs no restart: Sandlot's images' OpenSSH reads its host key per connection.
import type { Duplex } from 'node:stream';
import { SshRunner } from '../../tasks/ssh-runner';
import { identityScript } from '../docker/identity';
import { shq } from '../docker/first-boot';
import { playgroundLogin } from './guest-sync';
import type { MachineSpec, PlaygroundSpec } from '../protocol';

/**
 * The identity script, and the machine's name set again as its hostname (the kernel's and
 * /etc/hostname). Files rewritten in place and shell builtins only: every process start
 * costs ~0.1 s in a guest under software emulation, on the way to the user's shell.
 */
export function vmIdentityScript(spec: PlaygroundSpec, machine: MachineSpec): string {
  const name = shq(machine.name);
  return [
    identityScript(spec, machine, { inPlace: true }),
    `printf '%s\\n' ${name} >/etc/hostname`,
    `printf '%s\\n' ${name} >/proc/sys/kernel/hostname`,
    '',
  ].join('\n');
}

interface Known {
  /** The identity the machines have now. */
  spec: PlaygroundSpec;
}

/**
 * What the driver knows of the identities of the playgrounds it started, and writes new
 * ones (or a machine's own again: the warm pool does so when it makes a member). The
 * root session ends with the write: a handed-out member keeps the identity it was made
 * with. (The logins the agent keeps open for users' SSH connections are ssh-fronts.ts's.)
 */
export class VmIdentities {
  private readonly known = new Map<string, Known>();

  /** The machines of `spec.id` were started with `spec`'s identity. */
  started(spec: PlaygroundSpec): void {
    this.forget(spec.id);
    this.known.set(spec.id, { spec });
  }

  forget(id: string): void {
    this.known.delete(id);
  }

  close(): void {
    for (const id of [...this.known.keys()]) this.forget(id);
  }

  /** Writes `next`'s identity into every machine; rejects naming the machine when one cannot be reached or the script fails. */
  async refresh(next: PlaygroundSpec, connect: (machine: string) => Promise<Duplex>, timeoutMs: number): Promise<void> {
    const known = this.known.get(next.id);
    if (!known) throw new Error(`microvm driver: playground ${next.id} was not started by this agent: its machines' keys are unknown here`);
    const noSsh = next.machines.find((m) => m.noSSH);
    if (noSsh) throw new Error(`microvm driver: machine ${noSsh.name} runs no SSH server, so a running VM cannot be given a new identity`);
    const current = known.spec;
    const runner = new SshRunner({
      connect,
      privateKey: userKey(current),
      hostKey: (machine) => current.machines.find((m) => m.name === machine)?.hostKey.publicKey,
    });
    try {
      await Promise.all(
        next.machines.map(async (m) => {
          const r = await runner.run({ machine: m.name, user: 'root', program: vmIdentityScript(next, m), timeoutMs, direct: true });
          if (r.code !== 0) {
            const why = r.error ?? (r.timedOut ? 'timed out' : `exit ${r.code}: ${(r.stderr || r.stdout).trim().slice(-300)}`);
            throw new Error(`microvm driver: machine ${m.name}: writing its new keys failed (${why})`);
          }
        }),
      );
    } finally {
      runner.close();
    }
    if (this.known.get(next.id) === known) known.spec = next;
  }
}

/** The playground's private key as the spec gives it to the machines (guest-sync.ts): authorized for every user, root included. */
function userKey(spec: PlaygroundSpec): string {
  for (const m of spec.machines) {
    const login = playgroundLogin(spec, m);
    if (login) return login.privateKey;
  }
  throw new Error(`microvm driver: playground ${spec.id} carries no playground key to log in with`);
}
