// A machine's drives on a Docker engine. The root drive's source is the container's
// image; every other mounted drive is a named volume of the playground (it lives as long
// as the playground: stop/start and agent restarts keep it, destroy removes it). What a
// container cannot have is said, never dropped silently: a volume is a directory of the
// engine's storage, so `filesystem` is not chosen; a drive without a mount point has no
// block device to appear as; an image as an extra drive cannot be copied into a volume.
import type { MachineSpec } from '../protocol';

export interface DriveVolume {
  /** Engine volume name. */
  name: string;
  target: string;
  readOnly: boolean;
  /** Asked-for size: given to the engine, which enforces it only where its storage has quotas. */
  sizeBytes?: number;
}

export interface DockerDrives {
  volumes: DriveVolume[];
  /** Size of the container's writable root, when the root drive gives one. */
  rootSizeBytes?: number;
  /** Things the machine will not have, one line each (the drive's field first). */
  problems: string[];
  /** Things it will have differently than asked. */
  notes: string[];
}

export function driveVolumeName(playground: string, machine: string, drive: number): string {
  return `sandlot-${playground}-${machine}-drive${drive}`;
}

export function dockerDrives(playground: string, m: MachineSpec): DockerDrives {
  const out: DockerDrives = { volumes: [], problems: [], notes: [] };
  m.drives.forEach((d, j) => {
    const field = `playground.machines[${m.index}].drives[${j}]`;
    if (d.mount === '/') {
      out.rootSizeBytes = d.sizeBytes;
      return;
    }
    if (d.source !== undefined) {
      out.problems.push(
        `${field}.source: the docker driver cannot attach an image as an extra drive (a volume starts empty); drop the source for an empty volume, or use the microvm driver (docker driver)`,
      );
      return;
    }
    if (d.mount === undefined) {
      out.notes.push(`${field}: a drive without a mount point is a raw block device, which a container cannot have; not attached (docker driver)`);
      return;
    }
    if (d.filesystem !== undefined && d.filesystem !== 'ext4') {
      out.notes.push(`${field}.filesystem: ${d.filesystem} is not applied: a volume is a directory on the engine's own file system (docker driver)`);
    }
    out.volumes.push({
      name: driveVolumeName(playground, m.name, j),
      target: d.mount,
      readOnly: d.readOnly,
      ...(d.sizeBytes ? { sizeBytes: d.sizeBytes } : {}),
    });
  });
  return out;
}
