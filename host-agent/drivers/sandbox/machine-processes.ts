// Starts processes inside one sandbox machine: shells on a PTY, commands, sftp-server,
// and TCP connections. Each enters the machine's namespaces with nsenter as the right
// user, with a clean login environment (the agent's own environment never leaks in).
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import type { Duplex } from 'node:stream';
import * as pty from 'node-pty';
import type { MachineUser } from '../protocol';
import { cgroupExecPrefix } from './cgroups';
import { enterHelper, machineEnterArgs } from './namespaces';
import type { NetnsRelay } from '../../netns/relay';
import { contains, parseAddress, parseIpv4 } from '../../manifests/ipv4';
import type { MachineProcesses, PtyHandle } from './ssh-server';

const SFTP_SERVERS = ['/usr/lib/openssh/sftp-server', '/usr/libexec/openssh/sftp-server', '/usr/libexec/sftp-server', '/usr/lib/ssh/sftp-server'];

export function findSftpServer(): string | undefined {
  return SFTP_SERVERS.find((p) => fs.existsSync(p));
}

export interface MachineProcessOptions {
  pid: number;
  users: MachineUser[];
  relay: NetnsRelay;
  /** Names → addresses of the playground's machines, for direct-tcpip by name. */
  hosts: Record<string, string>;
  /** The playground's subnets (CIDR): forwarded connections may go only there, or to loopback. */
  subnets: string[];
  /** The machine's cgroup directories: every process started here joins them first. */
  cgroups?: string[];
}

export class SandboxMachineProcesses implements MachineProcesses {
  constructor(private readonly opts: MachineProcessOptions) {}

  /** Into the machine as `user`, inside its cgroups: sandlot-enter (with the seccomp filter), else nsenter. */
  private enterArgs(user: MachineUser): string[] {
    const helper = enterHelper();
    if (!helper) return [...cgroupExecPrefix(this.opts.cgroups ?? []), ...machineEnterArgs(this.opts.pid, user, user.home)];
    const cgroups = (this.opts.cgroups ?? []).flatMap((c) => ['--cgroup', c]);
    return [helper, '--pid', String(this.opts.pid), '--uid', String(user.uid), '--gid', String(user.gid), '--cwd', user.home, ...cgroups];
  }

  user(name: string): MachineUser | undefined {
    return this.opts.users.find((u) => u.name === name);
  }

  private loginEnv(user: MachineUser, extra: Record<string, string>): Record<string, string> {
    const path = user.uid === 0 ? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' : '/usr/local/bin:/usr/bin:/bin:/usr/local/games:/usr/games';
    return { LANG: 'C.UTF-8', ...extra, HOME: user.home, USER: user.name, LOGNAME: user.name, SHELL: user.shell, PATH: path };
  }

  spawnPty(user: MachineUser, o: { cols: number; rows: number; term: string; env: Record<string, string>; command?: string }): PtyHandle {
    // The terminal the user sees is allocated inside the machine, on its own devpts, by
    // script(1): `tty` names it, tmux and screen work, and the host's terminals stay out
    // of the machine. node-pty's terminal only carries bytes and window sizes to script.
    const command = o.command ?? 'exec -l "$SHELL"';
    const argv = [...this.enterArgs(user), '--', 'script', '--quiet', '--return', '--command', command, '/dev/null'];
    const p = pty.spawn(argv[0], argv.slice(1), {
      name: o.term,
      cols: o.cols,
      rows: o.rows,
      cwd: '/',
      // Raw bytes both ways: a UTF-8 character split across two SSH packets stays whole.
      encoding: null,
      env: this.loginEnv(user, { ...o.env, TERM: o.term }),
    });
    return {
      write: (d) => p.write(d),
      resize: (c, r) => p.resize(c, r),
      kill: (s) => {
        try {
          p.kill(s);
        } catch {
          // already gone
        }
      },
      onData: (cb) => void p.onData(cb),
      onExit: (cb) => void p.onExit(cb),
    };
  }

  spawnExec(user: MachineUser, env: Record<string, string>, command: string): ChildProcess {
    const argv = [...this.enterArgs(user), '--', user.shell, '-c', command];
    return spawn(argv[0], argv.slice(1), { stdio: 'pipe', env: this.loginEnv(user, env) });
  }

  spawnSftp(user: MachineUser): ChildProcess {
    const server = findSftpServer();
    if (!server) {
      const child = spawn('false', [], { stdio: 'pipe' });
      queueMicrotask(() => child.emit('error', new Error('no sftp-server on this host: install Debian package openssh-sftp-server')));
      return child;
    }
    const argv = [...this.enterArgs(user), '--', server];
    return spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'ignore'], env: this.loginEnv(user, {}) });
  }

  async connect(host: string, port: number): Promise<Duplex> {
    // Names of the playground's machines resolve through the agent's table; anything
    // else must already be an address inside the playground (or loopback).
    const address = host === 'localhost' ? '127.0.0.1' : (this.opts.hosts[host] ?? host);
    if (!/^(127\.|::1$)/.test(address) && !this.opts.subnets.some((net) => inSubnet(address, net))) {
      throw new Error(`${host} is not a machine of this playground`);
    }
    return this.opts.relay.connect(address, port);
  }
}

/** Whether dotted IPv4 `address` lies in `cidr`. */
function inSubnet(address: string, cidr: string): boolean {
  const a = parseIpv4(address);
  const net = parseAddress(cidr);
  return a !== undefined && net?.prefixLength !== undefined && contains({ base: net.address, prefixLength: net.prefixLength }, a);
}
