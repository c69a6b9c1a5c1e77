// The microvm side of `sandlot images prune`: what the VM image cache holds, which of it
// the current recipes and kernel still produce, and which of it a machine still needs.
// A machine needs its overlay's whole backing chain (its snapshot's disk, that image's
// base) and the image directory its driver state pins for later cold boots (kernel and
// initrd). Overlays are found in this SANDLOT_HOME's playgrounds; since the cache may be
// shared with other agents, any file a running process has open (a VM of another agent,
// a build) counts as in use too.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BUILTIN_RECIPES } from '../catalog';
import { recipeHash, type RecipeCatalog } from '../recipe';
import { VmImageBuilder } from '../vm/builder';
export { vmCacheDir } from '../vm/cache-dir';
import { kernelDebsIn } from '../vm/kernel';
import { ownerAlive } from '../vm/lock';
import { classifyCacheEntry, planVmPrune, type CacheEntry, type PrunePlan, type PruneItem, type VmCurrent } from './plan';
import { qcow2BackingChain } from './qcow2';
import { errorCode, errorMessage } from '../../util/errors';
import { parseOwnJson } from '../../util/json';
import { sha256File } from '../../util/sha256-file';

export class CacheUnavailableError extends Error {}

export interface VmPruneOptions {
  cacheDir: string;
  /** SANDLOT_HOME: its playgrounds' overlays and driver state say what is in use. */
  home: string;
  env?: NodeJS.ProcessEnv;
  catalog?: RecipeCatalog;
  names?: string[];
  progress?: (message: string) => void;
}

/** Disk blocks a file or tree takes (sparse qcow2 files count what they use). */
export function diskUsage(p: string): number {
  const st = fs.lstatSync(p);
  let bytes = st.blocks * 512;
  if (st.isDirectory()) for (const f of fs.readdirSync(p)) bytes += diskUsage(path.join(p, f));
  return bytes;
}

const SUBDIRS = ['images', 'snapshots', 'rootfs', 'debs'] as const;

function scanCache(cacheDir: string): { entries: CacheEntry[]; busyDirs: Set<string> } {
  const entries: CacheEntry[] = [];
  const busyDirs = new Set<string>();
  const look = (dir: (typeof SUBDIRS)[number] | '') => {
    let names: string[];
    try {
      names = fs.readdirSync(path.join(cacheDir, dir));
    } catch (err) {
      if (errorCode(err) === 'ENOENT' && dir) return;
      throw new CacheUnavailableError(`microvm image cache ${path.join(cacheDir, dir)}: ${errorMessage(err)}`);
    }
    for (const name of names) {
      const kind = classifyCacheEntry(dir, name);
      const rel = dir ? `${dir}/${name}` : name;
      if (kind === 'lock') {
        if (ownerAlive(path.join(cacheDir, rel))) busyDirs.add(dir);
      } else if (kind) {
        entries.push({ kind, path: rel, bytes: diskUsage(path.join(cacheDir, rel)) });
      }
    }
  };
  look('');
  for (const d of SUBDIRS) look(d);
  return { entries, busyDirs };
}

