// Warm starts. Per image and machine shape (memory, vCPUs, accelerator), boot one VM until
// its init says "waiting" (everything machine-neutral done, nothing machine-specific yet:
// no host key, no sshd, no address), then pause it and save its state. A new machine is a
// clone: a fresh overlay on the template's (frozen) disk plus `-incoming` of that state,
// so it resumes right where it waits for "go" and then takes its own identity.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { VmImage } from '../../images/vm/builder';
import { withLock } from '../../images/vm/lock';
import { AGENT_IS_ROOT } from '../../netns/enter';
import { runCommand } from '../../util/run-command';
import { CONFIG_DISK_BYTES } from './config-disk';
import { QmpClient } from './qmp';
import { kernelCommandLine, type Accel } from './qemu-args';
import { connectRetrying, consoleTail, killVm, launchQemu, waitExit } from './vm-process';

const REPORTING_SETTLE_MS = 3000;

export interface VmSnapshot {
  dir: string;
  /** The template's overlay: clones back onto it (never written again). */
  disk: string;
  /** Saved device and memory state for `-incoming`. */
  state: string;
}

export interface SnapshotShape {
  memMiB: number;
  cpus: number;
  accel: Accel;
  tscKhz?: number;
  /** Network interfaces (a clone gets the same devices). */
  nics: number;
  /** Root disk grown beyond the image (the guest has seen its size). */
  rootBytes?: number;
  /** Empty drives after the root, in order. */
  drives: { bytes: number; readOnly: boolean }[];
}

/** The part of the shape beyond memory and CPUs, short enough for a directory name. */
function deviceKey(shape: SnapshotShape): string {
  if (shape.nics === 1 && shape.rootBytes === undefined && shape.drives.length === 0) return '';
  const devices = JSON.stringify([shape.nics, shape.rootBytes ?? 0, shape.drives.map((d) => [d.bytes, d.readOnly])]);
  return `-${createHash('sha256').update(devices).digest('hex').slice(0, 8)}`;
}

/** The kernel's boot arguments: a saved guest has booted with them, so a change needs a new snapshot. */
function bootKey(shape: SnapshotShape): string {
  return `-k${createHash('sha256').update(kernelCommandLine(shape)).digest('hex').slice(0, 8)}`;
}

export function snapshotDir(cacheDir: string, image: VmImage, shape: SnapshotShape): string {
  return path.join(
    cacheDir,
    'snapshots',
    `${image.name}-${image.hash.slice(0, 12)}-${shape.memMiB}m-${shape.cpus}c-${shape.accel}${bootKey(shape)}${deviceKey(shape)}`,
  );
}

function readSnapshot(dir: string): VmSnapshot | undefined {
  if (!fs.existsSync(path.join(dir, 'snapshot.json'))) return undefined;
  return { dir, disk: path.join(dir, 'disk.qcow2'), state: path.join(dir, 'state') };
}

export function findSnapshot(cacheDir: string, image: VmImage, shape: SnapshotShape): VmSnapshot | undefined {
  return readSnapshot(snapshotDir(cacheDir, image, shape));
}

/** The snapshot for this image and shape, made first if missing (one maker at a time). */
export async function ensureSnapshot(qemu: string, cacheDir: string, image: VmImage, shape: SnapshotShape, bootTimeoutMs: number): Promise<VmSnapshot> {
  const dir = snapshotDir(cacheDir, image, shape);
  const ready = readSnapshot(dir);
  if (ready) return ready;
  return withLock(`${dir}.lock`, async () => readSnapshot(dir) ?? (await makeSnapshot(qemu, dir, image, shape, bootTimeoutMs)));
}

