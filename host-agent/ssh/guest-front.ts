// The SSH server the agent shows for a machine that runs its own sshd (a VM): the user's
// connection ends here — with the machine's own host key, and the playground key as the
// only way in, as in the machine — and each of its channels (shell with or without a PTY,
// command, SFTP and any other subsystem, direct-tcpip, direct-streamlocal) is opened again
// on a login the agent keeps open in the machine's sshd as the same user (guest-logins.ts).
// So a new connection costs the agent's key exchange instead of the guest's, and the
// guest only starts the session's own processes. What the user runs is still sshd's
// session as that user: PAM's session stack, the login shell, sshd's AcceptEnv, exit
// codes and signals as they come. Remote forwarding (`ssh -R`), agent and X11 forwarding
// are refused, as in the sandbox driver's server.
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { Server, type Client, type ClientChannel, type Connection, type ParsedKey, type PseudoTtyInfo, type ServerChannel, type Session } from 'ssh2';
import { errorMessage } from '../util/errors';
import type { GuestLogins } from './guest-logins';
import { checkPlaygroundKey, parsePlaygroundKey } from './playground-key';

type Log = (level: 'info' | 'warn' | 'error', message: string) => void;

export interface GuestFrontOptions {
  /** The machine's host key (OpenSSH private key): the same one its sshd shows. */
  hostKey: string;
  /** The playground's public key, the only one accepted. */
  authorizedKey: string;
  logins: GuestLogins;
  /** The user whose login proves the guest answers before a connection gets its banner. */
  defaultUser: string;
  /** How long the guest may take to answer (and a login to open) before a connection goes to its sshd itself. */
  answerTimeoutMs: number;
  /**
   * Raw bytes to the machine's own sshd: a connection goes there when no login of the
   * agent's answers (the default user can no longer log in with the playground key, …),
   * so the machine stays reachable exactly as its sshd allows.
   */
  passThrough: () => Promise<Duplex>;
  log: Log;
}

export class GuestSshFront {
  private readonly server: Server;
  private readonly allowedKey: ParsedKey;
  private readonly connections = new Set<Connection>();
  private readonly pending = new Set<Duplex>();

  constructor(private readonly opts: GuestFrontOptions) {
    this.allowedKey = parsePlaygroundKey(opts.authorizedKey);
    // The SFTP side is the machine's OpenSSH sftp-server: clients decide on OpenSSH's SFTP quirks from this banner.
    this.server = new Server({ hostKeys: [opts.hostKey], ident: 'OpenSSH_9.2 Sandlot' }, (client) => this.onClient(client));
  }

  /**
   * Serves one SSH connection arriving on `stream`. Its banner is sent once the guest has
   * answered on a login, so a client (and the warm pool's health check, and a boot's wait
   * for sshd) sees `SSH-` only from a machine that serves SSH.
   */
  accept(stream: Duplex): void {
    this.pending.add(stream);
    stream.once('close', () => this.pending.delete(stream));
    this.opts.logins.answers(this.opts.defaultUser, this.opts.answerTimeoutMs).then(
      () => {
        this.pending.delete(stream);
        if (stream.destroyed) return;
        // ssh2 types injectSocket as taking a net.Socket; it only reads and writes the stream.
        // eslint-disable-next-line @typescript-eslint/no-unsafe-type-assertion -- see above
        this.server.injectSocket(stream as Socket);
      },
      (err: unknown) => {
        this.opts.log('warn', `ssh: no login of the agent's answers in the machine (${errorMessage(err)}): this connection goes to its sshd itself`);
        this.opts.passThrough().then(
          // Stays in `pending`: close() ends it like a connection served here.
          (sock) => {
            if (stream.destroyed) return sock.destroy();
            stream.pipe(sock).pipe(stream);
            stream.on('close', () => sock.destroy());
            sock.on('close', () => stream.destroy());
            stream.on('error', () => sock.destroy());
            sock.on('error', () => stream.destroy());
          },
          (passErr: unknown) => {
            this.pending.delete(stream);
            this.opts.log('warn', `ssh: the machine's sshd cannot be reached either: ${errorMessage(passErr)}`);
            stream.destroy();
          },
        );
      },
    );
  }

  close(): void {
    for (const s of this.pending) s.destroy();
    this.pending.clear();
    for (const c of this.connections) c.end();
    this.connections.clear();
  }

  private onClient(client: Connection): void {
    this.connections.add(client);
    let user: string | undefined;
    client.on('authentication', (ctx) => {
      if (ctx.method !== 'publickey') return ctx.reject(['publickey']);
      const check = checkPlaygroundKey(ctx, this.allowedKey);
      if (check === 'rejected') return ctx.reject(['publickey']);
      if (check === 'probe') return ctx.accept();
      // The machine decides who may log in (a user made inside it, root, …): its sshd takes the same key.
      this.opts.logins.client(ctx.username).then(
        () => {
          user = ctx.username;
          ctx.accept();
        },
        (err: unknown) => {
          this.opts.log('info', `ssh: login as ${ctx.username} refused: ${errorMessage(err)}`);
          ctx.reject(['publickey']);
        },
      );
    });
    client.on('ready', () => {
      const as = user!;
      client.on('session', (accept) => this.onSession(accept(), as));
      client.on('tcpip', (accept, reject, info) => {
        this.forward(as, reject, accept, (c, cb) => c.forwardOut(info.srcIP, info.srcPort, info.destIP, info.destPort, cb), `${info.destIP}:${info.destPort}`);
      });
      client.on('openssh.streamlocal', (accept, reject, info) => {
        this.forward(as, reject, accept, (c, cb) => c.openssh_forwardOutStreamLocal(info.socketPath, cb), info.socketPath);
      });
    });
    client.on('error', (err) => this.opts.log('warn', `ssh connection: ${err.message}`));
    client.on('close', () => this.connections.delete(client));
  }

