// The logins the agent keeps open in a machine's sshd, against a real OpenSSH server on
// loopback: shared by concurrent callers, replaced when one dies, refused in one line that
// names the user, and ended by close() — pending ones too — leaving no sshd process.
import * as net from 'node:net';
import * as os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GuestLogins } from '../../../../host-agent/ssh/guest-logins';
import { until } from '../../../helpers/agent-process';
import { startLoopbackSshd, type LoopbackSshd } from '../../../helpers/loopback-sshd';
import { execOn } from '../../../helpers/ssh-exec';
import { portOf } from '../../../helpers/tcp-port';

const user = os.userInfo().username;
let sshd: LoopbackSshd;

beforeAll(async () => {
  sshd = await startLoopbackSshd({ extraKeys: ['other'], config: ['LogLevel VERBOSE'] });
});

afterAll(() => {
  sshd?.stop();
});

function logins(key = 'user', connect = async () => net.connect(sshd.port, '127.0.0.1')): GuestLogins {
  return new GuestLogins({ connect, privateKey: sshd.key(key), hostKey: sshd.key('host.pub'), timeoutMs: 10_000, log: () => undefined });
}

describe('GuestLogins', () => {
  it('opens one login for callers that ask at once, and runs sessions on it', async () => {
    const l = logins();
    try {
      const before = sshd.accepted();
      const [a, b] = await Promise.all([l.session(user), l.session(user)]);
      expect(a.client).toBe(b.client);
      expect((await execOn(a.client, 'echo one', { timeoutMs: 10_000 })).stdout).toBe('one\n');
      a.release();
      b.release();
      await l.answers(user, 5000);
      expect(sshd.accepted()).toBe(before + 1);
    } finally {
      l.close();
    }
    await until('no login left in sshd', () => sshd.loginPids().length === 0 || undefined, 5000);
  });

  it('opens a new login when the one it had died', async () => {
    const l = logins();
    try {
      const first = await l.client(user);
      await until('one login left in sshd', () => sshd.loginPids().length === 1 || undefined, 5000);
      for (const pid of sshd.loginPids()) process.kill(pid, 'SIGTERM');
      await new Promise<void>((r) => first.once('close', () => r()));
      const second = await l.client(user);
      expect(second).not.toBe(first);
      expect((await execOn(second, 'echo again', { timeoutMs: 10_000 })).stdout).toBe('again\n');
    } finally {
      l.close();
    }
    await until('no login left in sshd', () => sshd.loginPids().length === 0 || undefined, 5000);
  });

  it('refuses in one line naming the user when sshd does not take the key', async () => {
    const l = logins('other');
    try {
      await expect(l.answers(user, 5000)).rejects.toThrow(new RegExp(`^logging in as ${user}: All configured authentication methods failed$`));
    } finally {
      l.close();
    }
  });

  it('ends a login still being made when closed, and says why', async () => {
    // A connection that never answers: the login waits for sshd's banner.
    const silent = net.createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = portOf(silent);
    const l = logins('user', async () => net.connect(port, '127.0.0.1'));
    const pending = l.client(user);
    l.close();
    await expect(pending).rejects.toThrow(`logging in as ${user}: the machine is stopping`);
    silent.close();
  });
});
