// The agent's SSH front for machines with their own sshd, against a real OpenSSH server
// on loopback standing in for a VM's (its own config, keys and port; MaxSessions lowered
// to 3 so one login cannot carry everything): the OpenSSH client and ssh2 through the
// front, commands, stdin, PTYs, signals both ways, SFTP, forwarding, many sessions at
// once, one guest login shared by connections, wrong keys, and a front whose logins fail
// handing the connection to sshd itself.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client, type ClientChannel } from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GuestSshFront } from '../../../../host-agent/ssh/guest-front';
import { GuestLogins } from '../../../../host-agent/ssh/guest-logins';
import { execOn } from '../../../helpers/ssh-exec';
import { until } from '../../../helpers/agent-process';
import { startLoopbackSshd, type LoopbackSshd } from '../../../helpers/loopback-sshd';
import { freePort, portOf } from '../../../helpers/tcp-port';

const user = os.userInfo().username;
let sshd: LoopbackSshd;
let dir: string;
let sshdPort: number;
const key = (name: string) => sshd.key(name);

interface Served {
  port: number;
  logins: GuestLogins;
  close(): Promise<void>;
}

/** A front on a loopback port, whose logins go to the test's sshd with `loginKey`. */
async function serveFront(loginKey = 'user'): Promise<Served> {
  const logins = new GuestLogins({
    connect: async () => net.connect(sshdPort, '127.0.0.1'),
    privateKey: key(loginKey),
    hostKey: key('host.pub'),
    timeoutMs: 10_000,
    log: () => undefined,
  });
  const front = new GuestSshFront({
    hostKey: key('host'),
    authorizedKey: key('user.pub'),
    logins,
    defaultUser: user,
    answerTimeoutMs: 10_000,
    passThrough: async () => net.connect(sshdPort, '127.0.0.1'),
    log: () => undefined,
  });
  const server = net.createServer((sock) => front.accept(sock));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: portOf(server),
    logins,
    close: async () => {
      front.close();
      logins.close();
      await new Promise((r) => server.close(r));
    },
  };
}

// Spawned, not spawnSync: the front serves from this process's event loop.
function openssh(port: number, command: string, opts: { keyFile?: string; input?: string; args?: string[]; user?: string } = {}) {
  const args = [
    '-F',
    'none',
    '-p',
    String(port),
    '-i',
    path.join(dir, opts.keyFile ?? 'user'),
    '-o',
    `UserKnownHostsFile=${path.join(dir, 'known_hosts')}`,
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    'BatchMode=yes',
    '-o',
    'IdentitiesOnly=yes',
    ...(opts.args ?? []),
    `${opts.user ?? user}@127.0.0.1`,
    command,
  ];
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const p = spawn('ssh', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => p.kill(), 30_000);
    p.on('close', (status) => (clearTimeout(timer), resolve({ status, stdout, stderr })));
    p.stdin.end(opts.input ?? '');
  });
}

function login(port: number): Promise<Client> {
  const c = new Client();
  return new Promise((resolve, reject) => {
    c.once('ready', () => resolve(c)).once('error', reject);
    c.connect({
      host: '127.0.0.1',
      port,
      username: user,
      privateKey: key('user'),
      hostVerifier: (blob: Buffer) => blob.toString('base64') === key('host.pub').split(' ')[1],
    });
  });
}

/** The front on `port` shows the machine's own host key: known_hosts holds only that. */
function trust(port: number): void {
  fs.appendFileSync(path.join(dir, 'known_hosts'), `[127.0.0.1]:${port} ${key('host.pub')}`);
}

beforeAll(async () => {
  // MaxSessions 3: one login cannot carry every session the tests open at once.
  sshd = await startLoopbackSshd({
    extraKeys: ['other'],
    config: ['MaxSessions 3', 'AcceptEnv LANG SANDLOT_*', 'Subsystem sftp internal-sftp', 'LogLevel VERBOSE'],
  });
  ({ dir, port: sshdPort } = sshd);
});

afterAll(() => {
  sshd?.stop();
});

