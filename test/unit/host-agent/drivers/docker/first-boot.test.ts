import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { firstBootScript, shq, startupFileLines, startupFileOwner } from '../../../../../host-agent/drivers/docker/first-boot';
import { machine } from './fixtures';

describe('first boot script', () => {
  it('quotes any string for the shell', () => {
    for (const s of ["it's", '$(rm -rf /)', 'a"b', '\\n', '']) {
      expect(execFileSync('sh', ['-c', `printf %s ${shq(s)}`]).toString()).toBe(s);
    }
  });

  it('is valid shell and writes startup files byte for byte, appending where asked', () => {
    const content = "line with 'quotes' and $VARS\nsecond\n";
    const script = firstBootScript(
      machine({
        startupFiles: [
          { path: '/etc/a.txt', content, mode: '0600' },
          { path: '/etc/b.txt', content: 'more\n', append: true },
        ],
      }),
    );
    execFileSync('sh', ['-n', '-c', script]);
    expect(script).toContain(`printf '%s' '${Buffer.from(content).toString('base64')}' | base64 -d > '/etc/a.txt'`);
    expect(script).toContain("chmod 0600 '/etc/a.txt'");
    expect(script).toMatch(/base64 -d >> '\/etc\/b\.txt'/);
  });

  it('rewrites existing files in place (keeping mode and owner) and makes missing ones whole, when asked to', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlot-startup-lines-'));
    try {
      const kept = path.join(dir, 'kept');
      const made = path.join(dir, 'sub', 'made');
      fs.writeFileSync(kept, 'old key\n', { mode: 0o640 });
      fs.chmodSync(kept, 0o640);
      const content = "new 'key' $HOME\n";
      // Whoever runs the test (chown to oneself works without root).
      const owner = `${os.userInfo().username}:`;
      const lines = startupFileLines(
        machine(),
        [
          { path: kept, content, mode: '0600', owner },
          { path: made, content, mode: '0600', owner },
        ],
        { inPlace: true },
      );
      execFileSync('sh', ['-eu', '-c', lines.join('\n')]);
      expect(fs.readFileSync(kept, 'utf8')).toBe(content);
      expect(fs.statSync(kept).mode & 0o777).toBe(0o640);
      expect(fs.readFileSync(made, 'utf8')).toBe(content);
      expect(fs.statSync(made).mode & 0o777).toBe(0o600);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('creates missing non-root users with sudo, never root', () => {
    const script = firstBootScript(
      machine({ users: [machine().users[0], { name: 'alice', uid: 1001, gid: 1001, home: '/home/alice', shell: '/usr/bin/zsh' }] }),
    );
    expect(script).toContain("if ! id -u 'alice' >/dev/null 2>&1; then");
    expect(script).toContain("useradd -m $uid_ $grp_ -d '/home/alice' -s \"$sh_\" -G sudo 'alice'");
    expect(script).toContain("echo 'alice ALL=(ALL) NOPASSWD:ALL' >/etc/sudoers.d/sandlot-alice");
    expect(script).not.toContain("id -u 'root'");
  });

  it('gives files in a home to that user unless an owner is given', () => {
    const m = machine();
    expect(startupFileOwner(m, '/home/laborant/x/y.txt')).toBe('laborant:');
    expect(startupFileOwner(m, '/home/laborantx/y.txt')).toBe('root:root');
    expect(startupFileOwner(m, '/etc/motd')).toBe('root:root');
    expect(startupFileOwner(m, '/home/laborant/y', 'root:adm')).toBe('root:adm');
  });

  it('writes docker credentials for the playground registry, under both its names, when registryAuth is set', () => {
    const script = firstBootScript(machine(), 'bob:pw');
    const auth = Buffer.from('bob:pw').toString('base64');
    expect(script).toContain(`{"auths":{"registry.sandlot.local":{"auth":"${auth}"},"registry.iximiuz.com":{"auth":"${auth}"}}}`);
    expect(script).toContain("mkdir -p '/home/laborant/.docker'");
    expect(firstBootScript(machine())).not.toContain('.docker');
  });
});
