// A machine's drives in list order (`/dev/vda`, `/dev/vdb`, … on VMs), as iximiuz Labs
// documents them: exactly one `mount: /` whose `source` is the image the machine boots;
// other drives are empty unless they name a source, formatted (ext4 unless told) when
// mounted, raw when neither mounted nor given a file system. A machine without `drives`
// has one root drive from Sandlot's `image` (default `linux`).
import type { DriveSpec } from '../drivers/protocol';
import { resolveImageSource } from './image-names';
import type { MachineManifest } from './schema';
import { formatSize, parseSize } from './sizes';
import { errorMessage } from '../util/errors';

const GiB = 1024 ** 3;
export const DRIVE_MIN_BYTES = 1 * GiB;
export const DRIVE_MAX_BYTES = 100 * GiB;
export const PLAYGROUND_DRIVES_MAX_BYTES = 240 * GiB;
export const DEFAULT_IMAGE = 'linux';

export interface MachineDrives {
  drives: DriveSpec[];
  /** The Sandlot image the root drive boots (or its `oci://` reference). */
  image: string;
  problems: string[];
  warnings: string[];
}

/** Drives of the machine at `index` of the manifest. */
export function machineDrives(m: MachineManifest, index: number): MachineDrives {
  const at = `playground.machines[${index}]`;
  const problems: string[] = [];
  const warnings: string[] = [];
  const sandlotImage = m.image === undefined ? undefined : resolveSandlotImage(m.image);
  if (m.drives === undefined) {
    const image = sandlotImage ?? DEFAULT_IMAGE;
    return { drives: [{ source: image, mount: '/', readOnly: false }], image, problems, warnings };
  }
  const drives: DriveSpec[] = [];
  const mounts = new Map<string, number>();
  let image: string | undefined;
  m.drives.forEach((d, j) => {
    const field = `${at}.drives[${j}]`;
    const spec: DriveSpec = { readOnly: d.readOnly ?? false };
    if (d.mount !== undefined) {
      const mount = normaliseMount(d.mount);
      if (mount === undefined) problems.push(`${field}.mount: expected an absolute path without "." or ".." parts, got ${JSON.stringify(d.mount)}`);
      else {
        const prev = mounts.get(mount);
        if (prev !== undefined) problems.push(`${field}.mount: ${mount} is already the mount point of ${at}.drives[${prev}]`);
        mounts.set(mount, j);
        spec.mount = mount;
      }
    }
    if (d.source !== undefined) {
      try {
        const resolved = resolveImageSource(d.source);
        spec.source = resolved.kind === 'oci' ? resolved.ref : resolved.image;
      } catch (err) {
        problems.push(`${field}.source: ${errorMessage(err)}`);
      }
    }
    if (d.size !== undefined) {
      const bytes = parseSize(d.size);
      if (bytes < DRIVE_MIN_BYTES || bytes > DRIVE_MAX_BYTES) {
        problems.push(`${field}.size: expected ${formatSize(DRIVE_MIN_BYTES)} to ${formatSize(DRIVE_MAX_BYTES)}, got ${JSON.stringify(d.size)}`);
      }
      spec.sizeBytes = bytes;
    }
    if (spec.mount === '/') {
      if (d.source === undefined) problems.push(`${field}.source: the root drive (mount: /) needs a source: an image name or oci://registry/image:tag`);
      else image = spec.source;
      if (d.filesystem !== undefined) warnings.push(`${field}.filesystem: ignored: the root drive's file system comes from its image`);
    } else if (d.filesystem !== undefined && d.source !== undefined) {
      warnings.push(`${field}.filesystem: ignored: a drive with a source keeps its image's file system`);
    } else if (d.filesystem !== undefined) {
      spec.filesystem = d.filesystem;
    } else if (spec.mount !== undefined && d.source === undefined) {
      spec.filesystem = 'ext4';
    }
    drives.push(spec);
  });
  const roots = m.drives.flatMap((d, j) => (d.mount !== undefined && normaliseMount(d.mount) === '/' ? [j] : []));
  if (roots.length === 0) problems.push(`${at}.drives: expected exactly one drive with mount: / (the root drive), got none`);
  if (roots.length > 1) problems.push(`${at}.drives: expected exactly one drive with mount: /, got ${roots.length} (drives[${roots.join('], drives[')}])`);
  if (m.image !== undefined && image !== undefined) {
    warnings.push(`${at}.image: "${m.image}" is ignored: drives[${roots[0]}].source "${m.drives[roots[0]].source}" (the iximiuz form) wins`);
  }
  return { drives, image: image ?? sandlotImage ?? DEFAULT_IMAGE, problems, warnings };
}

/** Sum of the sizes a playground's drives ask for, with the field to blame when it is too much. */
export function drivesTotalProblem(sizes: number[]): string | undefined {
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total <= PLAYGROUND_DRIVES_MAX_BYTES) return undefined;
  return `playground.machines: drives add up to ${formatSize(total)}; expected at most ${formatSize(PLAYGROUND_DRIVES_MAX_BYTES)} per playground`;
}

/**
 * Sandlot's `machines[].image`: an iximiuz name maps like a drive source; any other name
 * is a recipe the driver builds (and reports when it does not know it).
 */
export function resolveSandlotImage(name: string): string {
  try {
    const resolved = resolveImageSource(name);
    return resolved.kind === 'image' ? resolved.image : resolved.ref;
  } catch {
    return name;
  }
}

/** `/mnt/data/` → `/mnt/data`; undefined for paths with `.`/`..`/empty parts. */
function normaliseMount(mount: string): string | undefined {
  if (mount === '/') return '/';
  const parts = mount.replace(/\/+$/, '').split('/').slice(1);
  if (parts.some((p) => p === '' || p === '.' || p === '..')) return undefined;
  return `/${parts.join('/')}`;
}
