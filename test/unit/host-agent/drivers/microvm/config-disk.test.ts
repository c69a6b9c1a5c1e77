import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tar from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { CONFIG_DISK_BYTES, configFiles, hostsFile, vmEnv, writeConfigDisk } from '../../../../../host-agent/drivers/microvm/config-disk';
import type { MachineSpec, PlaygroundSpec } from '../../../../../host-agent/drivers/protocol';
import { specFrom } from '../../../../helpers/spec';

const built = specFrom('kind: playground\nname: t\nplayground:\n  machines:\n    - name: dev\n      resources: { cpuCount: 1, ramSize: 512Mi }\n', 'pg-x');
const machine: MachineSpec = { ...built.machines[0], startupFiles: [] };
const spec: PlaygroundSpec = { ...built, machines: [machine], authorizedKey: 'ssh-ed25519 AAAAuser u' };

async function untar(buf: Buffer): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const ex = tar.extract();
  ex.on('entry', (h, stream, next) => {
    let s = '';
    stream.on('data', (d: unknown) => (s += String(d)));
    stream.on('end', () => {
      if (h.type === 'file') out[h.name] = s;
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
    await writeConfigDisk(file, configFiles(spec, machine, { addresses: { dev: '10.89.0.10/24', db: '10.89.0.11/24' }, mac: '52:54:00:00:00:09' }));
    const buf = fs.readFileSync(file);
    // Fixed size: a clone's disk must match the size the template's guest saw.
    expect(buf.length).toBe(CONFIG_DISK_BYTES);
    const files = await untar(buf);
    expect(files['etc/sandlot/vm.env']).toBe('VM_HOSTNAME=dev\nVM_ADDR=10.89.0.10/24\nVM_MAC=52:54:00:00:00:09\n');
    expect(files['etc/ssh/ssh_host_ed25519_key.pub']).toBe('ssh-ed25519 AAAAhost dev\n');
    expect(files['etc/sandlot/authorized_keys']).toBe('ssh-ed25519 AAAAuser u\n');
    expect(files['etc/hosts']).toContain('10.89.0.11 db\n');
    expect(files['etc/hostname']).toBe('dev\n');
    expect(files['etc/sandlot/first-boot.sh']).toContain('#!/bin/sh');
    fs.rmSync(path.dirname(file), { recursive: true });
  });

  it('refuses values a shell would interpret and startup files that do not fit', async () => {
    expect(() => vmEnv('dev; rm -rf /', '10.89.0.10/24', '52:54:00:00:00:01')).toThrow(
      'microvm config: machine "dev; rm -rf /" has characters a shell would read',
    );
    const big = { ...machine, startupFiles: [{ path: '/big', content: 'x'.repeat(CONFIG_DISK_BYTES) }] } as MachineSpec;
    await expect(writeConfigDisk('/nonexistent/x', configFiles(spec, big, { addresses: { dev: '10.89.0.10/24' }, mac: '52:54:00:00:00:01' }))).rejects.toThrow(
      /the machine's keys and startup files take \d+ bytes; at most 8388608 fit its config disk/,
    );
  });

  it('writes localhost and every machine into /etc/hosts', () => {
    expect(hostsFile({ a: '10.89.0.10/24' })).toBe('127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n10.89.0.10 a\n');
  });
});
