// OpenSSH's own ssh, scp and sftp through the ProxyCommand `sandlot ssh-config` writes (the
// lean entry dist/sandlot-ssh-proxy.js), with strict host key checking.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostAlias, type PlaygroundRecord } from '../../../host-agent/api/protocol';
import { CLI, cli, openssh, startAgent, startPlayground, writeSshConfig, type AgentHandle } from '../../helpers/agent-process';

let agent: AgentHandle;
let pg: PlaygroundRecord;
let config: string;
const alias = (m: string) => hostAlias(pg.id, m);

beforeAll(async () => {
  agent = await startAgent();
  pg = await startPlayground(agent, 'linux-multi');
  config = writeSshConfig(agent, pg.id);
});

afterAll(async () => {
  if (pg) await agent.client.destroy(pg.id).catch(() => undefined);
  await agent?.kill();
});

describe('OpenSSH through the agent', () => {
  it('writes a config that keeps strict host key checking and names real host keys', () => {
    const text = fs.readFileSync(config, 'utf8');
    expect(text).toContain(`Host ${alias('node-01')}`);
    expect(text).toContain('StrictHostKeyChecking yes');
    expect(text).not.toMatch(/StrictHostKeyChecking no/);
    const known = fs.readFileSync(path.join(agent.home, 'client', 'known_hosts'), 'utf8');
    for (const m of pg.machines) expect(known).toContain(`${alias(m.name)} ${m.hostKey.split(' ').slice(0, 2).join(' ')}`);
    const key = path.join(agent.home, 'client', 'keys', pg.id, 'id_ed25519');
    expect(fs.statSync(key).mode & 0o777).toBe(0o600);
  });

  it('proxies through the lean ssh-proxy entry, which answers bad input with one line', () => {
    const lean = path.join(path.dirname(CLI), 'sandlot-ssh-proxy.js');
    expect(fs.readFileSync(config, 'utf8')).toContain(`${lean} %h`);
    const bad = spawnSync(process.execPath, [lean, 'example.com'], { env: agent.env, encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toBe('sandlot: ssh-proxy: expected a host alias sandlot--<playground>--<machine>, got "example.com"\n');
    const gone = spawnSync(process.execPath, [lean, hostAlias('pg-nosuch', 'node-01')], { env: agent.env, encoding: 'utf8', input: '' });
    expect(gone.status).toBe(1);
    expect(gone.stderr.trim().split('\n')).toHaveLength(1);
    expect(gone.stderr).toMatch(/^sandlot: .*pg-nosuch/);
  });

  it('runs commands with the machine name as hostname and propagates exit codes', () => {
    for (const m of pg.machines) {
      const r = openssh(config, alias(m.name), 'hostname');
      expect(r.stderr).toBe('');
      expect(r.stdout.trim()).toBe(m.name);
    }
    expect(openssh(config, alias('node-01'), 'exit 42').code).toBe(42);
  });

  it('refuses a machine whose host key does not match', () => {
    const known = path.join(agent.home, 'client', 'known_hosts');
    const original = fs.readFileSync(known, 'utf8');
    const other = pg.machines[1].hostKey.split(' ').slice(0, 2).join(' ');
    fs.writeFileSync(known, original.replace(new RegExp(`^${alias('node-01')} .*$`, 'm'), `${alias('node-01')} ${other}`));
    try {
      const r = openssh(config, alias('node-01'), 'true');
      expect(r.code).toBe(255);
      expect(r.stderr).toMatch(/HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);
    } finally {
      fs.writeFileSync(known, original);
    }
  });

  it('keeps files of one machine invisible on the host and in the other machines', () => {
    const marker = `marker-${Date.now()}`;
    expect(openssh(config, alias('node-01'), `echo ${marker} > /root/${marker} && echo ${marker} > /tmp/${marker} && cat /root/${marker}`).stdout.trim()).toBe(
      marker,
    );
    const other = openssh(config, alias('node-02'), `ls /root/${marker} /tmp/${marker} 2>&1; true`);
    expect(other.stdout).toMatch(/No such file/);
    expect(other.stdout).not.toMatch(new RegExp(`^/root/${marker}$`, 'm'));
    expect(fs.existsSync(`/root/${marker}`)).toBe(false);
    expect(fs.existsSync(`/tmp/${marker}`)).toBe(false);
  });

  it("never lets a machine change the host's files or read the agent's state", () => {
    // Host-view machines get EROFS, image-root machines write their own root: either way
    // the host's /etc and /usr stay as they are (drivers/sandbox tests attack both kinds).
    const r = openssh(
      config,
      alias('node-01'),
      `touch /etc/sandlot-probe /usr/sandlot-probe 2>&1; ls -A ${agent.home} 2>&1 | wc -l; cat ${path.join(agent.home, 'token')} 2>&1; true`,
    );
    expect(r.stdout).not.toContain(agent.token);
    expect(fs.existsSync('/etc/sandlot-probe')).toBe(false);
    expect(fs.existsSync('/usr/sandlot-probe')).toBe(false);
  });

  it('lets machines of one playground reach each other by name', () => {
    // Wait until the server listens: python takes a while to start on a loaded machine.
    const r = openssh(
      config,
      alias('node-01'),
      'getent hosts node-02 node-03; (python3 -m http.server 8765 --bind 0.0.0.0 >/dev/null 2>&1 &) ; for i in $(seq 150); do (exec 3<>/dev/tcp/127.0.0.1/8765) 2>/dev/null && break; sleep 0.1; done; true',
    );
    expect(r.stdout).toMatch(/172\.16\.0\.\d+\s+node-02/);
    const fetch = openssh(
      config,
      alias('node-02'),
      `python3 -c "import urllib.request;print(urllib.request.urlopen('http://node-01:8765/', timeout=5).status)"`,
    );
    expect(fetch.stdout.trim()).toBe('200');
  });

  it('lets users ssh from one machine to another by name, with strict host key checking', () => {
    // What iximiuz multi-machine playgrounds offer: `ssh node-02` inside node-01.
    const hop = (from: string, user: string, to: string, cmd: string) =>
      openssh(config, alias(from), `ssh -o BatchMode=yes -o StrictHostKeyChecking=yes ${to} ${cmd}`, ['-l', user]);
    const root = hop('node-01', 'root', 'node-02', "'whoami; hostname'");
    expect(root.stderr).not.toMatch(/Host key verification failed|Permission denied/);
    expect(root.stdout.trim().split('\n')).toEqual(['root', 'node-02']);
    expect(hop('node-03', 'laborant', 'node-01', "'whoami; hostname'").stdout.trim().split('\n')).toEqual(['laborant', 'node-01']);
    expect(hop('node-02', 'root', 'node-02', "'exit 7'").code).toBe(7);
    // ~/.ssh is the user's own (ssh can add hosts, the user can add keys).
    expect(openssh(config, alias('node-02'), 'touch ~/.ssh/config && stat -c %U ~/.ssh', ['-l', 'laborant']).stdout.trim()).toBe('laborant');
    // A host key that does not match is refused: known_hosts names node-02's real key.
    const fake = `node-02 ${pg.machines[0].hostKey.split(' ').slice(0, 2).join(' ')}`;
    const spoof = openssh(
      config,
      alias('node-01'),
      `echo '${fake}' > /tmp/fake_known_hosts && ssh -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile=/tmp/fake_known_hosts node-02 true`,
    );
    expect(spoof.code).not.toBe(0);
    expect(spoof.stderr).toMatch(/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);
  });

  it('copies files with scp and sftp both ways', () => {
    const local = path.join(agent.home, 'payload.bin');
    const data = Buffer.alloc(256 * 1024, 7);
    fs.writeFileSync(local, data);
    const up = spawnSync('scp', ['-F', config, '-o', 'BatchMode=yes', local, `${alias('node-02')}:/tmp/payload.bin`], { encoding: 'utf8' });
    expect(up.stderr).toBe('');
    expect(up.status).toBe(0);
    expect(openssh(config, alias('node-02'), 'sha256sum < /tmp/payload.bin').stdout.split(' ')[0]).toBe(createHash('sha256').update(data).digest('hex'));
    const back = path.join(agent.home, 'back.bin');
    const sftp = spawnSync('sftp', ['-F', config, '-o', 'BatchMode=yes', '-b', '-', alias('node-02')], {
      input: `get /tmp/payload.bin ${back}\n`,
      encoding: 'utf8',
    });
    expect(sftp.status).toBe(0);
    expect(fs.readFileSync(back).equals(data)).toBe(true);
  });

  it('forwards a local port to a server inside a machine (sandlot port-forward and ssh -L)', async () => {
    openssh(
      config,
      alias('node-03'),
      `mkdir -p /tmp/www && echo inside-node-03 > /tmp/www/index.html && (python3 -m http.server 8080 --directory /tmp/www --bind 127.0.0.1 >/dev/null 2>&1 &); for i in $(seq 150); do (exec 3<>/dev/tcp/127.0.0.1/8080) 2>/dev/null && break; sleep 0.1; done; true`,
    );
    const port = await freePort();
    const pf = spawn(process.execPath, [CLI, 'port-forward', `${pg.id}/node-03`, '-L', `${port}:8080`], { env: agent.env });
    try {
      await waitForOutput(pf, /Forwarding/);
      expect(await httpGet(port)).toContain('inside-node-03');
    } finally {
      pf.kill();
    }
    const port2 = await freePort();
    const fwd = spawn('ssh', ['-F', config, '-o', 'BatchMode=yes', '-N', '-L', `${port2}:127.0.0.1:8080`, alias('node-03')]);
    try {
      let body = '';
      for (let i = 0; i < 50 && !body.includes('inside'); i++) {
        body = await httpGet(port2).catch(() => '');
        if (!body) await new Promise((r) => setTimeout(r, 200));
      }
      expect(body).toContain('inside-node-03');
    } finally {
      fwd.kill();
    }
  });

  it('runs `sandlot ssh … -- cmd` with the remote exit code', () => {
    const r = cli(agent, ['ssh', `${pg.id}/node-02`, '--', 'hostname; exit 3']);
    expect(r.stdout.trim()).toBe('node-02');
    expect(r.code).toBe(3);
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      if (!addr || typeof addr === 'string') throw new Error('the probe server has no TCP address');
      s.close(() => resolve(addr.port));
    });
  });
}

function waitForOutput(child: ChildProcess, re: RegExp): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no ${re} in output: ${out}`)), 20_000);
    const on = (d: Buffer) => {
      out += d.toString();
      if (re.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', on);
    child.stderr!.on('data', on);
  });
}

function httpGet(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', timeout: 10_000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
  });
}
