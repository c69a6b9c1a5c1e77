// Snapshots of sandbox machines. An image-root machine's state is its overlay's upper
// layer (everything it changed over the image); a host-view machine's is its own
// directories. A snapshot keeps a copy of that, with ownership shifted from the playground's
// uid range to plain 0-65535 ("range-neutral", like the image itself), so a fork of any
// range can map it in. A fork of an image-root machine stacks the snapshot's layer read-only
// between the image and a fresh upper layer: it costs no copy and no space until the fork
// changes something.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCommand, SYSTEM_PATH_ENV } from '../../util/run-command';
import type { IdMap } from './namespaces';

/** A machine's part of a snapshot, relative to the snapshot directory. */
export function machineSnapshotDir(machine: string): string {
  return path.join('machines', machine);
}

/** Copies a tree keeping links, modes, owners, whiteouts and sparse files; shares blocks where the file system can (reflinks). */
export function copyTree(from: string, to: string): Promise<void> {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  return runCommand('cp', ['-a', '--reflink=auto', '--sparse=always', '--', from, to], { env: SYSTEM_PATH_ENV });
}

/**
 * Copies the upper layer out of an image-root machine's data disk. The disk is mounted
 * only inside the machine's own namespaces; here it is mounted again (the same loop device
 * when the machine runs, so both see one file system) in a private mount namespace of a
 * child that ends with the copy.
 */
export function copyUpperFromDisk(disk: string, to: string): Promise<void> {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  const script = [
    'set -e',
    'dev=$(losetup -j "$1" -O NAME -n | head -1)',
    'mnt="$2.mnt"',
    'mkdir "$mnt"',
    'if [ -n "$dev" ]; then mount "$dev" "$mnt"; else mount -o loop,ro "$1" "$mnt"; fi',
    'cp -a --reflink=auto --sparse=always -- "$mnt/upper" "$2"',
    'umount "$mnt"',
    'rmdir "$mnt"',
  ].join('\n');
  return runCommand('unshare', ['--mount', '--propagation', 'private', '--', 'sh', '-c', script, 'sh', disk, to], { env: SYSTEM_PATH_ENV });
}

/**
 * Shifts every owner in a tree by `delta` (from a playground's range to neutral, or the other
 * way): ids outside [from, from+count) are left alone. Walks the tree once, lchown only.
 */
export function shiftOwners(root: string, from: IdMap, delta: number): void {
  const inRange = (id: number) => id >= from.outer && id < from.outer + from.count;
  const shift = (p: string) => {
    const st = fs.lstatSync(p);
    const uid = inRange(st.uid) ? st.uid + delta : st.uid;
    const gid = inRange(st.gid) ? st.gid + delta : st.gid;
    if (uid !== st.uid || gid !== st.gid) fs.lchownSync(p, uid, gid);
    if (st.isDirectory()) for (const name of fs.readdirSync(p)) shift(path.join(p, name));
  };
  shift(root);
}

/** Disk blocks a tree uses, in bytes (what a snapshot really costs). */
export function usedBytes(root: string): number {
  let total = 0;
  const walk = (p: string) => {
    const st = fs.lstatSync(p);
    total += st.blocks * 512;
    if (st.isDirectory()) for (const name of fs.readdirSync(p)) walk(path.join(p, name));
  };
  if (fs.existsSync(root)) walk(root);
  return total;
}

/** Every process in the pid namespace of `pid` (the machine's PID 1), as host PIDs. */
export function machineProcesses(pid: number): number[] {
  let ns: string;
  try {
    ns = fs.readlinkSync(`/proc/${pid}/ns/pid`);
  } catch {
    return [];
  }
  const out: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (fs.readlinkSync(`/proc/${name}/ns/pid`) === ns) out.push(Number(name));
    } catch {
      // gone, or not ours to see
    }
  }
  return out;
}

/**
 * Stops every process of a machine for the moment of a copy (SIGSTOP, again until no new
 * one appears: a fork racing the first pass is caught by the second); returns the resume.
 */
export function pauseMachine(pid: number): () => void {
  const stopped = new Set<number>();
  for (let pass = 0; pass < 5; pass++) {
    const fresh = machineProcesses(pid).filter((p) => !stopped.has(p));
    if (fresh.length === 0) break;
    for (const p of fresh) {
      try {
        process.kill(p, 'SIGSTOP');
        stopped.add(p);
      } catch {
        // exited meanwhile
      }
    }
  }
  return () => {
    for (const p of stopped) {
      try {
        process.kill(p, 'SIGCONT');
      } catch {
        // exited meanwhile
      }
    }
  };
}

/** The read-only layers of a machine in a snapshot, bottom to top (absolute paths). */
export function snapshotLayers(snapshotDir: string, machine: string): string[] {
  const dir = path.join(snapshotDir, machineSnapshotDir(machine), 'layers');
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => /^\d+$/.test(n))
    .sort((a, b) => Number(a) - Number(b))
    .map((n) => path.join(dir, n));
}
