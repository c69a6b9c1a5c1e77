import { describe, expect, it } from 'vitest';
import { hostPathFor, machineUsers, renderPasswd, renderResolvConf, startupFileProblems } from '../../../../../host-agent/drivers/sandbox/machine-files';
import type { MachineSpec } from '../../../../../host-agent/drivers/protocol';
import { specFrom } from '../../../../helpers/spec';

// A whole machine spec from the agent's builder; each test overrides the fields it is about.
const base: MachineSpec = specFrom('kind: playground\nname: t\nplayground:\n  machines:\n    - name: m\n').machines[0];

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

  it("points resolv.conf at the machine's gateway only when the playground has a way out", () => {
    const m: MachineSpec = { ...base, defaultRoute: { interface: 'eth0', gateway: '172.16.0.1' } };
    expect(renderResolvConf(m, true)).toMatch(/^nameserver 172\.16\.0\.1$/m);
    expect(renderResolvConf(m, false)).not.toMatch(/nameserver/);
    expect(renderResolvConf(m, false)).toMatch(/no way out/);
    expect(renderResolvConf({ ...base, defaultRoute: undefined }, true)).toMatch(/only on private networks/);
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
    const spec: MachineSpec = {
      ...base,
      users: machineUsers(['root']),
      startupFiles: [
        { path: '/etc/motd', content: 'x' },
        { path: '/root/ok', content: 'x', owner: 'bob' },
      ],
    };
    expect(startupFileProblems(spec, 2)).toEqual([
      'playground.machines[2].startupFiles[0].path: the sandbox driver keeps the host\'s root read-only; expected a path under /root, /home, /tmp or /var/tmp, got "/etc/motd"',
      'playground.machines[2].startupFiles[1].owner: unknown user "bob" (expected one of root)',
    ]);
  });
});
