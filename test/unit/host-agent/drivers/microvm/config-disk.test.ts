import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tar from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { CONFIG_DISK_BYTES, configFiles, vmDrivesList, vmEnv, vmNetworkScript, writeConfigDisk } from '../../../../../host-agent/drivers/microvm/config-disk';
import type { MachineSpec, PlaygroundSpec } from '../../../../../host-agent/drivers/protocol';
import { tarFiles } from '../../../../../host-agent/drivers/docker/machine-files';
import { specFrom } from '../../../../helpers/spec';

const built = specFrom('kind: playground\nname: t\nplayground:\n  machines:\n    - name: dev\n      resources: { cpuCount: 1, ramSize: 512Mi }\n', 'pg-x');
const machine: MachineSpec = { ...built.machines[0], startupFiles: [] };
const spec: PlaygroundSpec = { ...built, machines: [machine], authorizedKey: 'ssh-ed25519 AAAAuser u' };

/** Files by path; a symbolic link as `-> target`. */
async function untar(buf: Buffer): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const ex = tar.extract();
  ex.on('entry', (h, stream, next) => {
    let s = '';
    stream.on('data', (d: unknown) => (s += String(d)));
    stream.on('end', () => {
      if (h.type === 'file') out[h.name] = s;
      if (h.type === 'symlink') out[h.name] = `-> ${h.linkname}`;
      next();
    });
  });
  const done = new Promise<void>((r) => ex.on('finish', () => r()));
  ex.end(buf);
  await done;
  return out;
}

describe('config disk', () => {
  it('carries host key, playground key, first-boot script, VM settings, hosts and hostname', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sandlot-cfg-')), 'config.img');
    await writeConfigDisk(file, configFiles(spec, machine, { macs: ['52:54:00:00:00:09'], outside: true, rootGrow: false }));
    const buf = fs.readFileSync(file);
    // Fixed size: a clone's disk must match the size the template's guest saw.
    expect(buf.length).toBe(CONFIG_DISK_BYTES);
    const files = await untar(buf);
    expect(files['etc/sandlot/vm.env']).toBe('VM_HOSTNAME=dev\n');
    expect(files['etc/sandlot/vm-network.sh']).toContain('link set eth0 address 52:54:00:00:00:09\naddr flush dev eth0\naddr add 172.16.0.2/24 dev eth0');
    expect(files['etc/sandlot/vm-network.sh']).toContain('link set eth0 up\nroute replace default via 172.16.0.1 dev eth0\nNET\n');
    // The gateway answers DNS (the agent forwards to the host's resolvers).
    expect(files['etc/resolv.conf']).toContain('nameserver 172.16.0.1\n');
    expect(files['etc/sandlot/vm-drives']).toBeUndefined();
    expect(files['etc/ssh/ssh_host_ed25519_key.pub']).toBe('ssh-ed25519 AAAAhost dev\n');
    expect(files['etc/sandlot/authorized_keys']).toBe('ssh-ed25519 AAAAuser u\n');
    expect(files['etc/hosts']).toContain('172.16.0.2\tdev dev.local\n');
    expect(files['etc/hostname']).toBe('dev\n');
    expect(files['etc/sandlot/first-boot.sh']).toContain('#!/bin/sh');
    fs.rmSync(path.dirname(file), { recursive: true });
  });

  it("gives a fork's machine its identity script and points the first-boot marker at a marker of the fork's own", async () => {
    const withKeys: MachineSpec = {
      ...machine,
      startupFiles: [
        { path: '/root/.ssh/id_ed25519', content: 'PRIVATE\n', mode: '0600', owner: 'root:root' },
        { path: '/etc/motd', content: 'hello\n' },
      ],
    };
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sandlot-cfg-')), 'config.img');
    await writeConfigDisk(file, configFiles(spec, withKeys, { macs: ['52:54:00:00:00:09'], outside: true, rootGrow: false, fork: true }));
    const files = await untar(fs.readFileSync(file));
    expect(files['var/lib/sandlot/first-boot.done']).toBe('-> fork-pg-x.done');
    // The identity files only: users and other startup files came with the snapshot.
    expect(files['etc/sandlot/first-boot.sh']).toContain('/root/.ssh/id_ed25519');
    expect(files['etc/sandlot/first-boot.sh']).not.toContain('/etc/motd');
    const plain = await untar(await tarFiles(configFiles(spec, withKeys, { macs: ['52:54:00:00:00:09'], outside: true, rootGrow: false })));
    expect(plain['var/lib/sandlot/first-boot.done']).toBeUndefined();
    expect(plain['etc/sandlot/first-boot.sh']).toContain('/etc/motd');
    fs.rmSync(path.dirname(file), { recursive: true });
  });

  it('refuses values a shell would interpret and startup files that do not fit', async () => {
    expect(() => vmEnv('dev; rm -rf /')).toThrow('microvm config: machine "dev; rm -rf /" has characters a shell would read');
    const big = { ...machine, startupFiles: [{ path: '/big', content: 'x'.repeat(CONFIG_DISK_BYTES) }] } as MachineSpec;
    await expect(writeConfigDisk('/nonexistent/x', configFiles(spec, big, { macs: ['52:54:00:00:00:01'], outside: false, rootGrow: false }))).rejects.toThrow(
      /the machine's keys and startup files take \d+ bytes; at most 8388608 fit its config disk/,
    );
  });

  it('lists drives to mount by serial and routes only through a non-private network', () => {
    const lab = specFrom(`
kind: playground
name: lab
playground:
  networks:
    - { name: front, subnet: 10.1.0.0/24 }
    - { name: back, subnet: 10.2.0.0/24, private: true }
  machines:
    - name: db
      network: { interfaces: [{ network: back }] }
      drives:
        - { size: 2GiB }
        - { source: linux, mount: /, size: 20GiB }
        - { mount: /srv/data, filesystem: xfs, readOnly: true }
`);
    const db = lab.machines[0];
    expect(vmDrivesList(db)).toBe('sandlot-drive2 ro /srv/data\n');
    const net = vmNetworkScript(db, ['52:54:00:00:00:01']);
    expect(net).toContain("ip -batch - <<'NET'\nlink set eth0 down");
    expect(net).toContain('addr add 10.2.0.2/24 dev eth0');
    expect(net).not.toContain('default');
    expect(vmEnv('db', true)).toBe('VM_HOSTNAME=db\nVM_ROOT_GROW=1\n');
  });
});