/** What the current recipes and guest kernel make, named the way the cache names it. */
async function currentVersions(opts: VmPruneOptions, progress: (m: string) => void): Promise<VmCurrent> {
  const env = opts.env ?? process.env;
  const catalog = opts.catalog ?? BUILTIN_RECIPES;
  const debs = kernelDebsIn(path.join(opts.cacheDir, 'debs'));
  const newest = debs.at(-1);
  const current: VmCurrent = { images: new Map(), rootfs: new Set(), debs: new Set(newest ? [path.basename(newest)] : []) };
  for (const r of catalog.values()) {
    // Bootstrap tarballs hash the bootstrap recipe alone (no parent, no kernel).
    if (r.bootstrap && !r.inputs?.length) current.rootfs.add(`${r.name}-${recipeHash(r, undefined, {}).slice(0, 12)}.tar`);
  }
  const kernelDebs = [env.SANDLOT_VM_KERNEL_DEB ? path.resolve(env.SANDLOT_VM_KERNEL_DEB) : undefined, newest].filter(
    (d): d is string => !!d && fs.existsSync(d),
  );
  if (!env.SANDLOT_VM_KERNEL_DEB && !newest) {
    // Without a kernel package the builder would download one; a prune must not.
    current.imagesProblem = `no guest kernel package in ${path.join(opts.cacheDir, 'debs')} and SANDLOT_VM_KERNEL_DEB is unset, so the current image hashes are unknown`;
    return current;
  }
  progress('hashing the guest kernel package and the current recipes');
  const builder = new VmImageBuilder({ cacheDir: opts.cacheDir, env, catalog });
  try {
    await builder.guestKernel();
  } catch (err) {
    current.imagesProblem = `the current guest kernel is unknown: ${errorMessage(err)}`;
    return current;
  }
  current.kernels = new Set(await Promise.all(kernelDebs.map(async (d) => `kernel-${(await sha256File(d)).slice(0, 16)}`)));
  for (const r of catalog.values()) {
    try {
      const resolved = await builder.resolve(r.name);
      current.images.set(r.name, { hash: resolved.hash.slice(0, 12) });
      const [first] = resolved.layers;
      current.rootfs.add(`${first.recipe.name}-${first.hash.slice(0, 12)}.tar`);
    } catch (err) {
      current.images.set(r.name, { problem: errorMessage(err).split('\n')[0] });
    }
  }
  return current;
}

/** The cache entry (relative path) a file belongs to, or undefined when it is outside the cache. */
function entryOf(cacheRoots: string[], file: string): string | undefined {
  for (const root of cacheRoots) {
    const rel = path.relative(root, file);
    if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) continue;
    const parts = rel.split(path.sep);
    return (SUBDIRS as readonly string[]).includes(parts[0]) ? parts.slice(0, 2).join('/') : parts[0];
  }
  return undefined;
}

/** Entries a playground of this home needs: overlay backing chains and pinned image dirs. */
function playgroundUse(home: string, roots: string[], inUse: Map<string, string>, problems: string[]): void {
  const playgrounds = path.join(home, 'playgrounds');
  let ids: string[];
  try {
    ids = fs.readdirSync(playgrounds);
  } catch {
    return;
  }
  const mark = (file: string, why: string) => {
    const entry = entryOf(roots, file);
    if (entry && !inUse.has(entry)) inUse.set(entry, why);
  };
  for (const id of ids) {
    const driverDir = path.join(playgrounds, id, 'driver');
    let machines: string[];
    try {
      machines = fs
        .readdirSync(driverDir, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => d.name);
    } catch {
      continue;
    }
    for (const m of machines) {
      const disk = path.join(driverDir, m, 'disk.qcow2');
      if (!fs.existsSync(disk)) continue;
      try {
        for (const f of qcow2BackingChain(disk)) mark(f, `backs the disk of machine ${m} in playground ${id}`);
      } catch (err) {
        problems.push(`${disk}: ${errorMessage(err)}`);
      }
    }
    try {
      // The microvm driver wrote this file; only the field read here is named.
      const state = parseOwnJson<{ machines?: Record<string, { image?: string }> }>(fs.readFileSync(path.join(driverDir, 'microvm.json'), 'utf8'));
      for (const [m, record] of Object.entries(state.machines ?? {}))
        if (record.image) mark(record.image, `kernel and initrd of machine ${m} in playground ${id}`);
    } catch (err) {
      if (errorCode(err) !== 'ENOENT') problems.push(`${path.join(driverDir, 'microvm.json')}: ${errorMessage(err)}`);
    }
  }
}

/**
 * Entries a microvm snapshot of this home needs: the backing chain below its frozen disks
 * and the image directory its machines boot (drivers/microvm/playground-snapshot.ts keeps
 * both outside the snapshot instead of copying them).
 */
