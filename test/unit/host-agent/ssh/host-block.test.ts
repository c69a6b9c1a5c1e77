import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BEGIN_MARKER, END_MARKER, renderBlock } from '../../../../extension/remote/ssh-config-block';
import type { PlaygroundRecord } from '../../../../host-agent/api/protocol';
import { sshConfigText } from '../../../../host-agent/cli/commands/ssh';
import { machineHostEntries, proxyCommand, proxyEnv, renderHostSections } from '../../../../host-agent/ssh/host-block';

const machine = (name: string, extra: Partial<PlaygroundRecord['machines'][number]> = {}): PlaygroundRecord['machines'][number] => ({
  name,
  state: 'running',
  users: ['root', 'laborant'],
  defaultUser: 'laborant',
  home: '/home/laborant',
  noSSH: false,
  hostKey: 'ssh-ed25519 AAAA',
  resources: { cpuCount: 1, ramSize: '1Gi' },
  ...extra,
});

const record: PlaygroundRecord = {
  id: 'pg-abc123',
  template: 'linux',
  title: 'Linux',
  driver: 'sandbox',
  state: 'running',
  createdAt: '2026-01-01T00:00:00Z',
  deadline: '2026-01-01T02:00:00Z',
  userPublicKey: 'ssh-ed25519 AAAA',
  machines: [machine('dev'), machine('node-01'), machine('hidden', { noSSH: true })],
};

describe('ProxyCommand', () => {
  it('shell-quotes paths with spaces and escapes % for OpenSSH', () => {
    const cmd = proxyCommand('/opt/my node/bin/node', "/home/o'neil/100%/sandlot.js");
    expect(cmd).toBe(`'/opt/my node/bin/node' '/home/o'\\''neil/100%%/sandlot.js' ssh-proxy --stdio %h`);
  });

  it('carries SANDLOT_HOME through env and can point an alias at another target', () => {
    const cmd = proxyCommand(['/usr/bin/env', 'ELECTRON_RUN_AS_NODE=1', '/opt/Code/code'], '/x/sandlot.js', {
      target: 'sandlot--pg-new222--dev',
      env: { SANDLOT_HOME: '/home/u/my state' },
    });
    expect(cmd).toBe(
      `env SANDLOT_HOME='/home/u/my state' /usr/bin/env 'ELECTRON_RUN_AS_NODE=1' /opt/Code/code /x/sandlot.js ssh-proxy --stdio sandlot--pg-new222--dev`,
    );
  });

  it('runs the lean ssh-proxy entry when the build put one beside the CLI', () => {
    const dist = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlot-dist 100%-'));
    try {
      fs.writeFileSync(path.join(dist, 'sandlot.js'), '');
      fs.writeFileSync(path.join(dist, 'sandlot-ssh-proxy.js'), '');
      expect(proxyCommand('/usr/bin/node', path.join(dist, 'sandlot.js'))).toBe(`/usr/bin/node '${dist.replace('%', '%%')}/sandlot-ssh-proxy.js' %h`);
      expect(proxyCommand('/usr/bin/node', path.join(dist, 'sandlot.js'), { target: 'sandlot--pg-a--dev' })).toBe(
        `/usr/bin/node '${dist.replace('%', '%%')}/sandlot-ssh-proxy.js' sandlot--pg-a--dev`,
      );
    } finally {
      fs.rmSync(dist, { recursive: true, force: true });
    }
  });

  it('carries an absolute SANDLOT_HOME only when one is set', () => {
    expect(proxyEnv({})).toBeUndefined();
    expect(proxyEnv({ SANDLOT_HOME: 'rel/dir' })).toEqual({ SANDLOT_HOME: path.resolve('rel/dir') });
  });
});

describe('Host sections: one writer for the CLI and the extension', () => {
  const files = { keyFile: '/home/u/.local/state/sandlot/client/pg-abc123/id_ed25519', knownHostsFile: '/home/u/100% state/known_hosts' };
  const proxy = proxyCommand('/usr/bin/node', '/opt/sandlot/dist/sandlot.js', { env: { SANDLOT_HOME: '/home/u/state' } });

  it('gives `sandlot ssh-config` and the extension block the same bytes for the same machines', () => {
    const cli = sshConfigText(record, files, proxy);
    const extension = renderBlock(machineHostEntries(record, files, proxy));
    const lines = extension.split('\n');
    expect(lines[0]).toBe(BEGIN_MARKER);
    expect(lines.at(-2)).toBe(END_MARKER);
    expect(lines.slice(2, -2).join('\n') + '\n').toBe(cli);
  });

  it('writes every SSH machine, HostName included, % escaped, and skips noSSH machines', () => {
    const text = renderHostSections(machineHostEntries(record, files, proxy));
    expect(text.slice(0, text.indexOf('--node-01') + '--node-01'.length + 1)).toBe(
      [
        'Host sandlot--pg-abc123--dev',
        '  HostName sandlot--pg-abc123--dev',
        '  HostKeyAlias sandlot--pg-abc123--dev',
        '  User laborant',
        '  IdentityFile "/home/u/.local/state/sandlot/client/pg-abc123/id_ed25519"',
        '  IdentitiesOnly yes',
        '  UserKnownHostsFile "/home/u/100%% state/known_hosts"',
        '  StrictHostKeyChecking yes',
        '  ProxyCommand env SANDLOT_HOME=/home/u/state /usr/bin/node /opt/sandlot/dist/sandlot.js ssh-proxy --stdio %h',
        '',
        'Host sandlot--pg-abc123--node-01',
      ].join('\n') + '\n',
    );
    expect(text).not.toContain('hidden');
  });

  it('refuses paths OpenSSH cannot read back: a double quote, a newline, a NUL byte', () => {
    for (const bad of ['/tmp/a"b', '/tmp/a\nHost *', '/tmp/a\0b']) {
      expect(() => sshConfigText(record, { ...files, keyFile: bad }, proxy)).toThrow(/IdentityFile: a path with a double quote, a newline or a NUL byte/);
    }
  });

  const hasSsh = fs.existsSync('/usr/bin/ssh');
  it.runIf(hasSsh)('is read by OpenSSH (ssh -G) as written: quoted paths with spaces and percents, the proxy command', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlot-hostblock-'));
    try {
      const odd = { keyFile: path.join(dir, 'key dir', '50% key'), knownHostsFile: path.join(dir, 'known hosts') };
      const cfg = path.join(dir, 'config');
      fs.writeFileSync(cfg, sshConfigText(record, odd, proxy));
      const out = execFileSync('ssh', ['-G', '-F', cfg, 'sandlot--pg-abc123--node-01'], { encoding: 'utf8' });
      const get = (k: string) =>
        out
          .split('\n')
          .find((l) => l.startsWith(`${k} `))
          ?.slice(k.length + 1);
      expect(get('user')).toBe('laborant');
      expect(get('hostname')).toBe('sandlot--pg-abc123--node-01');
      // ssh -G prints file paths before expanding their % tokens (`%%` is one percent sign).
      expect(get('identityfile')).toBe(odd.keyFile.replace('%', '%%'));
      expect(get('userknownhostsfile')).toBe(odd.knownHostsFile);
      expect(get('proxycommand')).toBe('env SANDLOT_HOME=/home/u/state /usr/bin/node /opt/sandlot/dist/sandlot.js ssh-proxy --stdio %h');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
