// SshRunner against a real OpenSSH server on loopback (its own config, keys and port):
// exec channels on one shared connection, exit codes, output, timeouts, host key checks.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../../../host-agent/tasks/program';
import { SshRunner } from '../../../../host-agent/tasks/ssh-runner';
import { startLoopbackSshd, type LoopbackSshd } from '../../../helpers/loopback-sshd';
import { portOf } from '../../../helpers/tcp-port';

let sshd: LoopbackSshd;
let dir: string;
let port: number;
let userKey: string;
let hostPub: string;

beforeAll(async () => {
  sshd = await startLoopbackSshd();
  ({ dir, port } = sshd);
  userKey = sshd.key('user');
  hostPub = sshd.key('host.pub');
});

afterAll(() => {
  sshd?.stop();
});

function runner(hostKey = hostPub, maxChannels?: number) {
  let connects = 0;
  const r = new SshRunner({
    connect: async () => {
      connects++;
      return net.connect(port, '127.0.0.1');
    },
    privateKey: userKey,
    hostKey: () => hostKey,
    maxChannels,
  });
  return { r, connects: () => connects };
}

const req = (program: string, timeoutMs = 10_000) => ({ machine: 'dev', user: 'root', program: buildProgram(program, { NAME: "o'neil" }), timeoutMs });

describe('SshRunner', () => {
  it('runs scripts with env and helpers, returning exit code and output', async () => {
    const { r } = runner();
    try {
      expect(await r.run(req('echo "hi $NAME"; echo err >&2; file_contains /etc/passwd root: && exit 7'))).toEqual({
        code: 7,
        stdout: "hi o'neil\n",
        stderr: 'err\n',
      });
      expect(await r.run(req('whoami'))).toMatchObject({ code: 0, stdout: 'root\n' });
    } finally {
      r.close();
    }
  });

  it('http_ok answers by status through curl, and through wget bounded by timeout when curl is missing', async () => {
    const server = http.createServer((q, res) => res.writeHead(q.url === '/ok' ? 200 : 500).end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = portOf(server);
    // A PATH with wget and timeout only: no curl, as in a slim image.
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlot-http-ok-'));
    for (const tool of ['wget', 'timeout']) fs.symlinkSync(execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim(), path.join(bin, tool));
    const { r } = runner();
    try {
      const check = (url: string, pathPrefix = '') => r.run(req(`${pathPrefix}http_ok http://127.0.0.1:${port}${url}`)).then((x) => x.code);
      expect(await check('/ok')).toBe(0);
      expect(await check('/missing')).not.toBe(0);
      expect(await check('/ok', `PATH=${bin}; `)).toBe(0);
      expect(await check('/missing', `PATH=${bin}; `)).not.toBe(0);
    } finally {
      r.close();
      server.close();
      fs.rmSync(bin, { recursive: true, force: true });
    }
  });

  it('runs a direct program as the SSH command itself, under the login shell', async () => {
    const { r } = runner();
    try {
      // No wrapper: the program is the exec request, so $0 is the login shell, not the wrapper's name.
      expect(await r.run({ machine: 'dev', user: 'root', program: 'echo "$0"; exit 5', timeoutMs: 10_000, direct: true })).toMatchObject({ code: 5 });
      expect((await r.run({ machine: 'dev', user: 'root', program: 'echo "$0"', timeoutMs: 10_000 })).stdout).toBe('sandlot-task\n');
      expect((await r.run({ machine: 'dev', user: 'root', program: 'echo "$0"', timeoutMs: 10_000, direct: true })).stdout).not.toBe('sandlot-task\n');
    } finally {
      r.close();
    }
  });

  it('shares one connection across many runs, also in parallel beyond the channel limit', async () => {
    const { r, connects } = runner(hostPub, 4);
    try {
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => r.run(req(`sleep 0.1; echo ${i}`))));
      expect(results.map((x) => x.stdout)).toEqual(Array.from({ length: 20 }, (_, i) => `${i}\n`));
      expect(connects()).toBe(1);
      expect(r.connectionCount).toBe(1);
    } finally {
      r.close();
    }
  });

  it('kills a script at its timeout', async () => {
    const { r } = runner();
    try {
      const t0 = Date.now();
      // 2 s leaves a loaded machine time to start the script (OpenSSH forks per session)
      // while staying far below the script's own 20 s.
      const res = await r.run(req('echo started; sleep 20', 2000));
      expect(res).toMatchObject({ code: null, timedOut: true, stdout: 'started\n' });
      expect(Date.now() - t0).toBeLessThan(8000);
      // the connection is still usable afterwards
      expect(await r.run(req('echo again'))).toMatchObject({ code: 0, stdout: 'again\n' });
    } finally {
      r.close();
    }
  });

  it('refuses a server whose host key is not the expected one', async () => {
    const other = execFileSync('sh', ['-c', `ssh-keygen -q -t ed25519 -N '' -f ${dir}/other -C x && cat ${dir}/other.pub`], { encoding: 'utf8' });
    const { r } = runner(other);
    try {
      const res = await r.run(req('echo should-not-run'));
      expect(res.code).toBeNull();
      expect(res.error).toMatch(/^ssh to root@dev: /);
      expect(res.stdout).toBe('');
    } finally {
      r.close();
    }
  });
});
