// Sandbox machines whose root is an image (the manifest names one: `drives[].source` or
// `machines[].image`): an overlay of the image's rootfs, idmapped to the machine's ids,
// over the machine's own data, so root can apt-get install, edit /etc or write /usr/local
// and the image never changes. Only a root agent can make idmapped mounts; a normal-user
// agent keeps the host's read-only view (and says so).
//
// A machine's files on the host (M_DIR = <playground>/driver/machines/<m>):
//   disk.img     its data (overlay upper and work dirs) on an ext4 image of the root
//                drive's size, loop-mounted only inside the machine's setup namespace:
//                a full machine fills its own disk, never the agent's.
//   drives/N.img extra drives with a mount point, the same way.
//   etc/         hosts, hostname, resolv.conf bound over the image's.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { firstBootScript, forkIdentityScript } from '../docker/first-boot';
import type { DriveSpec, MachineSpec, PlaygroundSpec } from '../protocol';
import { AGENT_IS_ROOT, builtHelper } from './namespaces';
import { runCommand } from '../../util/run-command';
import { withLock } from '../../images/vm/lock';

export type RootMode = 'image' | 'view';

/** 10 GiB: iximiuz Labs' usual root drive; sparse, so only what is written takes space. */
export const DEFAULT_DISK_BYTES = 10 * 1024 ** 3;
/** Marker the first boot leaves in the machine (kept in its data disk). */
const FIRST_BOOT_DONE = '/var/lib/sandlot/first-boot.done';

/** Whether the manifest names an image for this machine (otherwise it gets the host's view). */
export function namesImage(spec: PlaygroundSpec, machine: MachineSpec): boolean {
  const m = spec.manifest.playground.machines[machine.index];
  return !!m && (m.image !== undefined || (m.drives?.length ?? 0) > 0);
}

/**
 * Why this host cannot give image roots, or undefined when it can: they need real root
 * (idmapped mounts) and Linux 5.19 (overlayfs over idmapped layers, inside a user namespace).
 */
export function imageRootsUnavailable(release = os.release()): string | undefined {
  if (!AGENT_IS_ROOT) return 'image roots need the agent to run as root (idmapped mounts)';
  const [major, minor] = release.split(/[.-]/).map(Number);
  if (major < 5 || (major === 5 && minor < 19)) return `image roots need Linux 5.19 or later (overlayfs over idmapped layers); this kernel is ${release}`;
  if (!fs.existsSync('/usr/sbin/mkfs.ext4')) return 'image roots need /usr/sbin/mkfs.ext4 (Debian package e2fsprogs)';
  if (!builtHelper('sandlot-image-mounts'))
    return 'image roots need dist/sandlot-image-mounts, which was not built (install a C compiler, Debian package build-essential, and run npm run build)';
  return undefined;
}

export function rootModeOf(spec: PlaygroundSpec, machine: MachineSpec): RootMode {
  return namesImage(spec, machine) && !imageRootsUnavailable() ? 'image' : 'view';
}

/** Extra drives with a mount point, by their index in the machine's drive list. */
export function mountedExtraDrives(machine: MachineSpec): { index: number; drive: DriveSpec & { mount: string } }[] {
  return machine.drives.flatMap((d, index) => (d.mount && d.mount !== '/' ? [{ index, drive: { ...d, mount: d.mount } }] : []));
}

/** Problems of a machine's drives on this driver, as `field: message` lines. */
export function driveProblems(spec: PlaygroundSpec, machine: MachineSpec): string[] {
  const problems: string[] = [];
  const mode = rootModeOf(spec, machine);
  machine.drives.forEach((d, i) => {
    if (d.mount === '/') return;
    const field = `playground.machines[${machine.index}].drives[${i}]`;
    if (!d.mount) problems.push(`${field}.mount: the sandbox driver attaches drives only at a mount point (no raw block devices); expected a path`);
    else if (mode === 'view')
      problems.push(`${field}: extra drives need a machine with an image root on an agent running as root (this one has the host's read-only view)`);
    else if (d.source) problems.push(`${field}.source: the sandbox driver makes extra drives empty; expected no source, got ${JSON.stringify(d.source)}`);
    else if (d.filesystem && d.filesystem !== 'ext4' && d.filesystem !== 'ext2' && d.filesystem !== 'ext3')
      problems.push(`${field}.filesystem: the sandbox driver formats ext2/3/4; got ${JSON.stringify(d.filesystem)}`);
  });
  return problems;
}

/**
 * An empty file system of `bytes` (sparse) at `file`: a copy of one formatted once per size
 * and type in the image cache, since mkfs is the slowest step of a machine's first start.
 * Its root belongs to real root; the machine's setup hands it to the machine's root after
 * mounting it.
 */
