// The same recipes without an engine in the loop: the linux layer (and a layer that
// installs a package) applied in a chroot over the debian rootfs, as a VM driver would.
// The engine only supplies the rootfs here (an export of the built debian image), which
// is quicker than another debootstrap.
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerDriver } from '../../../../../host-agent/drivers/docker/driver';
import { BUILTIN_RECIPES } from '../../../../../host-agent/images/catalog';
import { applyLayer } from '../../../../../host-agent/images/vm/chroot-layer';
import { startTestEngine, type TestEngine } from '../../drivers/docker/helpers';

describe('recipe layers applied to a rootfs directory', () => {
  let engine: TestEngine;
  let work: string;
  let rootfs: string;

  beforeAll(async () => {
    engine = await startTestEngine();
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlot-rootfs-test-'));
    const driver = new DockerDriver({ stateHome: work, dockerHost: engine.dockerHost });
    const tag = await driver.images.ensure('debian');
    const c = await engine.docker.createContainer({ Image: tag, Cmd: ['/bin/true'] });
    try {
      rootfs = path.join(work, 'rootfs');
      fs.mkdirSync(rootfs);
      const stream = await c.export();
      const tar = spawn('tar', ['-x', '--numeric-owner', '-C', rootfs], { stdio: ['pipe', 'ignore', 'inherit'] });
      stream.pipe(tar.stdin);
      await new Promise((resolve, reject) => tar.on('close', (code) => (code === 0 ? resolve(null) : reject(new Error(`tar exited ${code}`)))));
    } finally {
      await c.remove({ force: true });
    }
  }, 900_000);

  afterAll(async () => {
    await engine?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  }, 60_000);

  it('gives the directory what the linux image has, and apt works for package layers', async () => {
    await applyLayer(rootfs, BUILTIN_RECIPES.get('linux')!, {});
    await applyLayer(rootfs, { name: 'extra', description: '', parent: 'linux', packages: ['tree'], script: 'tree --version' }, {});

    const inChroot = (cmd: string) => execFileSync('chroot', [rootfs, '/bin/sh', '-c', cmd]).toString();
    expect(inChroot('id -un laborant; id -nG laborant')).toBe('laborant\nlaborant sudo\n');
    expect(fs.statSync(path.join(rootfs, 'usr/local/sbin/sandlot-init')).mode & 0o777).toBe(0o755);
    expect(fs.statSync(path.join(rootfs, 'etc/sudoers.d/laborant')).mode & 0o777).toBe(0o440);
    expect(fs.readdirSync(path.join(rootfs, 'etc/ssh')).filter((f) => f.startsWith('ssh_host_'))).toEqual([]);
    expect(fs.existsSync(path.join(rootfs, 'usr/bin/tree'))).toBe(true);
    // Nothing of the build is left behind: no script, no policy-rc.d, no mounted /proc.
    expect(fs.existsSync(path.join(rootfs, 'tmp/sandlot-layer.sh'))).toBe(false);
    expect(fs.existsSync(path.join(rootfs, 'usr/sbin/policy-rc.d'))).toBe(false);
    expect(fs.readFileSync('/proc/self/mounts', 'utf8')).not.toContain(rootfs);
  }, 300_000);

  it('refuses a bootstrap recipe and reports a failing script with its output', async () => {
    await expect(applyLayer(rootfs, BUILTIN_RECIPES.get('debian')!, {})).rejects.toThrow('image "debian" is a bootstrap, not a layer');
    await expect(applyLayer(rootfs, { name: 'bad', description: '', parent: 'linux', script: 'echo about to fail; exit 3' }, {})).rejects.toThrow(
      /failed \(exit 3\):\nabout to fail/,
    );
  });
});
