// A machine's drives as VM disks, the root drive first (/dev/vda: the initrd boots it),
// then the others in manifest order. The root drive is a qcow2 overlay on its image (grown
// to the manifest's size, the guest growing its file system at boot); every other drive
// is a qcow2 file of its own in the machine's directory, made once and kept until
// destroy: empty and formatted on the host as asked (mkfs on a sparse raw file, then
// converted: nothing is mounted on the host), raw when no file system is asked, or an
// overlay on a named image. The guest mounts them by serial (config-disk.ts).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatSize } from '../../manifests/sizes';
import { runCommand } from '../../util/run-command';
import type { DriveSpec, MachineSpec } from '../protocol';
import { findTool } from './doctor';
import type { DataDrive } from './qemu-args';

/** Virtual size of every built image's root file system (images/vm/builder.ts makes them so). */
export const IMAGE_DISK_BYTES = 8 * 1024 ** 3;

const MKFS: Record<NonNullable<DriveSpec['filesystem']>, { tool: string; args: string[]; pkg: string }> = {
  ext4: { tool: 'mkfs.ext4', args: ['-q', '-F'], pkg: 'e2fsprogs' },
  ext3: { tool: 'mkfs.ext3', args: ['-q', '-F'], pkg: 'e2fsprogs' },
  ext2: { tool: 'mkfs.ext2', args: ['-q', '-F'], pkg: 'e2fsprogs' },
  xfs: { tool: 'mkfs.xfs', args: ['-q', '-f'], pkg: 'xfsprogs' },
  btrfs: { tool: 'mkfs.btrfs', args: ['-q', '-f'], pkg: 'btrfs-progs' },
};

/** Default size of an empty drive that names none. */
const DEFAULT_DRIVE_BYTES = 1024 ** 3;

export function driveFile(machineDir: string, index: number): string {
  return path.join(machineDir, `drive${index}.qcow2`);
}

/** The root drive's virtual size when the manifest asks for more than the image has. */
export function rootBytes(m: MachineSpec): number | undefined {
  const root = m.drives.find((d) => d.mount === '/');
  return root?.sizeBytes !== undefined && root.sizeBytes > IMAGE_DISK_BYTES ? root.sizeBytes : undefined;
}

/** Virtual size of an empty drive. */
export function emptyDriveBytes(d: DriveSpec): number {
  return d.sizeBytes ?? DEFAULT_DRIVE_BYTES;
}

/** The drives after the root, in manifest order, as QEMU gets them. */
export function dataDrives(machineDir: string, m: MachineSpec): DataDrive[] {
  return m.drives.flatMap((d, j) => (d.mount === '/' ? [] : [{ file: driveFile(machineDir, j), index: j, readOnly: d.readOnly }]));
}

/** What this host cannot make of a machine's drives, one line each (the field first). */
export function driveProblems(m: MachineSpec, hasTool: (tool: string) => boolean = (t) => findTool(t) !== undefined): string[] {
  const problems: string[] = [];
  m.drives.forEach((d, j) => {
    const field = `playground.machines[${m.index}].drives[${j}]`;
    if (d.mount === '/') {
      if (d.sizeBytes !== undefined && d.sizeBytes < IMAGE_DISK_BYTES) {
        problems.push(
          `${field}.size: ${formatSize(d.sizeBytes)} is smaller than the image's ${formatSize(IMAGE_DISK_BYTES)}; expected at least that (microvm driver)`,
        );
      }
      return;
    }
    if (d.source?.startsWith('oci://'))
      problems.push(`${field}.source: an OCI image as an extra drive is not supported; give it as the root drive (microvm driver)`);
    if (d.filesystem && !d.source && !hasTool(MKFS[d.filesystem].tool)) {
      problems.push(
        `${field}.filesystem: ${d.filesystem} needs ${MKFS[d.filesystem].tool} on the agent's host: apt-get install ${MKFS[d.filesystem].pkg} (microvm driver)`,
      );
    }
  });
  return problems;
}

/**
 * Makes the drive files a machine lacks (never touches existing ones: they hold the
 * machine's data). `imageDisk` gives the base disk of a named image for drives with a source.
 */
export async function ensureDriveFiles(machineDir: string, m: MachineSpec, imageDisk: (name: string) => string): Promise<void> {
  for (const [j, d] of m.drives.entries()) {
    if (d.mount === '/') continue;
    const file = driveFile(machineDir, j);
    if (fs.existsSync(file)) continue;
    const part = `${file}.part`;
    fs.rmSync(part, { force: true });
    if (d.source) {
      await runCommand('qemu-img', ['create', '-q', '-f', 'qcow2', '-b', imageDisk(d.source), '-F', 'qcow2', part]);
    } else if (!d.filesystem) {
      await runCommand('qemu-img', ['create', '-q', '-f', 'qcow2', part, String(emptyDriveBytes(d))]);
    } else {
      const raw = `${file}.raw`;
      try {
        fs.writeFileSync(raw, '');
        fs.truncateSync(raw, emptyDriveBytes(d));
        const mkfs = MKFS[d.filesystem];
        await runCommand(mkfs.tool, [...mkfs.args, raw]);
        // convert skips the holes: a fresh 100 GiB file system costs megabytes.
        await runCommand('qemu-img', ['convert', '-q', '-f', 'raw', '-O', 'qcow2', raw, part]);
      } finally {
        fs.rmSync(raw, { force: true });
      }
    }
    fs.renameSync(part, file);
  }
}
