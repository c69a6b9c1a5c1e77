import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BEGIN_MARKER, type SshHostEntry } from '../../../../extension/remote/ssh-config-block';
import { proxyCommand } from '../../../../host-agent/ssh/host-block';
import { writeSandlotBlock } from '../../../../extension/remote/ssh-config-file';

const e: SshHostEntry = {
  alias: 'sandlot--pg-aaaaaa--dev',
  user: 'root',
  identityFile: '/k',
  knownHostsFile: '/kh',
  proxyCommand: proxyCommand('/usr/bin/node', '/cli.js'),
};

describe('writeSandlotBlock', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlot-sshcfg-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('creates ~/.ssh (0700) and a 0600 config when none exists', async () => {
    const cfg = path.join(dir, '.ssh', 'config');
    const r = await writeSandlotBlock([e], cfg);
    expect(r.changed).toBe(true);
    expect(fs.statSync(path.dirname(cfg)).mode & 0o777).toBe(0o700);
    expect(fs.statSync(cfg).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(cfg, 'utf8').startsWith(BEGIN_MARKER)).toBe(true);
  });

  it('keeps the mode of an existing file and writes through a symlink, keeping the link', async () => {
    const real = path.join(dir, 'dotfiles', 'ssh_config');
    fs.mkdirSync(path.dirname(real));
    fs.writeFileSync(real, 'Host *\n  User bob\n', { mode: 0o644 });
    fs.chmodSync(real, 0o644);
    fs.mkdirSync(path.join(dir, '.ssh'));
    const link = path.join(dir, '.ssh', 'config');
    fs.symlinkSync(real, link);
    await writeSandlotBlock([e], link);
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.statSync(real).mode & 0o777).toBe(0o644);
    expect(fs.readFileSync(real, 'utf8')).toMatch(new RegExp(`^${BEGIN_MARKER}[\\s\\S]*Host \\*\\n  User bob\\n$`));
  });

  it("writes a dangling symlink's target (creating it and its directory), keeping the link", async () => {
    const real = path.join(dir, 'dotfiles', 'ssh', 'config');
    fs.mkdirSync(path.join(dir, '.ssh'));
    const link = path.join(dir, '.ssh', 'config');
    fs.symlinkSync('../dotfiles/ssh/config', link);
    const r = await writeSandlotBlock([e], link);
    expect(r.path).toBe(real);
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.readlinkSync(link)).toBe('../dotfiles/ssh/config');
    expect(fs.statSync(real).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(link, 'utf8').startsWith(BEGIN_MARKER)).toBe(true);
  });

  it('follows a chain of links and refuses a loop instead of writing over it', async () => {
    const a = path.join(dir, 'a');
    const b = path.join(dir, 'b');
    fs.symlinkSync(b, a);
    fs.symlinkSync(path.join(dir, 'c'), b);
    await writeSandlotBlock([e], a);
    expect(fs.readFileSync(path.join(dir, 'c'), 'utf8').startsWith(BEGIN_MARKER)).toBe(true);
    const loop = path.join(dir, 'loop');
    fs.symlinkSync(loop, loop);
    await expect(writeSandlotBlock([e], loop)).rejects.toThrow(/too many levels of symbolic links/);
    expect(fs.lstatSync(loop).isSymbolicLink()).toBe(true);
  });

  it('does not rewrite an unchanged file', async () => {
    const cfg = path.join(dir, 'config');
    await writeSandlotBlock([e], cfg);
    const before = fs.statSync(cfg).ino;
    const r = await writeSandlotBlock([e], cfg);
    expect(r.changed).toBe(false);
    expect(fs.statSync(cfg).ino).toBe(before);
  });

  it('leaves a file with damaged markers untouched and says why', async () => {
    const cfg = path.join(dir, 'config');
    const text = 'Host *\n  User bob\n# --- END SANDLOT ---\n';
    fs.writeFileSync(cfg, text);
    await expect(writeSandlotBlock([e], cfg)).rejects.toThrow(/config:3: .*without a "# --- BEGIN SANDLOT ---"/);
    expect(fs.readFileSync(cfg, 'utf8')).toBe(text);
  });
});
