// What the microvm driver needs on a host, as `sandlot doctor` shows it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { uplinkMethod } from '../../netns/uplink';
import { errorMessage } from '../../util/errors';
import { spawnSync } from 'node:child_process';
import type { DoctorCheck } from '../protocol';
import type { GuestKernel } from '../../images/vm/kernel';
import type { AccelChoice } from './accel';

export const QEMU_HOW_TO = 'apt-get install qemu-system-x86 qemu-utils (or run scripts/setup.d/60-microvm.sh)';

export function findTool(tool: string): string | undefined {
  for (const dir of [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/usr/bin', '/sbin', '/bin']) {
    if (!dir) continue;
    const p = path.join(dir, tool);
    if (fs.existsSync(p)) return p;
  }
  return undefined;
}

export interface DoctorInputs {
  qemu: string | undefined;
  kernel: () => Promise<GuestKernel>;
  accel: () => Promise<AccelChoice>;
}

export async function doctorChecks(inputs: DoctorInputs): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  const qemu = inputs.qemu;
  const qemuOk = qemu !== undefined && fs.existsSync(qemu);
  let qemuDetail = 'not found';
  if (qemuOk) {
    const v = spawnSync(qemu, ['--version'], { encoding: 'utf8' });
    qemuDetail = `${qemu} (${(v.stdout ?? '').split('\n')[0].replace(/^QEMU emulator /, '') || 'version unknown'})`;
  }
  checks.push({ name: 'qemu-system-x86_64', ok: qemuOk, detail: qemuDetail, fix: QEMU_HOW_TO });
  for (const [tool, pkg] of [
    ['qemu-img', 'qemu-utils'],
    ['debootstrap', 'debootstrap'],
    ['mkfs.ext4', 'e2fsprogs'],
    ['unshare', 'util-linux'],
    ['nsenter', 'util-linux'],
    ['ip', 'iproute2'],
    ['dpkg-deb', 'dpkg'],
  ] as const) {
    const found = findTool(tool);
    checks.push({ name: tool, ok: !!found, detail: found ?? 'not found', fix: `apt-get install ${pkg}` });
  }
  checks.push({
    name: '/dev/net/tun',
    ok: fs.existsSync('/dev/net/tun'),
    detail: fs.existsSync('/dev/net/tun') ? 'present' : 'missing',
    fix: 'load the tun kernel module (modprobe tun)',
  });
  // Optional: machines work without them, with less (ok with a warning, never unusable).
  const ociMissing = ['skopeo', 'umoci'].filter((t) => !findTool(t));
  checks.push({
    name: 'oci:// root drives',
    ok: true,
    warning: ociMissing.length > 0,
    detail: ociMissing.length ? `${ociMissing.join(' and ')} not installed: manifests with oci:// root drives are refused` : 'skopeo and umoci installed',
    ...(ociMissing.length ? { fix: 'apt-get install skopeo umoci' } : {}),
  });
  const way = uplinkMethod();
  checks.push({
    name: 'way out',
    ok: true,
    warning: way.kind === 'none',
    detail: way.kind === 'none' ? `${way.detail}; non-private networks stay inside the playground` : way.detail,
    ...(way.fix ? { fix: way.fix } : {}),
  });
  const root = process.getuid?.() === 0;
  checks.push({ name: 'root', ok: root, detail: root ? 'running as root' : 'not root', fix: 'image builds run debootstrap and chroot: run the agent as root' });
  let kernelOk = false;
  try {
    const k = await inputs.kernel();
    kernelOk = true;
    checks.push({ name: 'guest kernel', ok: true, detail: `${k.version} (${path.basename(k.deb)})` });
  } catch (err) {
    checks.push({ name: 'guest kernel', ok: false, detail: errorMessage(err), fix: 'run scripts/setup.d/60-microvm.sh' });
  }
  if (qemuOk && kernelOk) {
    try {
      const a = await inputs.accel();
      // TCG works, only slower: not a failure.
      checks.push({ name: 'acceleration', ok: true, detail: a.accel === 'kvm' ? `KVM: ${a.detail}` : `TCG (software emulation): ${a.detail}` });
    } catch (err) {
      checks.push({ name: 'acceleration', ok: false, detail: errorMessage(err) });
    }
  }
  return checks;
}
