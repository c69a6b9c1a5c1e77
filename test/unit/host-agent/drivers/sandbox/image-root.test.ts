import { describe, expect, it } from 'vitest';
import { drivesEnv, firstBootFile, imageRootsUnavailable, mountedExtraDrives } from '../../../../../host-agent/drivers/sandbox/image-root';
import { AGENT_IS_ROOT } from '../../../../../host-agent/drivers/sandbox/namespaces';
import type { MachineSpec } from '../../../../../host-agent/drivers/protocol';

const machine: MachineSpec = {
  name: 'dev',
  index: 0,
  image: 'linux',
  users: [
    { name: 'root', uid: 0, gid: 0, home: '/root', shell: '/bin/bash' },
    { name: 'laborant', uid: 1000, gid: 1000, home: '/home/laborant', shell: '/bin/bash' },
  ],
  defaultUser: 'root',
  resources: { cpuCount: 1, ramSize: '1Gi', ramBytes: 1024 ** 3 },
  startupFiles: [
    { path: '/etc/motd', content: 'hi\n' },
    { path: '/root/.ssh/id_ed25519', content: 'KEY\n', mode: '0600' },
  ],
  noSSH: false,
  hostKey: { privateKey: 'x', publicKey: 'ssh-ed25519 AAAA dev' },
  interfaces: [],
  drives: [
    { source: 'linux', mount: '/', readOnly: false },
    { mount: '/data', sizeBytes: 1024 ** 3, readOnly: false },
    { mount: '/ro', readOnly: true },
    { filesystem: 'ext4', readOnly: false },
  ],
};

describe('sandbox image roots', () => {
  it('refuses image roots on kernels before 5.19, and always for a normal-user agent', () => {
    if (!AGENT_IS_ROOT) return expect(imageRootsUnavailable('6.8.0')).toMatch(/run as root/);
    expect(imageRootsUnavailable('5.15.0-91-generic')).toMatch(/Linux 5\.19 or later.*5\.15\.0-91-generic/);
    expect(imageRootsUnavailable('5.19.0')).toBeUndefined();
    expect(imageRootsUnavailable('6.18.44-fc')).toBeUndefined();
  });

  it('mounts only extra drives with a mount point, read-only where asked', () => {
    expect(mountedExtraDrives(machine).map((d) => [d.index, d.drive.mount])).toEqual([
      [1, '/data'],
      [2, '/ro'],
    ]);
    expect(drivesEnv(machine)).toBe('1 /data rw;2 /ro ro');
  });

  it("runs the first boot once (a marker on the machine's disk), a fork's identity files every time", () => {
    const first = firstBootFile(machine, false);
    expect(first).toMatch(/^\[ -e \/var\/lib\/sandlot\/first-boot\.done \] && exit 0$/m);
    expect(first).toContain('useradd');
    expect(first).toContain("'/etc/motd'");
    const fork = firstBootFile(machine, true);
    expect(fork).not.toContain('first-boot.done');
    expect(fork).not.toContain('useradd');
    expect(fork).not.toContain('/etc/motd');
    expect(fork).toContain("'/root/.ssh/id_ed25519'");
  });
});
