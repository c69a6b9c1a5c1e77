// The SSH server of a sandbox machine, embedded in the agent (ssh2). It authenticates
// the playground's user key only, with the machine's own host key, and runs what a
// client asks for inside the machine through MachineProcesses: shells with a real PTY,
// exec with exit codes, SFTP (OpenSSH's sftp-server, inside the machine's mount
// namespace, so it sees exactly the machine's files) and direct-tcpip forwarding.
import type { ChildProcess } from 'node:child_process';
import type { Duplex } from 'node:stream';
import { Server, type Connection, type ParsedKey, type ServerChannel, type PseudoTtyInfo, type Session } from 'ssh2';
import type { Socket } from 'node:net';
import { constants } from 'node:os';
import { checkPlaygroundKey, parsePlaygroundKey } from '../../ssh/playground-key';
import { errorMessage } from '../../util/errors';
import type { MachineUser } from '../protocol';

export interface PtyHandle {
  write(data: string | Buffer): void;
  resize(cols: number, rows: number): void;
  kill(signal?: string): void;
  onData(cb: (data: string | Buffer) => void): void;
  onExit(cb: (e: { exitCode: number; signal?: number }) => void): void;
}

export interface MachineProcesses {
  user(name: string): MachineUser | undefined;
  spawnPty(user: MachineUser, opts: { cols: number; rows: number; term: string; env: Record<string, string>; command?: string }): PtyHandle;
  spawnExec(user: MachineUser, env: Record<string, string>, command: string): ChildProcess;
  spawnSftp(user: MachineUser): ChildProcess;
  connect(host: string, port: number): Promise<Duplex>;
}

type Log = (level: 'info' | 'warn' | 'error', message: string) => void;

// Environment a client may pass (as OpenSSH's default AcceptEnv does).
const ACCEPTED_ENV = /^(LANG|LC_[A-Z]+|TERM|COLORTERM|SANDLOT_[A-Z_]+)$/;

const SIGNALS: Record<number, string> = { 1: 'HUP', 2: 'INT', 3: 'QUIT', 6: 'ABRT', 9: 'KILL', 13: 'PIPE', 15: 'TERM' };

export class MachineSshServer {
  private readonly server: Server;
  private readonly connections = new Set<Connection>();
  private readonly allowedKey: ParsedKey;

  constructor(
    hostKey: string,
    authorizedKey: string,
    private readonly processes: MachineProcesses,
    private readonly log: Log,
  ) {
    this.allowedKey = parsePlaygroundKey(authorizedKey);
    // The SFTP side is OpenSSH's own sftp-server, so clients must apply OpenSSH's SFTP
    // quirks (e.g. the swapped SYMLINK arguments); they decide that from this banner.
    this.server = new Server(
      { hostKeys: [hostKey], ident: 'OpenSSH_9.2 Sandlot', debug: process.env.SANDLOT_SSH_DEBUG ? (m: string) => console.error('SRV', m) : undefined },
      (client) => this.onClient(client),
    );
  }

  /** Serves one SSH connection arriving on any byte stream (tunnel, TCP socket, pipe). */
  accept(stream: Duplex): void {
    // ssh2 types injectSocket as taking a net.Socket, but it only reads and writes the
    // stream (tunnels and duplex pairs are served this way since issue 2).
    // eslint-disable-next-line @typescript-eslint/no-unsafe-type-assertion -- see above
    this.server.injectSocket(stream as Socket);
  }

  close(): void {
    for (const c of this.connections) c.end();
    this.connections.clear();
  }

  private onClient(client: Connection): void {
    this.connections.add(client);
    let user: MachineUser | undefined;
    client.on('authentication', (ctx) => {
      const candidate = this.processes.user(ctx.username);
      if (ctx.method !== 'publickey' || !candidate) return ctx.reject(['publickey']);
      const check = checkPlaygroundKey(ctx, this.allowedKey);
      if (check === 'rejected') return ctx.reject(['publickey']);
      if (check === 'probe') return ctx.accept();
      user = candidate;
      ctx.accept();
    });
    client.on('ready', () => {
      client.on('session', (accept) => this.onSession(accept(), user!));
      client.on('tcpip', (accept, reject, info) => {
        this.processes.connect(info.destIP, info.destPort).then(
          (socket) => {
            const channel = accept();
            channel.pipe(socket).pipe(channel);
            socket.on('error', () => channel.destroy());
            channel.on('error', () => socket.destroy());
          },
          (err: Error) => {
            this.log('warn', `direct-tcpip to ${info.destIP}:${info.destPort} refused: ${err.message}`);
            reject();
          },
        );
      });
    });
    client.on('error', (err) => this.log('warn', `ssh connection: ${err.message}`));
    client.on('close', () => this.connections.delete(client));
  }

