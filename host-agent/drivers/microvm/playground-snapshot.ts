// Snapshots and forks of microvm playgrounds (not to be confused with snapshot.ts, the
// warm-start template every new machine is cloned from). A machine's state is its disks:
// the root overlay and its drive files. A snapshot holds a frozen copy of each, taken
// while the VM is paused (after the guest wrote its page cache out: guest-sync.ts); a fork's
// machine boots a new qcow2 overlay on that copy, so it costs no copy and almost no space
// until it writes. Its new identity comes from the config disk, as on any boot.
//
// Why the copies keep their backing file instead of being flattened: a machine's overlay
// holds only what the machine changed; below it are the image's disk (and the warm-start
// template's) in the VM image cache, hundreds of MiB that every machine of that image
// shares. Flattening would copy and checksum all of it for every snapshot. The cache is
// content-addressed and never rewrites an entry, and `sandlot images prune` counts the
// backing chains (and pinned image directories) of snapshots as in use (images/prune/vm.ts),
// so the only way to lose them is by hand; a fork checks them first (checkParts) and says
// what is gone instead of half-starting. Nothing here lives in the original playground's
// directory, so destroying it leaves snapshots and forks whole.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { readImage } from '../../images/vm/builder';
import { qcow2BackingChain } from '../../images/prune/qcow2';
import { errorMessage } from '../../util/errors';
import { parseOwnJson } from '../../util/json';
import { runCommand } from '../../util/run-command';
import type { MachineSnapshot, MachineSpec } from '../protocol';
import { driveFile } from './drives';
import { QmpClient } from './qmp';

/** What a snapshot holds of one machine, as written to `machines/<name>/microvm.json`. */
const PART = z.strictObject({
  format: z.literal(1),
  /** Image directory the machine was made from: a fork boots its kernel and initrd (the disk's modules match them). */
  imageDir: z.string(),
  /** Drive indices (manifest order) with a frozen copy `drive<index>.qcow2`; the root is `root.qcow2`. */
  drives: z.array(z.number().int().nonnegative()),
  /** Every file below the frozen copies (image cache), with its size then: a fork checks they are still there. */
  backing: z.array(z.strictObject({ file: z.string(), bytes: z.number().int().nonnegative() })),
});
export type MicrovmPart = z.infer<typeof PART>;

const PART_FILE = 'microvm.json';
const ROOT_FILE = 'root.qcow2';

function partDir(machine: string): string {
  return path.join('machines', machine);
}

function frozenName(drive: number | 'root'): string {
  return drive === 'root' ? ROOT_FILE : `drive${drive}.qcow2`;
}

/** The frozen copy of a machine's root drive (or drive `index`) in snapshot `dir`. */
export function frozenDisk(dir: string, machine: string, drive: number | 'root'): string {
  return path.join(dir, partDir(machine), frozenName(drive));
}

export function readPart(dir: string, machine: string): MicrovmPart {
  const file = path.join(dir, partDir(machine), PART_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new Error(`machine ${machine} has no part in the snapshot (${path.join(partDir(machine), PART_FILE)} is missing)`);
  }
  const parsed = PART.safeParse(parseOwnJson(text));
  if (!parsed.success) throw new Error(`${path.join(partDir(machine), PART_FILE)}: ${parsed.error.issues[0]?.message ?? 'not a microvm snapshot part'}`);
  return parsed.data;
}

/** What a running machine's copy needs from the driver. */
export interface LiveMachine {
  qmpSocket: string;
  /** Writes the guest's page cache to its disks (before the pause); rejects when it could not. */
  sync?: () => Promise<void>;
}

export interface CopyMachine {
  spec: MachineSpec;
  /** The machine's directory (disk.qcow2, drive<j>.qcow2). */
  dir: string;
  /** Image directory its driver state pins. */
  imageDir: string;
  /** The VM image cache: what the copies may stand on. */
  cacheDir: string;
  /** Set when the VM runs: it is paused for the copy. */
  live?: LiveMachine;
}

async function copyFile(from: string, to: string): Promise<void> {
  // Shares blocks where the file system can; keeps the overlay sparse where it cannot.
  await runCommand('cp', ['--reflink=auto', '--sparse=always', '--', from, to]);
}

