// A throw-away OpenSSH server on loopback, standing in for a machine's sshd (tests, and the
// task benchmarks): its own keys, config and port. `user` is authorized, for the user the
// process runs as (root in CI). `config` lines go first: sshd keeps the first value it reads.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from './tcp-port';

export interface LoopbackSshd {
  dir: string;
  port: number;
  pid: number;
  /** A key file of `dir` (`host`, `host.pub`, `user`, `user.pub`, and the extra ones asked for). */
  key(name: string): string;
  /** What sshd logged so far (`-e`: to stderr). */
  log(): string;
  /** Logins sshd accepted so far. */
  accepted(): number;
  /** Its open logins' processes (the listener's children). */
  loginPids(): number[];
  stop(): void;
}

export async function startLoopbackSshd(opts: { config?: string[]; extraKeys?: string[] } = {}): Promise<LoopbackSshd> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlot-sshd-'));
  for (const name of ['host', 'user', ...(opts.extraKeys ?? [])])
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, name), '-C', name]);
  fs.copyFileSync(path.join(dir, 'user.pub'), path.join(dir, 'authorized_keys'));
  // sshd's privilege separation directory (it refuses to start without it).
  fs.mkdirSync('/run/sshd', { recursive: true });
  const port = await freePort();
  const config = [
    ...(opts.config ?? []),
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${path.join(dir, 'host')}`,
    `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
    'StrictModes no',
    'UsePAM no',
    'PasswordAuthentication no',
    'PermitRootLogin prohibit-password',
    'PidFile none',
  ];
  fs.writeFileSync(path.join(dir, 'sshd_config'), config.join('\n') + '\n');
  const child = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', path.join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.on('data', (d: Buffer) => (log += d.toString()));
  const stop = () => {
    child.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 100; i++) {
    const up = await new Promise<boolean>((r) => {
      const c = net.connect(port, '127.0.0.1', () => (c.end(), r(true)));
      c.on('error', () => r(false));
    });
    if (up)
      return {
        dir,
        port,
        pid: child.pid!,
        key: (name) => fs.readFileSync(path.join(dir, name), 'utf8'),
        log: () => log,
        accepted: () => (log.match(/Accepted publickey/g) ?? []).length,
        loginPids: () =>
          spawnSync('ps', ['-o', 'pid=', '--ppid', String(child.pid)], { encoding: 'utf8' })
            .stdout.split('\n')
            .filter((l) => l.trim())
            .map(Number),
        stop,
      };
    await new Promise((r) => setTimeout(r, 50));
  }
  stop();
  throw new Error(`sshd did not listen on 127.0.0.1:${port} in 5 s: ${log.trim().slice(-300)}`);
}
