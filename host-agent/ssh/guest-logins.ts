// Logins the agent keeps open in a machine's own sshd, one set per machine, so that the
// user's SSH connections (which end in the agent: guest-front.ts) open their shells,
// commands, SFTP and forwards as channels of a login made earlier. Under software
// emulation a login costs the guest 0.3–3 s (sshd's re-exec, key exchange, PAM's account
// stack) and a channel on an open login ≈ 0.1 s; with KVM both are milliseconds.
import type { Duplex } from 'node:stream';
import { Client } from 'ssh2';
import { errorMessage } from '../util/errors';
import { hostKeyBlob } from './connect';

export interface GuestLoginsOptions {
  /** Raw bytes to the machine's own sshd (its port 22). */
  connect(): Promise<Duplex>;
  /** The playground key: authorized for every user of the machine. */
  privateKey: string;
  /** The machine's host key (public key line): a login to anything else is refused. */
  hostKey: string;
  /** How long one login may take (a VM under emulation on a loaded host is slow). */
  timeoutMs: number;
  log: (level: 'info' | 'warn' | 'error', message: string) => void;
}

/** OpenSSH's default MaxSessions: sessions (shells, commands, SFTP) one login carries at once. */
export const SESSIONS_PER_LOGIN = 10;

// A login that stops answering is dropped after KEEPALIVE_MS × KEEPALIVE_MISSES (a paused
// VM — a snapshot's copy — must survive its pause; a dead one must not hold sessions).
const KEEPALIVE_MS = 15_000;
const KEEPALIVE_MISSES = 4;
/** How recent a guest's answer proves it still serves (see answers()). */
const ANSWER_FRESH_MS = 2000;

interface Login {
  user: string;
  /** When the guest last answered on it (performance.now()): its login, or a round trip. */
  answeredAt: number;
  ready: Promise<Client>;
  sessions: number;
  closed: boolean;
  client: Client;
  /** Ends it, and fails its `ready` when it was still logging in. */
  end(): void;
}

/** One session's room on a login: `release()` when its channel has closed. */
export interface SessionLease {
  client: Client;
  /**
   * The login refused the session: true when it carried others (its sshd's MaxSessions is
   * lower than ours, now learned: a new lease goes to a login with room), false when it
   * refuses even one (trying again would not help).
   */
  refused(): boolean;
  release(): void;
}

export class GuestLogins {
  private readonly logins: Login[] = [];
  private closed = false;
  /** Sessions per login: sshd's default until one refuses fewer. */
  private sessionsPerLogin = SESSIONS_PER_LOGIN;

  constructor(private readonly opts: GuestLoginsOptions) {}

  /** A login as `user`, opened when none is: for forwarded connections, which sshd does not count as sessions. */
  client(user: string): Promise<Client> {
    return (this.find(user, false) ?? this.open(user)).ready;
  }

  /** Room for one more session as `user`, on an open login or a new one. */
  async session(user: string): Promise<SessionLease> {
    const login = this.find(user, true) ?? this.open(user);
    login.sessions++;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      login.sessions--;
      // A user's first login stays for the next connection; the extra ones live while they carry sessions.
      if (login.sessions === 0 && this.find(login.user, false) !== login) login.end();
    };
    try {
      const client = await login.ready;
      const refused = () => {
        const others = login.sessions - 1;
        if (others < 1) return false;
        this.sessionsPerLogin = Math.min(this.sessionsPerLogin, others);
        return true;
      };
      return { client, refused, release };
    } catch (err) {
      release();
      throw err;
    }
  }

  /**
   * Resolves once the guest answers a round trip on a login as `user` (opened when none is):
   * the machine runs and its sshd serves. An answer (or a new login) within the last
   * ANSWER_FRESH_MS counts: a warm pool's hand-out has just checked when the user's first
   * connection asks, and under emulation each round trip waits for the guest's vCPU.
   */
  async answers(user: string, timeoutMs: number): Promise<void> {
    const login = this.find(user, false) ?? this.open(user);
    const client = await login.ready;
    if (performance.now() - login.answeredAt < ANSWER_FRESH_MS) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`its sshd did not answer in ${timeoutMs} ms`)), timeoutMs);
      // Cancelling a forward nobody asked for: sshd's connection process answers "failure"
      // itself, with no process started and nothing logged — a pure round trip.
      try {
        client.unforwardIn('sandlot.invalid', 0, () => {
          clearTimeout(timer);
          login.answeredAt = performance.now();
          resolve();
        });
      } catch (err) {
        clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
  }

  /** Ends every login: the sessions on them end too. */
  close(): void {
    this.closed = true;
    for (const l of this.logins.splice(0)) l.end();
  }

  private find(user: string, forSession: boolean): Login | undefined {
    return this.logins.find((l) => l.user === user && !l.closed && (!forSession || l.sessions < this.sessionsPerLogin));
  }

  private open(user: string): Login {
    if (this.closed) throw new Error('the machine is stopping');
    const client = new Client();
    let settle: { resolve: (c: Client) => void; reject: (err: Error) => void } | undefined;
    const promise = new Promise<Client>((resolve, reject) => (settle = { resolve, reject }));
    let ready = false;
    const fail = (err: Error) => {
      if (!ready) settle!.reject(err);
    };
    const drop = () => {
      login.closed = true;
      const i = this.logins.indexOf(login);
      if (i >= 0) this.logins.splice(i, 1);
    };
    const login: Login = {
      user,
      client,
      sessions: 0,
      answeredAt: -Infinity,
      closed: false,
      ready: promise,
      end: () => {
        drop();
        fail(new Error(`logging in as ${user}: the machine is stopping`));
        client.end();
      },
    };
    client.once('ready', () => {
      ready = true;
      login.answeredAt = performance.now();
      settle!.resolve(client);
    });
    client.on('error', (err) => {
      if (!ready) return fail(new Error(`logging in as ${user}: ${err.message}`));
      this.opts.log('warn', `login as ${user}: ${err.message}`);
    });
    client.on('close', () => {
      drop();
      fail(new Error(`logging in as ${user}: the connection closed`));
    });
    this.opts.connect().then(
      (sock) => {
        if (login.closed) return sock.destroy();
        client.connect({
          sock,
          username: user,
          privateKey: this.opts.privateKey,
          hostVerifier: (blob: Buffer) => blob.toString('base64') === hostKeyBlob(this.opts.hostKey),
          readyTimeout: this.opts.timeoutMs,
          keepaliveInterval: KEEPALIVE_MS,
          keepaliveCountMax: KEEPALIVE_MISSES,
        });
      },
      (err: unknown) => {
        drop();
        fail(new Error(`logging in as ${user}: ${errorMessage(err)}`));
      },
    );
    // Rejections are the callers'; this one only keeps an unawaited failure from being unhandled.
    login.ready.catch(() => undefined);
    this.logins.push(login);
    return login;
  }
}
