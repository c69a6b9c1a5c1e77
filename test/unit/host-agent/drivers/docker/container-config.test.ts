import { describe, expect, it } from 'vitest';
import {
  machineAddress,
  machineCreateOptions,
  networkCreateOptions,
  registryCreateOptions,
  volumeName,
} from '../../../../../host-agent/drivers/docker/container-config';
import { machineFiles, tarFiles } from '../../../../../host-agent/drivers/docker/machine-files';
import { machine, playground } from './fixtures';

describe('container config', () => {
  it('maps a machine to a container: hostname, limits, fixed address, name alias, no published ports', () => {
    const o = machineCreateOptions('pg-abcd', machine({ index: 1 }), 'sandlot/linux:abc', { privileged: false, volumes: [] }, '10.213.4.0/24');
    expect(o.name).toBe('sandlot-pg-abcd-dev');
    expect(o.Hostname).toBe('dev');
    expect(o.HostConfig).toMatchObject({ NetworkMode: 'sandlot-pg-abcd', Memory: 512 * 1024 ** 2, MemorySwap: 512 * 1024 ** 2, NanoCpus: 2e9, Mounts: [] });
    expect(o.HostConfig?.CapAdd).toBeUndefined();
    expect(o.HostConfig?.PortBindings).toBeUndefined();
    expect(o.NetworkingConfig?.EndpointsConfig?.['sandlot-pg-abcd']).toEqual({ Aliases: ['dev'], IPAMConfig: { IPv4Address: '10.213.4.11' } });
    expect(machineAddress('10.213.4.0/24', 1)).toBe('10.213.4.11');
  });

  it('grants engine-in-machine images every capability but SYS_RESOURCE and a volume for their data', () => {
    const o = machineCreateOptions('pg-abcd', machine(), 'sandlot/docker:abc', { privileged: true, volumes: ['/var/lib/docker'] }, '10.213.4.0/24');
    expect(o.HostConfig).toMatchObject({
      CapAdd: ['ALL'],
      CapDrop: ['SYS_RESOURCE'],
      MaskedPaths: [],
      ReadonlyPaths: [],
      DeviceCgroupRules: ['a *:* rwm'],
      Mounts: [{ Type: 'volume', Source: 'sandlot-pg-abcd-dev-var-lib-docker', Target: '/var/lib/docker' }],
    });
    expect(o.HostConfig?.Privileged).toBeUndefined();
    expect(volumeName('pg-x', 'm', '/var/lib/rancher')).toBe('sandlot-pg-x-m-var-lib-rancher');
  });

  it('puts the registry at .2 under the name registry.sandlot.local and the network on an explicit subnet', () => {
    const r = registryCreateOptions('pg-abcd', 'sandlot/registry:abc', '10.213.4.0/24', 'u:p');
    expect(r.NetworkingConfig?.EndpointsConfig?.['sandlot-pg-abcd']).toEqual({
      Aliases: ['registry.sandlot.local'],
      IPAMConfig: { IPv4Address: '10.213.4.2' },
    });
    expect(r.Env).toEqual(['SANDLOT_REGISTRY_AUTH=u:p']);
    expect(networkCreateOptions('pg-abcd', '10.213.4.0/24').IPAM).toEqual({ Driver: 'default', Config: [{ Subnet: '10.213.4.0/24', Gateway: '10.213.4.1' }] });
  });

  it('injects host key (0600), the playground key and the first-boot script; marks noSSH machines', async () => {
    const spec = playground([machine(), machine({ name: 'quiet', index: 1, noSSH: true })]);
    const files = machineFiles(spec, spec.machines[0]);
    expect(files.map((f) => [f.path, f.mode.toString(8)])).toEqual([
      ['/etc/ssh/ssh_host_ed25519_key', '600'],
      ['/etc/ssh/ssh_host_ed25519_key.pub', '644'],
      ['/etc/sandlot/authorized_keys', '644'],
      ['/etc/sandlot/first-boot.sh', '700'],
    ]);
    expect(files[0].content.endsWith('\n')).toBe(true);
    expect(machineFiles(spec, spec.machines[1]).map((f) => f.path)).toContain('/etc/sandlot/no-ssh');
    const tar = await tarFiles(files);
    // ustar: names at offset 0 of each 512-byte header; directories come before their files.
    expect(tar.subarray(0, 4).toString()).toBe('etc/');
    expect(tar.includes(Buffer.from('ssh-ed25519 AAAAuser pg-abcd\n'))).toBe(true);
  });
});