describe('GuestSshFront', () => {
  let served: Served;
  beforeAll(async () => {
    served = await serveFront();
    trust(served.port);
  });
  afterAll(() => served.close());

  it('runs commands for the OpenSSH client: output, errors, exit code and stdin pass through', async () => {
    const r = await openssh(served.port, 'echo "out $(id -un)"; echo err >&2; exit 7');
    expect(r.stderr).toBe('err\n');
    expect(r.stdout).toBe(`out ${user}\n`);
    expect(r.status).toBe(7);
    const big = 'x'.repeat(300_000);
    const counted = await openssh(served.port, 'wc -c', { input: big });
    expect(counted.stdout.trim()).toBe('300000');
  });

  it('gives a PTY when asked, at the size asked, and passes env that sshd accepts', async () => {
    const r = await openssh(served.port, 'tty; stty size', { args: ['-tt'] });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^\/dev\/pts\/\d+\r\n\d+ \d+\r\n$/);
    const c = await login(served.port);
    try {
      const out = await new Promise<string>((resolve, reject) => {
        c.exec(
          'stty size; echo "$SANDLOT_X-$NOT_ACCEPTED"',
          { pty: { rows: 33, cols: 101, term: 'xterm' }, env: { SANDLOT_X: 'yes', NOT_ACCEPTED: 'no' } },
          (err, ch) => {
            if (err) return reject(err);
            let s = '';
            ch.on('data', (d: Buffer) => (s += d.toString()));
            ch.on('close', () => resolve(s));
          },
        );
      });
      expect(out).toBe('33 101\r\nyes-\r\n');
    } finally {
      c.end();
    }
  });

  it('passes on how a command ended: killed by a signal', async () => {
    // (Signals to a command are passed on too, but sshd refuses them for root's logins, which
    // run without privilege separation: the microvm test sends one as a normal user.)
    const c = await login(served.port);
    try {
      const ended = await new Promise<unknown[]>((resolve, reject) => {
        c.exec('kill -TERM $$', (err, ch: ClientChannel) => {
          if (err) return reject(err);
          ch.resume();
          ch.on('close', (...args: unknown[]) => resolve(args));
        });
      });
      expect(ended.slice(0, 2)).toEqual([null, 'SIGTERM']);
    } finally {
      c.end();
    }
  });

  it('serves SFTP and forwards TCP connections opened by the machine', async () => {
    const echo = net.createServer((s) => s.pipe(s));
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    const c = await login(served.port);
    try {
      const sftpPath = path.join(dir, 'sftp.txt');
      await new Promise<void>((resolve, reject) =>
        c.sftp((err, sftp) => {
          if (err) return reject(err);
          sftp.writeFile(sftpPath, 'over sftp', (e) => (e ? reject(e) : resolve()));
        }),
      );
      expect(fs.readFileSync(sftpPath, 'utf8')).toBe('over sftp');
      const back = await new Promise<string>((resolve, reject) =>
        c.forwardOut('127.0.0.1', 1, '127.0.0.1', portOf(echo), (err, ch) => {
          if (err) return reject(err);
          ch.on('data', (d: Buffer) => (ch.end(), resolve(d.toString())));
          ch.write('ping');
        }),
      );
      expect(back).toBe('ping');
      // A port nothing listens on: refused as sshd refuses it.
      const closedPort = await freePort();
      const refused = await new Promise<unknown>((resolve) => c.forwardOut('127.0.0.1', 1, '127.0.0.1', closedPort, (err) => resolve(err)));
      expect(refused).toMatchObject({ reason: 2 }); // CONNECT_FAILED
    } finally {
      c.end();
      echo.close();
    }
  });

  it('carries more sessions at once than one login of sshd allows (MaxSessions 3 here)', async () => {
    const c = await login(served.port);
    try {
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => execOn(c, `sleep 0.5; echo ${i}`, { timeoutMs: 20_000 })));
      expect(results.map((r) => [r.code, r.stdout])).toEqual(Array.from({ length: 8 }, (_, i) => [0, `${i}\n`]));
    } finally {
      c.end();
    }
  });

  it('opens no new login in the machine for a new connection, and ends the extra ones with their sessions', async () => {
    const before = sshd.accepted();
    for (let i = 0; i < 3; i++) expect((await openssh(served.port, 'true')).status).toBe(0);
    expect(sshd.accepted()).toBe(before);
    // The logins the 8 sessions above needed beyond the first have ended with them.
    await until('one login left in sshd', () => sshd.loginPids().length === 1 || undefined, 5000);
  });

  it('refuses other keys, and users the machine refuses', async () => {
    const other = await openssh(served.port, 'true', { keyFile: 'other' });
    expect(other.status).toBe(255);
    expect(other.stderr).toMatch(/Permission denied \(publickey\)/);
    const nobody = await openssh(served.port, 'true', { user: 'no-such-user' });
    expect(nobody.status).toBe(255);
    expect(nobody.stderr).toMatch(/Permission denied/);
  });

  it('leaves no login behind once closed', async () => {
    const extra = await serveFront();
    trust(extra.port);
    expect((await openssh(extra.port, 'true')).status).toBe(0);
    await extra.close();
    await served.close();
    await until('no login left in sshd', () => sshd.loginPids().length === 0 || undefined, 5000);
    served = await serveFront();
    trust(served.port);
  });
});

describe('GuestSshFront whose logins fail', () => {
  it("hands the connection to the machine's sshd itself", async () => {
    // Its logins use a key sshd does not take: the playground key still works, through sshd.
    const broken = await serveFront('other');
    try {
      trust(broken.port);
      const before = sshd.accepted();
      const r = await openssh(broken.port, 'echo direct');
      expect(r.stdout).toBe('direct\n');
      expect(sshd.accepted()).toBe(before + 1);
    } finally {
      await broken.close();
    }
  });
});
