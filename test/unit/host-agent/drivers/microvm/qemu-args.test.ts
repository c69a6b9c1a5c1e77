import { describe, expect, it } from 'vitest';
import { kernelCommandLine, machineMac, qemuArgs, type VmLaunch } from '../../../../../host-agent/drivers/microvm/qemu-args';

const base: VmLaunch = {
  accel: 'tcg',
  cpus: 1,
  memMiB: 512,
  tscKhz: 2596142,
  kernel: '/img/vmlinuz',
  initrd: '/img/initrd.img',
  disk: '/snap/disk.qcow2',
  dataDrives: [{ file: '/snap/drive1.qcow2', index: 1, readOnly: true }],
  configDisk: '/snap/config.img',
  nics: [
    { tap: 'tap0', mac: '52:54:00:00:00:01' },
    { tap: 'tap1', mac: '52:54:00:00:00:02' },
  ],
  qmpSocket: '/snap/qmp.sock',
  controlSocket: '/snap/ctl.sock',
  consoleLog: '/snap/console.log',
  pidFile: '/snap/qemu.pid',
};

/** The argv with paths, the tap, the MAC and -incoming blanked: what must match between template and clone. */
function shape(args: string[]): string[] {
  return args
    .join(' ')
    .replace(/\/(snap|pg)\/[\w.]+/g, 'PATH')
    .replace(/tap\d+(i\d+)?/g, 'TAP')
    .replace(/mac=[\w:]+/g, 'mac=MAC')
    .replace(/ -incoming .*$/, '')
    .split(' ');
}

describe('qemuArgs', () => {
  it('gives a snapshot template and its clone the same machine and devices in the same order', () => {
    const template = qemuArgs(base);
    const clone = qemuArgs({
      ...base,
      disk: '/pg/disk.qcow2',
      dataDrives: [{ file: '/pg/drive1.qcow2', index: 1, readOnly: true }],
      configDisk: '/pg/config.img',
      nics: [
        { tap: 'tap3i0', mac: '52:54:aa:bb:00:03' },
        { tap: 'tap3i1', mac: '52:54:aa:bb:01:03' },
      ],
      qmpSocket: '/pg/qmp.sock',
      controlSocket: '/pg/ctl.sock',
      consoleLog: '/pg/console.log',
      pidFile: '/pg/qemu.pid',
      incomingFile: '/snap/state',
    });
    expect(shape(clone)).toEqual(shape(template));
    expect(clone.slice(-2)).toEqual(['-incoming', 'exec:cat /snap/state']);
    expect(template).not.toContain('-incoming');
  });

  it('gives the root, the other drives and the config disk serials the guest finds them by, and one NIC per interface', () => {
    const args = qemuArgs(base).join(' ');
    expect(args).toContain('virtio-blk-device,drive=root,serial=sandlot-drive0');
    expect(args).toContain('id=drive1,file=/snap/drive1.qcow2,format=qcow2,if=none,discard=unmap,detect-zeroes=unmap,readonly=on');
    expect(args).toContain('virtio-blk-device,drive=drive1,serial=sandlot-drive1');
    expect(args).toContain('virtio-blk-device,drive=config,serial=sandlot-config');
    expect(args.indexOf('serial=sandlot-drive1')).toBeLessThan(args.indexOf('serial=sandlot-config'));
    expect(args).toContain('-netdev tap,id=net1,ifname=tap1,script=no,downscript=no -device virtio-net-device,netdev=net1,mac=52:54:00:00:00:02');
  });

  it('caps the TCG translation cache, balloons with free-page reporting, and uses KVM with the host CPU when told', () => {
    const tcg = qemuArgs(base).join(' ');
    expect(tcg).toContain('-accel tcg,tb-size=64');
    expect(tcg).toContain('virtio-balloon-device,free-page-reporting=on');
    expect(tcg).toContain('-M microvm,x-option-roms=off');
    const kvm = qemuArgs({ ...base, accel: 'kvm' }).join(' ');
    expect(kvm).toContain('-accel kvm -cpu host');
    expect(kvm).not.toContain('tsc_early_khz');
  });

  it('quotes a state file path with spaces for the exec: migration URI', () => {
    expect(qemuArgs({ ...base, incomingFile: "/a b/it's" }).at(-1)).toBe(`exec:cat '/a b/it'\\''s'`);
  });

  it('tells a TCG guest the TSC frequency so it does not stall calibrating it', () => {
    expect(kernelCommandLine({ accel: 'tcg', cpus: 2, tscKhz: 2000000 })).toContain('tsc_early_khz=2000000');
    expect(kernelCommandLine({ accel: 'tcg', cpus: 1 })).not.toContain('tsc_early_khz');
  });

  it('turns address space randomisation off under TCG only (QEMU keys translated code by virtual address)', () => {
    expect(kernelCommandLine({ accel: 'tcg', cpus: 1 }).split(' ')).toContain('norandmaps');
    expect(kernelCommandLine({ accel: 'kvm', cpus: 1 }).split(' ')).not.toContain('norandmaps');
  });

  it('derives stable, locally administered, per-machine and per-interface MACs', () => {
    const a = machineMac('pg-abc123', 0);
    expect(a).toMatch(/^52:54:[0-9a-f]{2}:[0-9a-f]{2}:00:00$/);
    expect(machineMac('pg-abc123', 0)).toBe(a);
    expect(machineMac('pg-abc123', 1)).not.toBe(a);
    expect(machineMac('pg-abc123', 0, 1)).toMatch(/:01:00$/);
    expect(machineMac('pg-zzz999', 0)).not.toBe(a);
  });
});