function inside(dir: string, file: string): boolean {
  const rel = path.relative(dir, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/**
 * Leaves the copy backed by the image cache only. A fork's disk stands on another
 * snapshot's copy, which may be deleted once that fork is gone: its data is merged into
 * this copy (a safe rebase onto the first cache file below) so this snapshot never depends
 * on another. Otherwise only the backing name is made absolute (QEMU resolves a relative one
 * against the copy's own directory).
 */
async function pinBacking(copy: string, cacheDir: string): Promise<void> {
  const chain = qcow2BackingChain(copy);
  if (chain.length === 0) return;
  const base = chain.find((f) => inside(cacheDir, f));
  if (chain[0] === base) await runCommand('qemu-img', ['rebase', '-u', '-f', 'qcow2', '-F', 'qcow2', '-b', base, copy]);
  else await runCommand('qemu-img', ['rebase', '-f', 'qcow2', ...(base ? ['-F', 'qcow2', '-b', base] : ['-b', '']), copy]);
}

/** Disk blocks a file takes. */
function blocksOf(file: string): number {
  return fs.statSync(file).blocks * 512;
}

/**
 * Copies one machine's disks into `<dir>/machines/<name>/`. A running VM is paused
 * (QMP `stop`, which also flushes QEMU's caches to the files) only for the copy and
 * resumed whatever happens; a stopped one is copied as it is.
 */
export async function snapshotMachine(m: CopyMachine, dir: string, warn: (message: string) => void): Promise<MachineSnapshot> {
  const rel = partDir(m.spec.name);
  fs.mkdirSync(path.join(dir, rel), { recursive: true, mode: 0o700 });
  const sources: Array<{ from: string; name: string }> = [{ from: path.join(m.dir, 'disk.qcow2'), name: ROOT_FILE }];
  const drives: number[] = [];
  m.spec.drives.forEach((d, j) => {
    if (d.mount === '/' || !fs.existsSync(driveFile(m.dir, j))) return;
    sources.push({ from: driveFile(m.dir, j), name: frozenName(j) });
    drives.push(j);
  });
  if (!fs.existsSync(sources[0].from)) throw new Error(`machine ${m.spec.name} has no disk yet (${sources[0].from})`);
  let qmp: QmpClient | undefined;
  if (m.live) {
    if (m.live.sync) {
      // A copy without it is what a power cut leaves (the journal recovers it): say so rather than fail.
      await m.live
        .sync()
        .catch((err: unknown) => warn(`could not sync the guest before the copy (${errorMessage(err)}): the last seconds of writes may be missing`));
    }
    qmp = await QmpClient.connect(m.live.qmpSocket);
  }
  try {
    await qmp?.execute('stop');
    for (const s of sources) await copyFile(s.from, path.join(dir, rel, s.name));
  } finally {
    if (qmp) {
      await qmp.execute('cont').catch((err: unknown) => warn(`could not resume the VM after the copy: ${errorMessage(err)}`));
      qmp.close();
    }
  }
  const backing = new Map<string, number>();
  for (const s of sources) {
    const copy = path.join(dir, rel, s.name);
    await pinBacking(copy, m.cacheDir);
    for (const f of qcow2BackingChain(copy)) backing.set(f, fs.statSync(f).size);
    // Forks back onto it: nothing may write it again.
    fs.chmodSync(copy, 0o444);
  }
  const part: MicrovmPart = { format: 1, imageDir: m.imageDir, drives, backing: [...backing].map(([file, bytes]) => ({ file, bytes })) };
  fs.writeFileSync(path.join(dir, rel, PART_FILE), `${JSON.stringify(part, null, 2)}\n`, { mode: 0o600 });
  return {
    name: m.spec.name,
    image: m.spec.image,
    paths: [...sources.map((s) => path.join(rel, s.name)), path.join(rel, PART_FILE)],
    bytes: sources.reduce((n, s) => n + blocksOf(path.join(dir, rel, s.name)), 0),
  };
}

/**
 * What a fork of these machines would miss outside the snapshot directory (the backing
 * chain in the image cache, the kernel and initrd): one line, or undefined when all is there.
 */
export function partsProblem(dir: string, machines: string[]): string | undefined {
  for (const machine of machines) {
    let part: MicrovmPart;
    try {
      part = readPart(dir, machine);
    } catch (err) {
      return errorMessage(err);
    }
    const image = readImage(part.imageDir);
    if (!image || !fs.existsSync(image.kernel) || !fs.existsSync(image.initrd))
      return `the VM image ${part.imageDir} that machine ${machine} was made from is gone from the image cache`;
    for (const b of part.backing) {
      let size: number;
      try {
        size = fs.statSync(b.file).size;
      } catch {
        return `${b.file}, below the disk of machine ${machine}, is gone from the image cache`;
      }
      if (size !== b.bytes) return `${b.file}, below the disk of machine ${machine}, changed (${size} bytes; ${b.bytes} when the snapshot was made)`;
    }
  }
  return undefined;
}

/**
 * A fork's machine directory: a new overlay on each frozen copy (root as disk.qcow2, drives
 * as drive<j>.qcow2). Drives the snapshot lacks are left for the driver to make empty.
 */
export async function prepareForkMachine(dir: string, m: MachineSpec, machineDir: string): Promise<MicrovmPart> {
  const part = readPart(dir, m.name);
  fs.mkdirSync(machineDir, { recursive: true, mode: 0o700 });
  const overlays: Array<[string, string]> = [
    [frozenDisk(dir, m.name, 'root'), path.join(machineDir, 'disk.qcow2')],
    ...part.drives
      .filter((j) => j < m.drives.length && m.drives[j].mount !== '/')
      .map((j): [string, string] => [frozenDisk(dir, m.name, j), driveFile(machineDir, j)]),
  ];
  for (const [frozen, overlay] of overlays) await runCommand('qemu-img', ['create', '-q', '-f', 'qcow2', '-b', frozen, '-F', 'qcow2', overlay]);
  return part;
}