async function emptyDisk(file: string, bytes: number, fsType: string, cacheDir: string): Promise<void> {
  // v2: the journal is left as the sparse file's holes (zeros, what zeroing it would write),
  // so each copy writes ~4 MB instead of ~70 MB for 10 GiB of ext4.
  const template = path.join(cacheDir, 'sandbox', `empty-${fsType}-${bytes}-v2.img`);
  if (!fs.existsSync(template)) {
    await withLock(`${template}.lock`, async () => {
      if (fs.existsSync(template)) return;
      fs.mkdirSync(path.dirname(template), { recursive: true });
      const tmp = `${template}.${process.pid}`;
      fs.writeFileSync(tmp, '');
      fs.truncateSync(tmp, bytes);
      try {
        await runCommand(`mkfs.${fsType}`, [
          '-q',
          '-F',
          '-m',
          '0',
          ...(fsType === 'ext4' || fsType === 'ext3' ? ['-E', 'lazy_itable_init=1,lazy_journal_init=1'] : []),
          tmp,
        ]);
        fs.renameSync(tmp, template);
      } finally {
        fs.rmSync(tmp, { force: true });
      }
    });
  }
  await runCommand('cp', ['--sparse=always', template, file]);
}

/** Makes the machine's data disk and extra drives on first use (independent of its network: done while that is made). */
export async function prepareImageDisks(dir: string, machine: MachineSpec, cacheDir: string): Promise<void> {
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  const disk = path.join(dir, 'disk.img');
  const root = machine.drives.find((d) => d.mount === '/');
  if (!fs.existsSync(disk)) await emptyDisk(disk, root?.sizeBytes ?? DEFAULT_DISK_BYTES, 'ext4', cacheDir);
  for (const { index, drive } of mountedExtraDrives(machine)) {
    const img = path.join(dir, 'drives', `${index}.img`);
    if (fs.existsSync(img)) continue;
    fs.mkdirSync(path.dirname(img), { recursive: true, mode: 0o700 });
    await emptyDisk(img, drive.sizeBytes ?? DEFAULT_DISK_BYTES, drive.filesystem ?? 'ext4', cacheDir);
  }
}

/** Writes the machine's etc files, on every start (resolv.conf depends on the playground's way out). */
export function writeImageEtc(dir: string, machine: MachineSpec, files: { hosts: string; resolvConf: string; firstBoot: string }): void {
  fs.mkdirSync(path.join(dir, 'etc'), { recursive: true, mode: 0o755 });
  const etc: Record<string, string> = { hosts: files.hosts, hostname: `${machine.name}\n`, 'resolv.conf': files.resolvConf, 'first-boot.sh': files.firstBoot };
  for (const [name, content] of Object.entries(etc)) fs.writeFileSync(path.join(dir, 'etc', name), content, { mode: 0o644 });
}

/** M_DRIVES for the init script: "index mountpoint ro|rw" items. */
export function drivesEnv(machine: MachineSpec): string {
  return mountedExtraDrives(machine)
    .map(({ index, drive }) => `${index} ${drive.mount} ${drive.readOnly ? 'ro' : 'rw'}`)
    .join(';');
}

/**
 * Puts an image-root machine's files in place in its setup's mount namespace (setup made
 * the mount points under `work`): the image layers idmapped to the hub's ids, the data disk
 * and extra drives on loop devices (handed to the machine's root, host uid `owner`), its
 * etc files. One process (dist/sandlot-image-mounts), run as real root from outside.
 */
export function mountImageFiles(o: {
  hubPid: number;
  setupPid: number;
  owner: number;
  dir: string;
  work: string;
  lowers: string[];
  machine: MachineSpec;
}): Promise<void> {
  const helper = builtHelper('sandlot-image-mounts');
  if (!helper) return Promise.reject(new Error(imageRootsUnavailable() ?? 'dist/sandlot-image-mounts was not built'));
  const args = ['--userns', String(o.hubPid), '--mntns', String(o.setupPid), '--owner', String(o.owner)];
  o.lowers.forEach((layer, i) => args.push('--image', layer, `${o.work}/lower/${i}`));
  args.push('--disk', path.join(o.dir, 'disk.img'), 'ext4', `${o.work}/data`);
  for (const { index, drive } of mountedExtraDrives(o.machine))
    args.push('--disk', path.join(o.dir, 'drives', `${index}.img`), drive.filesystem ?? 'ext4', `${o.work}/drives/${index}`);
  args.push('--bind', path.join(o.dir, 'etc'), `${o.work}/etc`);
  args.push('--mkdir', `${o.work}/data/upper`, '--mkdir', `${o.work}/data/work`);
  return runCommand(helper, args);
}

/**
 * What the machine's init runs once its root is in place, before it says ready: the first
 * boot (users, startup files — the docker driver's script), guarded by a marker on the
 * machine's own disk; for a fork, whose snapshot has that done, its own SSH identity files,
 * written over the snapshot's (the original's keys must never open the fork).
 */
export function firstBootFile(machine: MachineSpec, fork: boolean): string {
  if (fork) return forkIdentityScript(machine);
  return [
    '#!/bin/sh',
    `[ -e ${FIRST_BOOT_DONE} ] && exit 0`,
    firstBootScript(machine).replace(/^#!\/bin\/sh\n/, ''),
    `[ -d ${path.posix.dirname(FIRST_BOOT_DONE)} ] || mkdir -p ${path.posix.dirname(FIRST_BOOT_DONE)}`,
    `: > ${FIRST_BOOT_DONE}`,
    '',
  ].join('\n');
}
