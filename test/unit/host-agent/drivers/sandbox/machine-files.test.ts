import { describe, expect, it } from 'vitest';
import { hostPathFor, machineUsers, renderHosts, renderPasswd, startupFileProblems } from '../../../../../host-agent/drivers/sandbox/machine-files';
import type { MachineSpec } from '../../../../../host-agent/drivers/protocol';

describe('sandbox machine files', () => {
  it("maps only the machine's own directories to the host, normalising ../", () => {
    expect(hostPathFor('/s/m', '/root/a.txt')).toBe('/s/m/root/a.txt');
    expect(hostPathFor('/s/m', '/home/bob/x')).toBe('/s/m/home/bob/x');
    expect(hostPathFor('/s/m', '/var/tmp/x')).toBe('/s/m/var-tmp/x');
    expect(hostPathFor('/s/m', '/tmp')).toBe('/s/m/tmp');
    expect(hostPathFor('/s/m', '/etc/passwd')).toBeUndefined();
    expect(hostPathFor('/s/m', '/root/../etc/shadow')).toBeUndefined();
    expect(hostPathFor('/s/m', '/rootkit')).toBeUndefined();
  });

  it('gives root uid 0 and other users 1000+ with homes in /home', () => {
    expect(machineUsers(['root', 'laborant', 'bob']).map((u) => [u.name, u.uid, u.home])).toEqual([
      ['root', 0, '/root'],
      ['laborant', 1000, '/home/laborant'],
      ['bob', 1001, '/home/bob'],
    ]);
  });

  it('lists every machine of the playground in /etc/hosts', () => {
    const hosts = renderHosts('a', [
      { name: 'a', address: '10.77.0.10' },
      { name: 'b', address: '10.77.0.11' },
    ]);
    expect(hosts).toMatch(/^127\.0\.0\.1\tlocalhost$/m);
    expect(hosts).toMatch(/^10\.77\.0\.11\tb$/m);
  });

  it("replaces host passwd entries of the same name with the machine's users", () => {
    const { passwd, group } = renderPasswd(machineUsers(['root', 'laborant']));
    expect(passwd.match(/^root:/gm)).toHaveLength(1);
    expect(passwd).toMatch(/^laborant:x:1000:1000:laborant:\/home\/laborant:\/bin\/bash$/m);
    expect(group).toMatch(/^laborant:x:1000:$/m);
  });

  it("drops host users and groups whose ids the machine's users take", () => {
    const hostPasswd = 'root:x:0:0:root:/root:/bin/bash\ncloudsdk:x:1000:1000::/home/cloudsdk:/bin/bash\nwww-data:x:33:33::/var/www:/usr/sbin/nologin';
    const hostGroup = 'root:x:0:\ncloudsdk:x:1000:\nwww-data:x:33:';
    const { passwd, group } = renderPasswd(machineUsers(['root', 'laborant']), hostPasswd, hostGroup);
    expect(passwd).not.toMatch(/cloudsdk/);
    expect(group).not.toMatch(/cloudsdk/);
    expect(passwd).toMatch(/^www-data:x:33:/m);
    expect(passwd.match(/^[^:]+:x:1000:/gm)).toEqual(['laborant:x:1000:']);
  });

  it('refuses startup files on the read-only root and unknown owners, naming the field', () => {
    const spec = {
      users: machineUsers(['root']),
      startupFiles: [
        { path: '/etc/motd', content: 'x' },
        { path: '/root/ok', content: 'x', owner: 'bob' },
      ],
    } as unknown as MachineSpec;
    expect(startupFileProblems(spec, 2)).toEqual([
      'playground.machines[2].startupFiles[0].path: the sandbox driver keeps the host\'s root read-only; expected a path under /root, /home, /tmp or /var/tmp, got "/etc/motd"',
      'playground.machines[2].startupFiles[1].owner: unknown user "bob" (expected one of root)',
    ]);
  });
});
