import { execFileSync, spawnSync } from 'node:child_process';
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

  it('writes startup files byte for byte with their modes and owners, appending where asked, in every POSIX shell here', () => {
    const own = `${process.getuid?.() ?? 0}:${process.getgid?.() ?? 0}`;
    const tricky = "line with 'quotes', $VARS, `ticks`, 100% \\n\\c backslashes\ttabs, ünïcödé ✓\n\nlast line without newline";
    for (const shell of ['sh', 'bash', 'busybox'].filter((s) => spawnSync('sh', ['-c', `command -v ${s}`]).status === 0)) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'first-boot-'));
      try {
        const script = firstBootScript(
          machine({
            users: [machine().users[0]],
            startupFiles: [
              { path: `${dir}/a.txt`, content: tricky, mode: '0600', owner: own },
              { path: `${dir}/new/sub/b.txt`, content: 'more\n', owner: own },
              { path: `${dir}/new/sub/b.txt`, content: 'appended\n', append: true, owner: own },
              { path: `${dir}/nul.bin`, content: 'a\0b', mode: '0640', owner: own },
            ],
          }),
        );
        execFileSync(shell, shell === 'busybox' ? ['sh', '-c', script] : ['-c', script]);
        expect(fs.readFileSync(`${dir}/a.txt`, 'utf8'), shell).toBe(tricky);
        expect(fs.statSync(`${dir}/a.txt`).mode & 0o777, shell).toBe(0o600);
        expect(fs.readFileSync(`${dir}/new/sub/b.txt`, 'utf8'), shell).toBe('more\nappended\n');
        expect(fs.statSync(`${dir}/new/sub/b.txt`).mode & 0o777, shell).toBe(0o644);
        expect(fs.readFileSync(`${dir}/nul.bin`, 'utf8'), shell).toBe('a\0b');
        expect(fs.statSync(`${dir}/nul.bin`).mode & 0o777, shell).toBe(0o640);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }
  });

  it('starts no process for new root files with plain modes, one chmod per distinct x mode and one chown per distinct other owner', () => {
    const plain = ['/etc/a', '/etc/b', '/root/.ssh/c'].map((p) => ({ path: p, content: 'x\n', mode: '0600' }));
    const quiet = firstBootScript(machine({ users: [machine().users[0]], startupFiles: plain }));
    expect(quiet).not.toMatch(/^(chmod|chown) /m);
    expect(quiet).not.toContain('base64');
    const mixed = [
      ...plain,
      { path: '/usr/local/bin/x', content: '#!/bin/sh\n', mode: '0755' },
      { path: '/usr/local/bin/y', content: '#!/bin/sh\n', mode: '0755' },
      { path: '/home/u/a', content: 'a\n', owner: 'u:u' },
      { path: '/home/u/b', content: 'b\n', owner: 'u:u', mode: '0600' },
    ];
    const script = firstBootScript(machine({ users: [machine().users[0]], startupFiles: mixed }));
    expect(script.match(/^chmod /gm)).toEqual(['chmod ']);
    expect(script.match(/^chown /gm)).toEqual(['chown ']);
    expect(script).toMatch(/^chmod 0755 '\/usr\/local\/bin\/x' '\/usr\/local\/bin\/y'$/m);
    expect(script).toMatch(/^chown 'u:u' '\/home\/u\/a' '\/home\/u\/b'$/m);
  });

  it("gives a file the image already had the manifest's mode, and leaves later directories with the usual mode", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'first-boot-existing-'));
    try {
      fs.writeFileSync(`${dir}/old`, 'image content\n', { mode: 0o666 });
      fs.chmodSync(`${dir}/old`, 0o666);
      const script = firstBootScript(
        machine({
          users: [machine().users[0]],
          startupFiles: [
            { path: `${dir}/old`, content: 'secret\n', mode: '0600' },
            { path: `${dir}/new`, content: 'key\n', mode: '0400' },
            { path: `${dir}/made/later`, content: 'x\n' },
          ],
        }),
      );
      execFileSync('sh', ['-c', script]);
      expect(fs.readFileSync(`${dir}/old`, 'utf8')).toBe('secret\n');
      expect(fs.statSync(`${dir}/old`).mode & 0o777).toBe(0o600);
      expect(fs.statSync(`${dir}/new`).mode & 0o777).toBe(0o400);
      expect(fs.statSync(`${dir}/made`).mode & 0o777).toBe(0o755);
      expect(fs.statSync(`${dir}/made/later`).mode & 0o777).toBe(0o644);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
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

  it('tells existing users from missing ones with shell builtins alone, in every POSIX shell here', () => {
    const script = firstBootScript(machine({ users: [machine().users[0], { name: 'alice', uid: 1001, gid: 1001, home: '/home/alice', shell: '/bin/sh' }] }));
    const fn = script.split('\n').find((l) => l.startsWith('has_user_() '))!;
    for (const shell of ['sh', 'bash', 'busybox'].filter((s) => spawnSync('sh', ['-c', `command -v ${s}`]).status === 0)) {
      const check = `${fn}\nhas_user_ root && echo root; has_user_ ro || echo no-ro; has_user_ zz-nobody-here || echo none`;
      expect(execFileSync(shell, shell === 'busybox' ? ['sh', '-c', check] : ['-c', check]).toString(), shell).toBe('root\nno-ro\nnone\n');
    }
  });

  it('creates missing non-root users with sudo, never root', () => {
    const script = firstBootScript(
      machine({ users: [machine().users[0], { name: 'alice', uid: 1001, gid: 1001, home: '/home/alice', shell: '/usr/bin/zsh' }] }),
    );
    expect(script).toContain("if ! has_user_ 'alice'; then");
    expect(script).toContain("useradd -m $uid_ $grp_ -d '/home/alice' -s \"$sh_\" -G sudo 'alice'");
    expect(script).toContain("echo 'alice ALL=(ALL) NOPASSWD:ALL' >/etc/sudoers.d/sandlot-alice");
    expect(script).not.toContain("has_user_ 'root'");
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
