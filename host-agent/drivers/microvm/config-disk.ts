// A machine's identity as a small raw disk the VM init reads once per boot: the same
// files the docker driver puts into a container (host key, playground key, first-boot
// script), plus the VM's own settings (hostname, address, MAC) and /etc/hosts for name
// resolution inside the playground. The image is never rebuilt for a machine, and a
// snapshot clone learns who it is only from this disk.
import * as fs from 'node:fs';
import { machineFiles, tarFiles, type InjectedFile } from '../docker/machine-files';
import { VM_ENV_PATH } from '../../images/vm/guest-scripts';
import type { MachineSpec, PlaygroundSpec } from '../protocol';

/** Fixed size: a snapshot clone's disk must match the template's, whose size the guest has seen. */
export const CONFIG_DISK_BYTES = 8 * 1024 * 1024;

export interface VmNetwork {
  /** `address/prefix` of each machine, by name. */
  addresses: Record<string, string>;
  mac: string;
}

export function hostsFile(addresses: Record<string, string>): string {
  const lines = ['127.0.0.1 localhost', '::1 localhost ip6-localhost ip6-loopback'];
  for (const [name, cidr] of Object.entries(addresses)) lines.push(`${cidr.split('/')[0]} ${name}`);
  return lines.join('\n') + '\n';
}

export function vmEnv(machine: string, address: string, mac: string): string {
  for (const [k, v] of Object.entries({ machine, address, mac })) {
    if (!/^[A-Za-z0-9._:/-]+$/.test(v)) throw new Error(`microvm config: ${k} ${JSON.stringify(v)} has characters a shell would read`);
  }
  return `VM_HOSTNAME=${machine}\nVM_ADDR=${address}\nVM_MAC=${mac}\n`;
}

export function configFiles(spec: PlaygroundSpec, machine: MachineSpec, net: VmNetwork): InjectedFile[] {
  return [
    ...machineFiles(spec, machine),
    { path: VM_ENV_PATH, content: vmEnv(machine.name, net.addresses[machine.name], net.mac), mode: 0o644 },
    { path: '/etc/hosts', content: hostsFile(net.addresses), mode: 0o644 },
    { path: '/etc/hostname', content: `${machine.name}\n`, mode: 0o644 },
  ];
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