function snapshotUse(home: string, roots: string[], inUse: Map<string, string>, problems: string[]): void {
  const snapshots = path.join(home, 'snapshots');
  let ids: string[];
  try {
    ids = fs.readdirSync(snapshots);
  } catch {
    return;
  }
  for (const id of ids) {
    let machines: string[];
    try {
      machines = fs.readdirSync(path.join(snapshots, id, 'machines'));
    } catch {
      continue;
    }
    for (const m of machines) {
      const file = path.join(snapshots, id, 'machines', m, 'microvm.json');
      try {
        // The microvm driver wrote this file; only the fields read here are named.
        const part = parseOwnJson<{ imageDir?: string; backing?: { file: string }[] }>(fs.readFileSync(file, 'utf8'));
        const why = `machine ${m} of snapshot ${id} stands on it`;
        for (const f of [...(part.backing ?? []).map((b) => b.file), ...(part.imageDir ? [part.imageDir] : [])]) {
          const entry = entryOf(roots, f);
          if (entry && !inUse.has(entry)) inUse.set(entry, why);
        }
      } catch (err) {
        if (errorCode(err) !== 'ENOENT') problems.push(`${file}: ${errorMessage(err)}`);
      }
    }
  }
}

/** Entries a running process has open or names on its command line (VMs of any agent, builds). */
function processUse(roots: string[], inUse: Map<string, string>): void {
  let pids: string[];
  try {
    pids = fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid);
  } catch {
    return;
  }
  for (const pid of pids) {
    const files: string[] = [];
    try {
      for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
        try {
          files.push(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
        } catch {
          // closed meanwhile
        }
      }
      // QEMU reads -kernel and -initrd at start and closes them.
      files.push(
        ...fs
          .readFileSync(`/proc/${pid}/cmdline`, 'utf8')
          .split('\0')
          .flatMap((a) => a.split(/[=,]/))
          .filter((a) => a.startsWith('/')),
      );
    } catch {
      continue; // gone, or not ours to read
    }
    for (const f of files) {
      const entry = entryOf(roots, f);
      if (entry && !inUse.has(entry)) {
        let comm = '?';
        try {
          comm = fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
        } catch {
          // gone
        }
        inUse.set(entry, `open by process ${pid} (${comm})`);
      }
    }
  }
}

/** What a prune of the VM cache would remove and keep. */
export async function planVmCache(opts: VmPruneOptions): Promise<PrunePlan> {
  const progress = opts.progress ?? (() => {});
  let stat: fs.Stats;
  try {
    stat = fs.statSync(opts.cacheDir);
  } catch (err) {
    const why = errorCode(err) === 'ENOENT' ? 'no such directory' : errorMessage(err);
    throw new CacheUnavailableError(`microvm image cache ${opts.cacheDir}: ${why} (set by SANDLOT_VM_CACHE, default $SANDLOT_HOME/images/vm)`);
  }
  if (!stat.isDirectory()) throw new CacheUnavailableError(`microvm image cache ${opts.cacheDir}: expected a directory, found a file (SANDLOT_VM_CACHE)`);
  progress(`scanning ${opts.cacheDir}`);
  const { entries, busyDirs } = scanCache(opts.cacheDir);
  const current = await currentVersions(opts, progress);
  const roots = [...new Set([path.resolve(opts.cacheDir), fs.realpathSync(opts.cacheDir)])];
  const inUse = new Map<string, string>();
  const problems: string[] = [];
  progress("reading the playgrounds' disks and running processes");
  playgroundUse(opts.home, roots, inUse, problems);
  snapshotUse(opts.home, roots, inUse, problems);
  if (problems.length) {
    // An overlay we cannot read might back onto anything: keep every base and snapshot.
    for (const e of entries)
      if ((e.kind === 'image' || e.kind === 'snapshot') && !inUse.has(e.path)) inUse.set(e.path, `a playground disk cannot be read (${problems[0]})`);
  }
  processUse(roots, inUse);
  return planVmPrune({ entries, current, inUse, busyDirs, names: opts.names });
}

/** Removes one planned entry. */
export function removeVmEntry(cacheDir: string, item: PruneItem): void {
  fs.rmSync(path.join(cacheDir, item.name), { recursive: true, force: true });
}
