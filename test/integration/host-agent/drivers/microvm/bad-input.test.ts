// Bad inputs to the microvm driver get one clear line naming what is wrong and what to
// do: memory above the host, too little memory, an unknown image (through the real agent
// API), QEMU not installed, no guest kernel, a bad accelerator setting.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MicrovmDriver } from '../../../../../host-agent/drivers/microvm/driver';
import { startAgent, tempHome, type AgentHandle } from '../../../../helpers/agent-process';
import { VM_CACHE, vmEnv } from './helpers';

function manifest(machine: string): string {
  return `kind: playground\nname: bad\nplayground:\n  driver: microvm\n  machines:\n    - name: m1\n${machine}`;
}

describe('microvm driver: bad inputs', () => {
  let home: string;
  let agent: AgentHandle;
  const scratch: string[] = [];

  beforeAll(async () => {
    home = tempHome('sandlot-vm-bad-');
    agent = await startAgent({ home, args: ['--driver', 'microvm'], env: vmEnv() });
  }, 120_000);

  afterAll(async () => {
    await agent?.kill();
    for (const d of [home, ...scratch]) if (d) fs.rmSync(d, { recursive: true, force: true });
  });

  it('refuses memory above the host, naming the field and the host size', async () => {
    await expect(agent.client.create({ manifest: manifest('      resources: { ramSize: 4096Gi }\n'), manifestName: 'big.yaml' })).rejects.toThrow(
      /big\.yaml: playground\.machines\[0\]\.resources\.ramSize: 4096Gi is more than this host's memory \([\d.]+ GiB\) \(microvm driver\)/,
    );
    expect(await agent.client.list()).toEqual([]);
  });

  it('refuses too little memory for a VM and an unknown image', async () => {
    await expect(agent.client.create({ manifest: manifest('      resources: { ramSize: 64Mi }\n'), manifestName: 'small.yaml' })).rejects.toThrow(
      /playground\.machines\[0\]\.resources\.ramSize: 64Mi is too little for a VM; expected at least 256Mi/,
    );
    await expect(agent.client.create({ manifest: manifest('      image: nosuch\n'), manifestName: 'img.yaml' })).rejects.toThrow(
      /playground\.machines\[0\]\.image: unknown image "nosuch": expected one of linux, docker, zig, k3s/,
    );
  });

  it('says which packages to install when QEMU is missing', async () => {
    const driver = new MicrovmDriver({ stateHome: home, cacheDir: VM_CACHE, qemuBinary: '/nonexistent/qemu-system-x86_64' });
    await expect(driver.preflight()).rejects.toThrow(
      /needs QEMU, which is not installed at \/nonexistent\/qemu-system-x86_64: apt-get install qemu-system-x86 qemu-utils/,
    );
    const report = await driver.doctor();
    expect(report.usable).toBe(false);
    const qemu = report.checks.find((c) => c.name === 'qemu-system-x86_64');
    expect(qemu?.ok).toBe(false);
    expect(qemu?.fix).toContain('apt-get install qemu-system-x86');
  });

  it('names the missing guest kernel and how to get it', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlot-vm-nokernel-'));
    scratch.push(empty);
    const driver = new MicrovmDriver({ stateHome: empty, cacheDir: empty, env: { ...process.env, SANDLOT_VM_KERNEL_DEB: path.join(empty, 'none.deb') } });
    await expect(driver.preflight()).rejects.toThrow(
      /SANDLOT_VM_KERNEL_DEB: no file at .*none\.deb; the microvm driver boots Debian's linux-image-cloud-amd64 kernel/,
    );
  });

  it('rejects an accelerator setting it does not know', async () => {
    const driver = new MicrovmDriver({ stateHome: home, cacheDir: VM_CACHE, env: { ...process.env, SANDLOT_MICROVM_ACCEL: 'hvf' } });
    await expect(driver.preflight()).rejects.toThrow(/SANDLOT_MICROVM_ACCEL: expected kvm or tcg, got "hvf"/);
  });
});
