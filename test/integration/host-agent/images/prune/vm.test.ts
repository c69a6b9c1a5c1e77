// `sandlot images prune` on a real microvm cache (a temp one): old bases, snapshots,
// tarballs, kernels and build leftovers go; current entries stay, and so does every old
// entry a playground still needs — through a real qcow2 overlay's backing chain, its
// driver state, a playground snapshot's record, or a process holding a file open. No VM
// is booted: the disks are small qcow2 files made with qemu-img, the guest kernel a .deb
// made with dpkg-deb. Also the bad inputs, as one-line errors naming the argument.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VmImageBuilder } from '../../../../../host-agent/images/vm/builder';
import { z } from 'zod';
import { cli, tempHome } from '../../../../helpers/agent-process';
import { parsePruneReport } from './report';

const oneLine = (s: string) => {
  expect(s.trim().split('\n')).toHaveLength(1);
  expect(s).not.toMatch(/\n\s+at /);
};

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
}

/** Every path under `dir`, to show a dry run changed nothing. */
function tree(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
}

describe('sandlot images prune --driver microvm', () => {
  const home = tempHome('sandlot-prune-home-');
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlot-prune-cache-'));
  const env: NodeJS.ProcessEnv = { ...process.env, SANDLOT_HOME: home, SANDLOT_VM_CACHE: cache };
  for (const k of ['SANDLOT_VM_KERNEL_DEB', 'SANDLOT_K3S_BINARY', 'SANDLOT_K3S_URL', 'SANDLOT_K3S_SHA256', 'SANDLOT_AGENT_URL', 'DOCKER_HOST']) delete env[k];
  const at = (...p: string[]) => path.join(cache, ...p);
  let holder: ChildProcess | undefined;
  let cur: { linux: string; rootfs: string; kernel: string };
  const old = {
    linux: 'images/linux-000000000000',
    linuxSnap: 'snapshots/linux-000000000000-512m-1c-tcg-k0a1b2c3d',
    docker: 'images/docker-0000000000aa',
    dockerSnap: 'snapshots/docker-0000000000aa-1024m-1c-tcg-k0a1b2c3d',
    pinned: 'images/linux-0000000000bb',
    open: 'images/linux-0000000000cc',
    snapped: 'images/linux-0000000000dd',
    snappedSnap: 'snapshots/linux-0000000000dd-512m-1c-tcg-k0a1b2c3d',
    k3s: 'images/k3s-000000000000',
    rootfs: 'rootfs/debian-000000000000.tar',
    kernel: 'kernel-0000000000000000',
    deb: 'debs/linux-image-6.1.0-10-cloud-amd64_6.1.100-1_amd64.deb',
  };
  let leftover: string;

  const disk = (rel: string, backing?: string) => {
    fs.mkdirSync(at(rel), { recursive: true });
    const args = ['create', '-q', '-f', 'qcow2'];
    if (backing) args.push('-b', backing, '-F', 'qcow2');
    run('qemu-img', [...args, at(rel, 'disk.qcow2'), ...(backing ? [] : ['64M'])]);
    // Some real blocks, so the space freed is not just metadata.
    fs.writeFileSync(at(rel, 'vmlinuz'), Buffer.alloc(1024 * 1024, 1));
    fs.writeFileSync(at(rel, 'image.json'), '{}');
  };

  beforeAll(async () => {
    // A guest kernel package the way Debian's looks inside (what resolveGuestKernel reads).
    const pkg = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlot-prune-deb-'));
    const version = '6.1.0-99-cloud-amd64';
    fs.mkdirSync(path.join(pkg, 'DEBIAN'));
    fs.writeFileSync(
      path.join(pkg, 'DEBIAN', 'control'),
      `Package: linux-image-${version}\nVersion: 6.1.999-1\nArchitecture: amd64\nMaintainer: test <t@example.invalid>\nDescription: test kernel\n`,
    );
    fs.mkdirSync(path.join(pkg, 'boot'));
    fs.writeFileSync(path.join(pkg, 'boot', `vmlinuz-${version}`), 'not really a kernel');
    fs.mkdirSync(path.join(pkg, 'lib', 'modules', version), { recursive: true });
    fs.mkdirSync(at('debs'));
    run('dpkg-deb', ['-b', '-Zgzip', pkg, at('debs', `linux-image-${version}_6.1.999-1_amd64.deb`)]);
    fs.rmSync(pkg, { recursive: true, force: true });
    fs.writeFileSync(at(old.deb), 'an older kernel package');

    // What the current recipes make, computed by the builder itself.
    const builder = new VmImageBuilder({ cacheDir: cache, env });
    const linux = await builder.resolve('linux');
    const kernel = await builder.guestKernel();
    cur = {
      linux: `images/linux-${linux.hash.slice(0, 12)}`,
      rootfs: `rootfs/debian-${linux.layers[0].hash.slice(0, 12)}.tar`,
      kernel: `kernel-${kernel.digest.slice(0, 16)}`,
    };
    expect(fs.existsSync(at(cur.kernel))).toBe(true);

    disk(cur.linux);
    disk('snapshots/' + path.basename(cur.linux) + '-512m-1c-tcg-k0a1b2c3d', at(cur.linux, 'disk.qcow2'));
    disk(old.linux);
    disk(old.linuxSnap, at(old.linux, 'disk.qcow2'));
    disk(old.docker);
    disk(old.dockerSnap, at(old.docker, 'disk.qcow2'));
    disk(old.pinned);
    disk(old.open);
    disk(old.snapped);
    disk(old.snappedSnap, at(old.snapped, 'disk.qcow2'));
    disk(old.k3s);
    fs.mkdirSync(at('rootfs'));
    fs.writeFileSync(at(cur.rootfs), 'current tarball');
    fs.writeFileSync(at(old.rootfs), Buffer.alloc(256 * 1024, 2));
    fs.mkdirSync(at(old.kernel, 'boot'), { recursive: true });
    leftover = `${cur.linux}.work-Zq81`;
    fs.mkdirSync(at(leftover, 'rootfs'), { recursive: true });

    // A stopped playground whose machine's overlay backs onto the old docker snapshot,
    // and one whose driver state pins an old image (its kernel and initrd).
    const machine = path.join(home, 'playgrounds', 'pg-old', 'driver', 'dev');
    fs.mkdirSync(machine, { recursive: true });
    run('qemu-img', ['create', '-q', '-f', 'qcow2', '-b', at(old.dockerSnap, 'disk.qcow2'), '-F', 'qcow2', path.join(machine, 'disk.qcow2')]);
    fs.writeFileSync(path.join(machine, '..', 'microvm.json'), JSON.stringify({ machines: { dev: { booted: true, image: at(old.docker) } } }));
    const pinned = path.join(home, 'playgrounds', 'pg-pin', 'driver');
    fs.mkdirSync(pinned, { recursive: true });
    fs.writeFileSync(path.join(pinned, 'microvm.json'), JSON.stringify({ machines: { box: { booted: true, image: at(old.pinned) } } }));

    // A playground snapshot (`sandlot snapshot`) whose disk copy stands on an old warm-start
    // template and its image, as the microvm driver records it.
    const part = path.join(home, 'snapshots', 'sn-test01', 'machines', 'dev');
    fs.mkdirSync(part, { recursive: true });
    const backing = [at(old.snappedSnap, 'disk.qcow2'), at(old.snapped, 'disk.qcow2')].map((file) => ({ file, bytes: fs.statSync(file).size }));
    fs.writeFileSync(path.join(part, 'microvm.json'), JSON.stringify({ format: 1, imageDir: at(old.snapped), drives: [], backing }));

    // Another agent's running VM would hold its base open: a shell does the same.
    holder = spawn('bash', ['-c', `exec 3<${at(old.open, 'disk.qcow2')}; exec sleep 300`], { stdio: 'ignore' });
    const fdDir = `/proc/${holder.pid}/fd`;
    for (let i = 0; i < 100; i++) {
      const open =
        fs.existsSync(fdDir) &&
        fs.readdirSync(fdDir).some((fd) => {
          try {
            return fs.readlinkSync(`${fdDir}/${fd}`).startsWith(at(old.open));
          } catch {
            return false;
          }
        });
      if (open && fs.readFileSync(`/proc/${holder.pid}/comm`, 'utf8').trim() === 'sleep') break;
      await new Promise((r) => setTimeout(r, 20));
    }
  });

  afterAll(() => {
    holder?.kill('SIGKILL');
    fs.rmSync(home, { recursive: true, force: true });
    fs.rmSync(cache, { recursive: true, force: true });
  });

  const stale = () => [old.linuxSnap, old.linux, leftover, old.rootfs, old.kernel, old.deb];

  it('--dry-run lists what would go and why the rest stays, and removes nothing', () => {
    const before = tree(cache);
    const r = cli(env, ['images', 'prune', '--driver', 'microvm', '--dry-run', '--json']);
    expect(r.stderr).toMatch(/^\[microvm\] scanning /m);
    expect(r.code).toBe(0);
    const report = parsePruneReport(r.stdout);
    expect(report.dryRun).toBe(true);
    expect(report.removed.map((i) => i.name)).toEqual(stale());
    expect(report.removed.find((i) => i.name === old.linux)?.why).toBe(`current is ${cur.linux}`);
    const { [old.k3s]: k3sWhy, ...kept } = Object.fromEntries(report.kept.map((k) => [k.name, k.why]));
    expect(kept).toEqual({
      [old.docker]: 'backs the disk of machine dev in playground pg-old',
      [old.dockerSnap]: 'backs the disk of machine dev in playground pg-old',
      [old.pinned]: 'kernel and initrd of machine box in playground pg-pin',
      [old.open]: `open by process ${holder!.pid} (sleep)`,
      [old.snapped]: 'machine dev of snapshot sn-test01 stands on it',
      [old.snappedSnap]: 'machine dev of snapshot sn-test01 stands on it',
    });
    expect(k3sWhy).toMatch(/^cannot tell the current k3s image: the k3s image needs a k3s binary/);
    // The 1 MiB file plus the disk's metadata.
    expect(report.removed.find((i) => i.name === old.linux)?.bytes).toBeGreaterThan(1024 * 1024);
    expect(report.freedBytes).toBe(report.removed.reduce((s, i) => s + i.bytes, 0));
    expect(tree(cache)).toEqual(before);

    const text = cli(env, ['images', 'prune', '--driver', 'microvm', '--dry-run']);
    expect(text.stdout).toMatch(new RegExp(`^would remove +microvm +image +${old.linux} +1\\.\\d MiB\\n`, 'm'));
    expect(text.stdout).toMatch(new RegExp(`^kept +microvm +snapshot +${old.dockerSnap} +\\(backs the disk of machine dev in playground pg-old\\)$`, 'm'));
    expect(text.stdout).toMatch(/^would free [\d.]+ MiB \(6 items, 7 old kept\)$/m);
    expect(tree(cache)).toEqual(before);
  });

  it('removes the stale entries, keeps current and in-use ones, and the overlay still opens', () => {
    const r = cli(env, ['images', 'prune', '--driver', 'microvm']);
    expect(r.code).toBe(0);
    for (const p of stale()) {
      expect(r.stdout).toContain(` ${p}  `);
      expect(fs.existsSync(at(p))).toBe(false);
    }
    expect(r.stdout).toMatch(/^freed [\d.]+ MiB \(6 items, 7 old kept\)$/m);
    for (const p of [
      cur.linux,
      `snapshots/${path.basename(cur.linux)}-512m-1c-tcg-k0a1b2c3d`,
      cur.rootfs,
      cur.kernel,
      old.docker,
      old.dockerSnap,
      old.pinned,
      old.open,
      old.snapped,
      old.snappedSnap,
      old.k3s,
      'debs',
    ]) {
      expect(fs.existsSync(at(p)), p).toBe(true);
    }
    expect(fs.readdirSync(at('debs'))).toEqual(['linux-image-6.1.0-99-cloud-amd64_6.1.999-1_amd64.deb']);
    // QEMU's own view: the stopped machine's disk still has its whole chain.
    const info = spawnSync('qemu-img', ['info', '--backing-chain', '--output=json', path.join(home, 'playgrounds', 'pg-old', 'driver', 'dev', 'disk.qcow2')], {
      encoding: 'utf8',
    });
    expect(info.status).toBe(0);
    // qemu-img's output, not ours: its shape is checked.
    const chain = z.array(z.object({ filename: z.string() })).parse(JSON.parse(info.stdout));
    expect(chain.map((i) => i.filename).slice(1)).toEqual([at(old.dockerSnap, 'disk.qcow2'), at(old.docker, 'disk.qcow2')]);

    const again = cli(env, ['images', 'prune', '--driver', 'microvm', '--json']);
    expect(parsePruneReport(again.stdout)).toMatchObject({ removed: [], freedBytes: 0 });
  });

  it('once nothing uses an old entry any more, it goes', () => {
    fs.rmSync(path.join(home, 'playgrounds', 'pg-old'), { recursive: true });
    const r = parsePruneReport(cli(env, ['images', 'prune', '--driver', 'microvm', '--json']).stdout);
    expect(r.removed.map((i) => i.name)).toEqual([old.dockerSnap, old.docker]);
  });

  it('bad input: one line naming the argument, exit 1', () => {
    const driver = cli(env, ['images', 'prune', '--driver', 'lxc']);
    expect(driver.code).toBe(1);
    expect(driver.stderr).toBe('sandlot: images prune: --driver: expected docker, microvm or all, got "lxc"\n');

    const name = cli(env, ['images', 'prune', 'nosuch', '--driver', 'microvm']);
    expect(name.code).toBe(1);
    expect(name.stderr).toMatch(/^sandlot: images prune: unknown image "nosuch": expected one of linux, docker/);
    oneLine(name.stderr);

    const missing = path.join(os.tmpdir(), `sandlot-no-cache-${process.pid}`);
    const noCache = cli({ ...env, SANDLOT_VM_CACHE: missing }, ['images', 'prune', '--driver', 'microvm']);
    expect(noCache.code).toBe(1);
    expect(noCache.stderr).toBe(
      `sandlot: images prune: microvm image cache ${missing}: no such directory (set by SANDLOT_VM_CACHE, default $SANDLOT_HOME/images/vm)\n`,
    );

    const noEngine = cli({ ...env, DOCKER_HOST: `unix://${missing}/docker.sock` }, ['images', 'prune', '--driver', 'docker']);
    expect(noEngine.code).toBe(1);
    expect(noEngine.stderr).toMatch(
      new RegExp(`^sandlot: images prune: docker driver: no Docker engine answers at unix://${missing}/docker\\.sock \\(no socket there\\)`),
    );
    oneLine(noEngine.stderr);

    const badHost = cli({ ...env, DOCKER_HOST: 'docker.example:2375' }, ['images', 'prune', '--driver', 'docker']);
    expect(badHost.stderr).toBe('sandlot: images prune: DOCKER_HOST: expected unix:///path/to/docker.sock or tcp://host:port, got "docker.example:2375"\n');

    // With --driver all an absent engine is skipped; with neither there, an error.
    const skipDocker = cli({ ...env, DOCKER_HOST: `unix://${missing}/docker.sock` }, ['images', 'prune', '--json']);
    expect(skipDocker.code).toBe(0);
    const { skipped } = parsePruneReport(skipDocker.stdout);
    expect(skipped.map((s) => s.driver)).toEqual(['docker']);
    expect(skipped[0].reason).toMatch(/^docker driver: no Docker engine answers/);
    const neither = cli({ ...env, DOCKER_HOST: `unix://${missing}/docker.sock`, SANDLOT_VM_CACHE: missing }, ['images', 'prune']);
    expect(neither.code).toBe(1);
    expect(neither.stderr).toMatch(
      /^sandlot: images prune: nothing to prune here: docker driver: no Docker engine answers .*; microvm image cache .*: no such directory/,
    );
    oneLine(neither.stderr);
  });
});
