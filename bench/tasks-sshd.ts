// A throw-away OpenSSH server on loopback for the task benchmarks: its own keys, config
// and port; root logs in with a fresh user key. Stands in for a machine's SSH server.
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export interface BenchSshd {
  port: number;
  userKey: string;
  hostPub: string;
  dir: string;
  stop(): void;
}

export async function startSshd(): Promise<BenchSshd> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlot-bench-sshd-'));
  for (const k of ['host', 'user']) execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, k), '-C', k]);
  fs.copyFileSync(path.join(dir, 'user.pub'), path.join(dir, 'authorized_keys'));
  fs.mkdirSync('/run/sshd', { recursive: true });
  const probe = net.createServer().listen(0, '127.0.0.1');
  await new Promise((r) => probe.once('listening', r));
  const addr = probe.address();
  if (!addr || typeof addr === 'string') throw new Error('the port probe has no TCP address');
  const port = addr.port;
  await new Promise((r) => probe.close(r));
  fs.writeFileSync(
    path.join(dir, 'sshd_config'),
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${dir}/host`,
      `AuthorizedKeysFile ${dir}/authorized_keys`,
      'StrictModes no',
      'UsePAM no',
      'PasswordAuthentication no',
      'PermitRootLogin prohibit-password',
      'PidFile none',
      'MaxSessions 20',
      '',
    ].join('\n'),
  );
  const child = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', path.join(dir, 'sshd_config')], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    const up = await new Promise<boolean>((r) => {
      const c = net.connect(port, '127.0.0.1', () => (c.end(), r(true)));
      c.on('error', () => r(false));
    });
    if (up) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    dir,
    userKey: fs.readFileSync(path.join(dir, 'user'), 'utf8'),
    hostPub: fs.readFileSync(path.join(dir, 'host.pub'), 'utf8'),
    stop: () => child.kill(),
  };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
