// A machine's identity as a small raw disk the VM init reads once per boot: the same
// files the docker driver puts into a container (host key, playground key, first-boot
// script), plus the VM's own settings: hostname, its interfaces (MAC, address, default
// route) as a script, the drives to mount, /etc/hosts with the playground's names and
// /etc/resolv.conf (the same renderings as the sandbox driver's). The image is never rebuilt for a machine, and a snapshot clone learns
// who it is only from this disk.
import * as fs from 'node:fs';
import { machineFiles, tarFiles, type InjectedFile } from '../docker/machine-files';
import { MACHINE_PATHS } from '../../images/machine-scripts';
import { VM_DRIVES_PATH, VM_ENV_PATH, VM_NETWORK_PATH } from '../../images/vm/guest-scripts';
import { renderHostsFile } from '../hosts-file';
import { renderResolvConf } from '../sandbox/machine-files';
import type { MachineSpec, PlaygroundSpec } from '../protocol';
import { driveSerial } from './qemu-args';

/** Fixed size: a snapshot clone's disk must match the template's, whose size the guest has seen. */
export const CONFIG_DISK_BYTES = 8 * 1024 * 1024;

export interface VmSettings {
  /** MAC of each interface, eth0 first. */
  macs: string[];
  /** The playground has a way out: machines with a default route ask their gateway for outside names. */
  outside: boolean;
  /** The root drive is larger than the image: grow its file system at boot. */
  rootGrow: boolean;
  /** The machine started from a playground snapshot: the playground's identity replaces the snapshot's, once. */
  fork?: boolean;
}

/**
 * A fork boots a disk whose first boot is done, so the image's init would skip the
 * first-boot script that writes the identity in users' homes (playground key pair,
 * known_hosts). The config disk replaces the done-marker with a link to a marker of the
 * fork's own, which does not exist yet: the init runs the fork's identity script once, and
 * its `touch` makes the link's target, so later boots skip it again. The image stays as it
 * is (no guest change), and this happens before sshd starts, as on a fresh machine.
 */
export function forkMarkerLink(forkId: string): InjectedFile {
  return { path: MACHINE_PATHS.firstBootDone, content: '', mode: 0o777, linkTarget: `fork-${checkSafe('playground id', forkId)}.done` };
}

const SAFE = /^[A-Za-z0-9._:/-]+$/;

function checkSafe(what: string, v: string): string {
  if (!SAFE.test(v)) throw new Error(`microvm config: ${what} ${JSON.stringify(v)} has characters a shell would read`);
  return v;
}

export function vmEnv(machine: string, rootGrow = false): string {
  return `VM_HOSTNAME=${checkSafe('machine', machine)}\n${rootGrow ? 'VM_ROOT_GROW=1\n' : ''}`;
}

/**
 * eth0, eth1, … (the guest names virtio NICs in device order): MAC, address, up; then the
 * default route. One `ip -batch`: every process start is slow in a guest whose translation
 * cache is cold (a clone's right after restore), and this runs on the way to "ready".
 */
export function vmNetworkScript(machine: MachineSpec, macs: string[]): string {
  const batch: string[] = [];
  machine.interfaces.forEach((itf, k) => {
    const dev = checkSafe('interface', itf.name);
    batch.push(
      `link set ${dev} down`,
      `link set ${dev} address ${checkSafe('MAC', macs[k])}`,
      `addr flush dev ${dev}`,
      `addr add ${checkSafe('address', `${itf.address}/${itf.prefixLength}`)} dev ${dev}`,
      `link set ${dev} up`,
    );
  });
  // `route replace` in the batch would run before the links are up; after them it is the last line.
  if (machine.defaultRoute) batch.push(`route replace default via ${checkSafe('gateway', machine.defaultRoute.gateway)} dev ${machine.defaultRoute.interface}`);
  return ['#!/bin/sh', `# Sandlot: interfaces of machine ${machine.name}`, "ip -batch - <<'NET'", ...batch, 'NET', ''].join('\n');
}

/** `<serial> <ro|rw> <mount point>` for every drive but the root that has a mount point. */
export function vmDrivesList(machine: MachineSpec): string {
  const lines: string[] = [];
  machine.drives.forEach((d, j) => {
    if (d.mount === undefined || d.mount === '/') return;
    if (/[\n\0]/.test(d.mount) || d.mount.trim() !== d.mount)
      throw new Error(`microvm config: mount point ${JSON.stringify(d.mount)} has a newline or edge spaces`);
    lines.push(`${driveSerial(j)} ${d.readOnly ? 'ro' : 'rw'} ${d.mount}`);
  });
  return lines.length ? lines.join('\n') + '\n' : '';
}

export function configFiles(spec: PlaygroundSpec, machine: MachineSpec, vm: VmSettings): InjectedFile[] {
  const files: InjectedFile[] = [
    ...machineFiles(spec, machine, vm.fork),
    ...(vm.fork ? [forkMarkerLink(spec.id)] : []),
    { path: VM_ENV_PATH, content: vmEnv(machine.name, vm.rootGrow), mode: 0o644 },
    { path: VM_NETWORK_PATH, content: vmNetworkScript(machine, vm.macs), mode: 0o755 },
    { path: '/etc/hosts', content: renderHostsFile(spec), mode: 0o644 },
    { path: '/etc/hostname', content: `${machine.name}\n`, mode: 0o644 },
    { path: '/etc/resolv.conf', content: renderResolvConf(machine, vm.outside), mode: 0o644 },
  ];
  const drives = vmDrivesList(machine);
  if (drives) files.push({ path: VM_DRIVES_PATH, content: drives, mode: 0o644 });
  return files;
}

/** Writes the config disk: a tar archive padded to CONFIG_DISK_BYTES. */
export async function writeConfigDisk(file: string, files: InjectedFile[]): Promise<void> {
  const tar = await tarFiles(files);
  if (tar.length > CONFIG_DISK_BYTES) {
    throw new Error(`microvm: the machine's keys and startup files take ${tar.length} bytes; at most ${CONFIG_DISK_BYTES} fit its config disk`);
  }
  const buf = Buffer.alloc(CONFIG_DISK_BYTES);
  tar.copy(buf);
  fs.writeFileSync(file, buf, { mode: 0o600 });
}
