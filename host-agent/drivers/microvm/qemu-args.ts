// QEMU's command line for one machine. Pure: the same inputs give the same argv, and a
// snapshot template and its clones must get the same devices in the same order (the
// saved state is only valid for an identical machine), so only file paths, taps, MACs
// and `-incoming` may differ between them. Disks: the root (vda), the manifest's other
// drives in order (vdb, …), then the config disk; each carries a serial the VM init
// finds it by (`sandlot-drive<N>`, `sandlot-config`).

export type Accel = 'kvm' | 'tcg';

export interface DataDrive {
  file: string;
  /** Its position in the manifest's drive list (the root is 0). */
  index: number;
  readOnly: boolean;
}

/** The serial of the manifest's drive `index`, as the guest sees it in /sys/block/vd?/serial. */
export function driveSerial(index: number): string {
  return `sandlot-drive${index}`;
}

export const CONFIG_SERIAL = 'sandlot-config';

export interface VmLaunch {
  accel: Accel;
  cpus: number;
  memMiB: number;
  kernel: string;
  initrd: string;
  /** The machine's qcow2 overlay. */
  disk: string;
  /** The manifest's drives after the root, in order (the Nth is `sandlot-drive<N>`). */
  dataDrives: DataDrive[];
  /** Raw config disk (a tar archive) with the machine's identity. */
  configDisk: string;
  /** One per interface, eth0 first: a tap device (already made, in the namespace QEMU runs in) and its MAC. */
  nics: { tap: string; mac: string }[];
  qmpSocket: string;
  controlSocket: string;
  consoleLog: string;
  pidFile: string;
  /** Restore from this saved state file instead of booting. */
  incomingFile?: string;
  /** Host TSC kHz: lets a TCG guest skip TSC calibration (which fails against the emulated PIT and stalls the boot). */
  tscKhz?: number;
  /** TCG translation cache size (MiB); its default (1 GiB) dominates a small guest's RSS. */
  tbSizeMiB?: number;
}

/** MAC address of interface `nic` of machine `index` of a playground: locally administered, stable. */
export function machineMac(playgroundId: string, index: number, nic = 0): string {
  let h = 0;
  for (const c of playgroundId) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  // Five machines and 24 interfaces fit one byte each way.
  const b = [0x52, 0x54, (h >>> 8) & 0xff, h & 0xff, nic & 0xff, index & 0xff];
  return b.map((x) => x.toString(16).padStart(2, '0')).join(':');
}

export function kernelCommandLine(launch: Pick<VmLaunch, 'accel' | 'cpus' | 'tscKhz'>): string {
  const args = ['console=ttyS0', 'quiet', 'panic=-1', 'rdinit=/init', 'random.trust_cpu=on', '8250.nr_uarts=1'];
  if (launch.accel === 'tcg' && launch.tscKhz) args.push(`tsc_early_khz=${launch.tscKhz}`);
  // TCG: no address space randomisation. QEMU (7.2 here) keys translated code by virtual
  // address, so every randomised process start translates its binary and libraries again
  // (≈ 20 MB of host code per SSH login, the 64 MiB cache flushed every few logins): a
  // login took about twice as long. The guest's root can turn it back on (kernel.randomize_va_space).
  if (launch.accel === 'tcg') args.push('norandmaps');
  return args.join(' ');
}

/**
 * What every QEMU Sandlot starts has (VMs and the KVM probe): no default devices or user
 * config, exit instead of reboot, no display, the serial console into a file.
 */
export function headlessArgs(consoleLog: string): string[] {
  return ['-nodefaults', '-no-user-config', '-no-reboot', '-display', 'none', '-serial', `file:${consoleLog}`];
}

export function qemuArgs(l: VmLaunch): string[] {
  const machine = 'microvm,x-option-roms=off';
  const args = [
    '-name',
    'sandlot',
    '-M',
    machine,
    '-accel',
    l.accel === 'tcg' ? `tcg,tb-size=${l.tbSizeMiB ?? 64}` : 'kvm',
    '-cpu',
    l.accel === 'kvm' ? 'host' : 'max',
    '-smp',
    String(l.cpus),
    '-m',
    `${l.memMiB}M`,
    ...headlessArgs(l.consoleLog),
    '-kernel',
    l.kernel,
    '-initrd',
    l.initrd,
    '-append',
    kernelCommandLine(l),
    '-drive',
    `id=root,file=${l.disk},format=qcow2,if=none,discard=unmap,detect-zeroes=unmap`,
    '-device',
    `virtio-blk-device,drive=root,serial=${driveSerial(0)}`,
    ...l.dataDrives.flatMap((d) => [
      '-drive',
      `id=drive${d.index},file=${d.file},format=qcow2,if=none,discard=unmap,detect-zeroes=unmap${d.readOnly ? ',readonly=on' : ''}`,
      '-device',
      `virtio-blk-device,drive=drive${d.index},serial=${driveSerial(d.index)}`,
    ]),
    '-drive',
    `id=config,file=${l.configDisk},format=raw,if=none,readonly=on`,
    '-device',
    `virtio-blk-device,drive=config,serial=${CONFIG_SERIAL}`,
    ...l.nics.flatMap((n, k) => [
      '-netdev',
      `tap,id=net${k},ifname=${n.tap},script=no,downscript=no`,
      '-device',
      `virtio-net-device,netdev=net${k},mac=${n.mac}`,
    ]),
    '-object',
    'rng-random,id=rng0,filename=/dev/urandom',
    '-device',
    'virtio-rng-device,rng=rng0',
    // Free pages go back to the host as the guest frees them, so RSS follows real use.
    '-device',
    'virtio-balloon-device,free-page-reporting=on',
    '-device',
    'virtio-serial-device',
    '-chardev',
    `socket,id=ctl,path=${l.controlSocket},server=on,wait=off`,
    '-device',
    'virtserialport,chardev=ctl,name=sandlot.ctl',
    '-qmp',
    `unix:${l.qmpSocket},server=on,wait=off`,
    '-pidfile',
    l.pidFile,
    '-daemonize',
  ];
  if (l.incomingFile) args.push('-incoming', `exec:cat ${shellWord(l.incomingFile)}`);
  return args;
}

function shellWord(s: string): string {
  return /^[A-Za-z0-9_./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