  private onSession(session: Session, user: MachineUser): void {
    let ptyInfo: PseudoTtyInfo | undefined;
    let pty: PtyHandle | undefined;
    let child: ChildProcess | undefined;
    const env: Record<string, string> = {};

    session.on('pty', (accept, _reject, info) => {
      ptyInfo = info;
      accept?.();
    });
    session.on('window-change', (accept, _reject, info) => {
      if (ptyInfo) ptyInfo = { ...ptyInfo, cols: info.cols, rows: info.rows };
      pty?.resize(Math.max(1, info.cols), Math.max(1, info.rows));
      accept?.();
    });
    session.on('env', (accept, reject, info) => {
      if (ACCEPTED_ENV.test(info.key)) {
        env[info.key] = info.val;
        accept?.();
      } else reject?.();
    });
    session.on('signal', (accept, _reject, info) => {
      const name = `SIG${info.name}`;
      if (pty) pty.kill(name);
      else if (isSignal(name)) child?.kill(name);
      accept?.();
    });
    const start = (channel: ServerChannel, command: string | undefined): void => {
      if (ptyInfo) {
        pty = this.processes.spawnPty(user, {
          cols: Math.max(1, ptyInfo.cols),
          rows: Math.max(1, ptyInfo.rows),
          term: ptyInfo.term || 'xterm-256color',
          env,
          command,
        });
        pty.onData((d) => channel.write(d));
        channel.on('data', (d: Buffer) => pty!.write(d));
        pty.onExit(({ exitCode, signal }) => finish(channel, exitCode, signal ? (SIGNALS[signal] ?? 'KILL') : undefined));
      } else {
        const proc = this.processes.spawnExec(user, env, command ?? '');
        child = proc;
        channel.pipe(proc.stdin!);
        proc.stdout!.pipe(channel, { end: false });
        proc.stderr!.pipe(channel.stderr, { end: false });
        proc.on('error', (err) => {
          channel.stderr.write(`sandlot: ${err.message}\n`);
          finish(channel, 127);
        });
        let exit: [number | null, NodeJS.Signals | null] | undefined;
        let streamsOpen = 2;
        const done = (): void => {
          if (exit && streamsOpen === 0) finish(channel, exit[0] ?? 255, exit[1]?.replace(/^SIG/, ''));
        };
        proc.stdout!.on('end', () => (streamsOpen--, done()));
        proc.stderr!.on('end', () => (streamsOpen--, done()));
        proc.on('exit', (code, signal) => ((exit = [code, signal]), done()));
        proc.stdin!.on('error', () => undefined);
      }
      channel.on('close', () => {
        pty?.kill('SIGHUP');
        if (child && child.exitCode === null) child.kill('SIGHUP');
      });
    };
    // A throw inside an ssh2 event handler would leave its cipher state half-advanced
    // and kill the connection with a misleading decrypt error; report it instead.
    const guarded = (channel: ServerChannel, command: string | undefined): void => {
      try {
        start(channel, command);
      } catch (err) {
        this.log('error', `cannot start ${command === undefined ? 'shell' : 'command'}: ${errorMessage(err)}`);
        channel.stderr.write(`sandlot: ${errorMessage(err)}\n`);
        finish(channel, 255);
      }
    };
    session.on('shell', (accept) => guarded(accept(), undefined));
    session.on('exec', (accept, _reject, info) => guarded(accept(), info.command));
    session.on('subsystem', (accept, reject, info) => {
      if (info.name !== 'sftp') return reject();
      const channel = accept();
      const proc = this.processes.spawnSftp(user);
      proc.on('error', (err) => {
        this.log('error', `sftp-server: ${err.message}`);
        channel.close();
      });
      channel.pipe(proc.stdin!);
      proc.stdout!.pipe(channel, { end: false });
      proc.stdin!.on('error', () => undefined);
      // OpenSSH clients (scp, sftp) count a subsystem without an exit status as failed.
      let code: number | null | undefined;
      let drained = false;
      const done = () => code !== undefined && drained && finish(channel, code ?? 255);
      proc.stdout!.on('end', () => ((drained = true), done()));
      proc.on('exit', (c) => ((code = c), done()));
      channel.on('close', () => proc.kill());
    });
  }
}

function finish(channel: ServerChannel, code: number, signal?: string): void {
  if (signal) channel.exit(signal, false, '');
  else channel.exit(code);
  channel.end();
}

function isSignal(name: string): name is NodeJS.Signals {
  return name in constants.signals;
}