async function makeSnapshot(qemu: string, dir: string, image: VmImage, shape: SnapshotShape, bootTimeoutMs: number): Promise<VmSnapshot> {
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  // Short name: QEMU's unix sockets live in it.
  const work = fs.mkdtempSync(path.join(path.dirname(dir), '.w-'));
  try {
    const disk = path.join(work, 'disk.qcow2');
    await runCommand('qemu-img', ['create', '-q', '-f', 'qcow2', '-b', image.disk, '-F', 'qcow2', disk, ...(shape.rootBytes ? [String(shape.rootBytes)] : [])]);
    const config = path.join(work, 'config.img');
    fs.writeFileSync(config, Buffer.alloc(CONFIG_DISK_BYTES));
    const dataDrives = [];
    for (const [k, d] of shape.drives.entries()) {
      const file = path.join(work, `drive${k + 1}.qcow2`);
      await runCommand('qemu-img', ['create', '-q', '-f', 'qcow2', file, String(d.bytes)]);
      dataDrives.push({ file, index: k + 1, readOnly: d.readOnly });
    }
    const launch = {
      accel: shape.accel,
      cpus: shape.cpus,
      memMiB: shape.memMiB,
      tscKhz: shape.tscKhz,
      kernel: image.kernel,
      initrd: image.initrd,
      disk,
      dataDrives,
      configDisk: config,
      nics: Array.from({ length: shape.nics }, (_, k) => ({ tap: `tap${k}`, mac: `52:54:00:00:00:${(k + 1).toString(16).padStart(2, '0')}` })),
      qmpSocket: path.join(work, 'qmp.sock'),
      controlSocket: path.join(work, 'ctl.sock'),
      consoleLog: path.join(work, 'console.log'),
      pidFile: path.join(work, 'qemu.pid'),
    };
    // A throw-away network namespace: QEMU makes its own tap there (clones get the same
    // device model on their playground's tap).
    const prefix = AGENT_IS_ROOT ? ['unshare', '--net', '--'] : ['unshare', '--user', '--map-root-user', '--net', '--'];
    const vm = await launchQemu(qemu, launch, prefix);
    try {
      const ctl = await connectRetrying(launch.controlSocket);
      await ctl.expect('waiting', bootTimeoutMs, `snapshot of ${image.name}: boot`).catch((err: Error) => {
        throw new Error(`${err.message}; console: ${consoleTail(launch.consoleLog)}`);
      });
      // The init dropped its caches just before "waiting"; free page reporting hands those
      // pages back to QEMU after about 2 s, and then they are saved as zero pages.
      await new Promise((r) => setTimeout(r, REPORTING_SETTLE_MS));
      const qmp = await QmpClient.connect(launch.qmpSocket);
      try {
        await qmp.execute('stop');
        const statePart = path.join(work, 'state.part');
        await qmp.execute('migrate', { uri: `exec:cat > ${statePart}` });
        const deadline = Date.now() + 120_000;
        for (;;) {
          const info = await qmp.execute<{ status?: string; 'error-desc'?: string }>('query-migrate');
          if (info.status === 'completed') break;
          if (info.status === 'failed' || info.status === 'cancelled')
            throw new Error(`snapshot of ${image.name}: saving state failed: ${info['error-desc'] ?? info.status}`);
          if (Date.now() > deadline) throw new Error(`snapshot of ${image.name}: saving state took over 120 s`);
          await new Promise((r) => setTimeout(r, 100));
        }
        fs.renameSync(statePart, path.join(work, 'state'));
        await qmp.execute('quit').catch(() => undefined);
      } finally {
        qmp.close();
        ctl.close();
      }
      await waitExit(vm, 10_000);
    } finally {
      killVm(vm);
    }
    for (const f of ['config.img', 'qmp.sock', 'ctl.sock', 'qemu.pid', ...dataDrives.map((d) => path.basename(d.file))])
      fs.rmSync(path.join(work, f), { force: true });
    fs.chmodSync(disk, 0o444);
    fs.writeFileSync(
      path.join(work, 'snapshot.json'),
      JSON.stringify({ image: image.name, hash: image.hash, ...shape, at: new Date().toISOString() }, null, 2),
    );
    fs.renameSync(work, dir);
    return readSnapshot(dir)!;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