  /** A forwarded connection, opened in the machine by its sshd: refused here when sshd refuses it. */
  private forward(
    user: string,
    reject: () => void,
    accept: () => ServerChannel,
    open: (c: Client, cb: (err: Error | undefined, ch: ClientChannel) => void) => void,
    what: string,
  ): void {
    this.opts.logins
      .client(user)
      .then(
        (c) =>
          new Promise<ClientChannel>((resolve, fail) => {
            open(c, (err, ch) => (err ? fail(err) : resolve(ch)));
          }),
      )
      .then(
        (inner) => {
          const outer = accept();
          outer.pipe(inner).pipe(outer);
          outer.on('close', () => inner.close());
          inner.on('close', () => outer.close());
        },
        (err: unknown) => {
          this.opts.log('info', `ssh: forwarding to ${what} refused: ${errorMessage(err)}`);
          reject();
        },
      );
  }

  private onSession(session: Session, user: string): void {
    let pty: PseudoTtyInfo | undefined;
    const env: Record<string, string> = {};
    let inner: ClientChannel | undefined;
    // Requests that arrive before the command starts are the ones sshd takes before it too.
    session.on('pty', (accept, _reject, info) => {
      pty = info;
      accept?.();
    });
    session.on('env', (accept, _reject, info) => {
      // sshd decides (its AcceptEnv): the reply to the client cannot wait for it, as in OpenSSH's client, which does not ask for one.
      env[info.key] = info.val;
      accept?.();
    });
    session.on('window-change', (accept, _reject, info) => {
      if (pty) pty = { ...pty, cols: info.cols, rows: info.rows, width: info.width, height: info.height };
      inner?.setWindow(info.rows, info.cols, info.height, info.width);
      accept?.();
    });
    session.on('signal', (accept, _reject, info) => {
      // ssh2 throws on a name outside RFC 4254's list; sshd would ignore it too.
      try {
        inner?.signal(info.name);
      } catch {
        /* not a signal sshd knows */
      }
      accept?.();
    });
    type Start = (c: Client, cb: (err: Error | undefined, ch: ClientChannel) => void) => void;
    // Accepted at once: ssh2 drops a request still unanswered when the client's EOF comes
    // (`ssh host cmd </dev/null`), and the channel keeps what the client sends meanwhile.
    const run = (accept: () => ServerChannel | undefined, start: Start, what: string) => {
      const outer = accept();
      if (!outer) return;
      const fail = (err: unknown) => {
        this.opts.log('warn', `ssh: ${what} as ${user}: ${errorMessage(err)}`);
        outer.stderr.write(`sandlot: the machine did not start the ${what}: ${errorMessage(err)}\r\n`);
        outer.exit(255);
        outer.end();
      };
      const attempt = (): Promise<void> =>
        this.opts.logins.session(user).then(
          (lease) =>
            start(lease.client, (err, ch) => {
              if (err) {
                // A session channel sshd would not open (OpenSSH says only "open failed") on a login
                // carrying others: its MaxSessions is lower than ours, and another login takes it.
                const again = (err as Error & { reason?: number }).reason !== undefined && lease.refused();
                lease.release();
                return again ? attempt() : fail(err);
              }
              inner = ch;
              ch.once('close', () => lease.release());
              relay(outer, ch);
            }),
          fail,
        );
      void attempt();
    };
    const ptyOptions = () => pty && { rows: pty.rows, cols: pty.cols, width: pty.width, height: pty.height, term: pty.term, modes: pty.modes ?? undefined };
    session.on('shell', (accept) => run(accept, (c, cb) => c.shell(ptyOptions() ?? false, { env }, cb), 'shell'));
    session.on('exec', (accept, _reject, info) => run(accept, (c, cb) => c.exec(info.command, { env, pty: ptyOptions() }, cb), 'command'));
    session.on('subsystem', (accept, _reject, info) => run(accept, (c, cb) => c.subsys(info.name, cb), `subsystem ${info.name}`));
  }
}

/**
 * Bytes both ways, then what the session ended with: its exit status or signal is passed
 * on once every byte of its output has been, and each side's close closes the other.
 */
function relay(outer: ServerChannel, inner: ClientChannel): void {
  outer.pipe(inner);
  inner.pipe(outer, { end: false });
  inner.stderr.pipe(outer.stderr, { end: false });
  let exit: { code: number | null; signal?: string; dumped?: boolean; description?: string } | undefined;
  // ssh2 emits the channel's close once its output has ended; its errors' end can come after.
  let closed = false;
  let errorsEnded = false;
  let ended = false;
  const finish = () => {
    if (ended || !closed || !errorsEnded) return;
    ended = true;
    try {
      if (exit?.signal) outer.exit(exit.signal, exit.dumped ?? false, exit.description ?? '');
      else if (exit && exit.code !== null) outer.exit(exit.code);
    } catch {
      // A signal outside RFC 4254's list (ssh2 refuses to send it): the status a shell would show.
      outer.exit(255);
    }
    outer.end();
  };
  inner.on('exit', (code: number | null, signal?: string, dumped?: boolean, description?: string) => {
    exit = { code, signal: signal ?? undefined, dumped, description };
  });
  inner.stderr.once('end', () => ((errorsEnded = true), finish()));
  inner.once('close', () => ((closed = true), finish()));
  outer.on('close', () => inner.close());
  outer.on('error', () => inner.close());
  inner.on('error', () => outer.close());
}
