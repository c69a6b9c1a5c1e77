// The guest kernel: Debian's linux-image-cloud-amd64 (virtio drivers, no hardware
// drivers), fetched as a .deb with `apt-get download` and unpacked, never installed on
// the host (installing it would run update-initramfs and touch the host's /boot).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { errorMessage } from '../../util/errors';
import { commandOutput, runCommand } from '../../util/run-command';
import { sha256File } from '../../util/sha256-file';

export const KERNEL_METAPACKAGE = 'linux-image-cloud-amd64';

export const KERNEL_HOW_TO =
  `the microvm driver boots Debian's ${KERNEL_METAPACKAGE} kernel: run scripts/setup.d/60-microvm.sh (as root it fetches the .deb with apt-get download), ` +
  'or set SANDLOT_VM_KERNEL_DEB=<path to a linux-image-*-cloud-amd64_*.deb>';

export interface GuestKernel {
  version: string;
  vmlinuz: string;
  /** `lib/modules/<version>` of the unpacked package. */
  modulesDir: string;
  /** sha256 of the .deb: identifies the kernel in image hashes. */
  digest: string;
  deb: string;
}

export class MissingKernelError extends Error {}

/** Kernel .deb files already in `dir`, newest version last (by name). */
export function kernelDebsIn(dir: string): string[] {
  try {
    return fs
      .readdirSync(dir)
      .filter((f) => /^linux-image-[0-9].*-cloud-amd64_.*_amd64\.deb$/.test(f))
      .sort()
      .map((f) => path.join(dir, f));
  } catch {
    return [];
  }
}

/** `apt-cache depends` output → the versioned kernel package the metapackage points at. */
export function versionedKernelPackage(dependsOutput: string): string | undefined {
  const m = /Depends:\s*(linux-image-[0-9][^\s]*-cloud-amd64)\b/.exec(dependsOutput);
  return m?.[1];
}

async function downloadKernelDeb(dir: string): Promise<string> {
  if (process.getuid?.() !== 0) throw new MissingKernelError(`no guest kernel in ${dir}; ${KERNEL_HOW_TO}`);
  let pkg: string | undefined;
  try {
    pkg = versionedKernelPackage(await commandOutput('apt-cache', ['depends', KERNEL_METAPACKAGE]));
  } catch (err) {
    throw new MissingKernelError(`cannot ask apt about ${KERNEL_METAPACKAGE} (${errorMessage(err)}); ${KERNEL_HOW_TO}`);
  }
  if (!pkg) throw new MissingKernelError(`apt knows no ${KERNEL_METAPACKAGE} (run apt-get update?); ${KERNEL_HOW_TO}`);
  fs.mkdirSync(dir, { recursive: true });
  try {
    await runCommand('apt-get', ['download', '-q', pkg], { cwd: dir });
  } catch (err) {
    throw new MissingKernelError(`apt-get download ${pkg} failed: ${errorMessage(err)}`);
  }
  const debs = kernelDebsIn(dir);
  if (debs.length === 0) throw new MissingKernelError(`apt-get download ${pkg} left no .deb in ${dir}`);
  return debs.at(-1)!;
}

/** Finds (or fetches) the kernel .deb and unpacks it once under `cacheDir`. */
export async function resolveGuestKernel(cacheDir: string, env: NodeJS.ProcessEnv = process.env): Promise<GuestKernel> {
  const debDir = path.join(cacheDir, 'debs');
  let deb: string;
  if (env.SANDLOT_VM_KERNEL_DEB) {
    deb = path.resolve(env.SANDLOT_VM_KERNEL_DEB);
    if (!fs.existsSync(deb)) throw new MissingKernelError(`SANDLOT_VM_KERNEL_DEB: no file at ${deb}; ${KERNEL_HOW_TO}`);
  } else {
    deb = kernelDebsIn(debDir).at(-1) ?? (await downloadKernelDeb(debDir));
  }
  const digest = await sha256File(deb);
  const dir = path.join(cacheDir, `kernel-${digest.slice(0, 16)}`);
  if (!fs.existsSync(path.join(dir, '.done'))) {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    await runCommand('dpkg-deb', ['-x', deb, dir]);
    fs.writeFileSync(path.join(dir, '.done'), '');
  }
  const boot = path.join(dir, 'boot');
  const vmlinuz = fs.readdirSync(boot).find((f) => f.startsWith('vmlinuz-'));
  if (!vmlinuz) throw new MissingKernelError(`${deb}: no boot/vmlinuz-* inside; expected a Debian linux-image package`);
  const version = vmlinuz.slice('vmlinuz-'.length);
  const modulesDir = path.join(dir, 'lib', 'modules', version);
  if (!fs.existsSync(modulesDir)) throw new MissingKernelError(`${deb}: no lib/modules/${version} inside`);
  return { version, vmlinuz: path.join(boot, vmlinuz), modulesDir, digest, deb };
}
