// Each VM's port 22, as the agent serves it: an SSH front in the agent (ssh/guest-front.ts)
// over logins it keeps open in the guest's sshd (ssh/guest-logins.ts). A user's connection
// then costs the guest one channel instead of one login: under software emulation that is
// the difference between ≈ 0.1 s and 0.3–3 s. A machine without SSH, or one whose
// manifest replaced every copy of the playground key (the agent cannot log in as anyone),
// has no front: its port 22 is the guest's own, as any other port.
import type { Duplex } from 'node:stream';
import { GuestSshFront } from '../../ssh/guest-front';
import { GuestLogins } from '../../ssh/guest-logins';
import { duplexPair } from '../../util/duplex-pair';
import type { MachineSpec, PlaygroundSpec } from '../protocol';
import { playgroundLogin } from './guest-sync';

type Log = (level: 'info' | 'warn' | 'error', message: string, machine?: string) => void;

interface Front {
  front: GuestSshFront;
  logins: GuestLogins;
  /** The identity it serves: another one (a refreshed identity) makes a new front. */
  identity: string;
}

export class VmSshFronts {
  private readonly fronts = new Map<string, Front>();

  constructor(
    private readonly opts: {
      /** Raw bytes to the guest's own sshd. */
      guestConnect: (spec: PlaygroundSpec, machine: string) => Promise<Duplex>;
      log: Log;
    },
  ) {}

  /** A connection to the machine's SSH as the agent serves it, or undefined when it has no front. */
  connect(spec: PlaygroundSpec, m: MachineSpec, timeoutMs: number): Duplex | undefined {
    const front = this.frontFor(spec, m, timeoutMs);
    if (!front) return undefined;
    const [ours, theirs] = duplexPair();
    front.front.accept(ours);
    return theirs;
  }

  /** Opens the default user's login now, so the user's first connection finds it open; rejects when it cannot be opened. */
  async warm(spec: PlaygroundSpec, m: MachineSpec, timeoutMs: number): Promise<void> {
    await this.frontFor(spec, m, timeoutMs)?.logins.answers(m.defaultUser, timeoutMs);
  }

  /** Ends the fronts of a playground (stopped, destroyed) and every login they hold in its machines. */
  forget(id: string): void {
    for (const [key, f] of this.fronts) {
      if (!key.startsWith(`${id}/`)) continue;
      f.front.close();
      f.logins.close();
      this.fronts.delete(key);
    }
  }

  close(): void {
    for (const f of this.fronts.values()) {
      f.front.close();
      f.logins.close();
    }
    this.fronts.clear();
  }

  private frontFor(spec: PlaygroundSpec, m: MachineSpec, timeoutMs: number): Front | undefined {
    const login = m.noSSH ? undefined : playgroundLogin(spec, m);
    if (!login) return undefined;
    const key = `${spec.id}/${m.name}`;
    const identity = `${m.hostKey.publicKey}\n${spec.authorizedKey}`;
    const known = this.fronts.get(key);
    if (known?.identity === identity) return known;
    if (known) {
      known.front.close();
      known.logins.close();
    }
    const log = (level: 'info' | 'warn' | 'error', message: string) => this.opts.log(level, `microvm: ${message}`, m.name);
    const logins = new GuestLogins({
      connect: () => this.opts.guestConnect(spec, m.name),
      privateKey: login.privateKey,
      hostKey: m.hostKey.publicKey,
      timeoutMs,
      log,
    });
    const front = new GuestSshFront({
      hostKey: m.hostKey.privateKey,
      authorizedKey: spec.authorizedKey,
      logins,
      defaultUser: m.defaultUser,
      answerTimeoutMs: timeoutMs,
      passThrough: () => this.opts.guestConnect(spec, m.name),
      log,
    });
    const made = { front, logins, identity };
    this.fronts.set(key, made);
    return made;
  }
}
