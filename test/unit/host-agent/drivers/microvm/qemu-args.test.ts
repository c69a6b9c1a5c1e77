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
  configDisk: '/snap/config.img',
  tap: 'tap0',
  mac: '52:54:00:00:00:01',
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
    .replace(/tap\d+/g, 'TAP')
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
      configDisk: '/pg/config.img',
      tap: 'tap3',
      mac: '52:54:aa:bb:cc:03',
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

  it('derives stable, locally administered, per-machine MACs', () => {
    const a = machineMac('pg-abc123', 0);
    expect(a).toMatch(/^52:54:[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}:00$/);
    expect(machineMac('pg-abc123', 0)).toBe(a);
    expect(machineMac('pg-abc123', 1)).not.toBe(a);
    expect(machineMac('pg-zzz999', 0)).not.toBe(a);
  });
});
