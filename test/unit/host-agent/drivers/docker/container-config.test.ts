import { describe, expect, it } from 'vitest';
import { machineCreateOptions, networkCreateOptions, registryCreateOptions, volumeName } from '../../../../../host-agent/drivers/docker/container-config';
import { dockerDrives } from '../../../../../host-agent/drivers/docker/drives';
import { machineFiles, tarFiles } from '../../../../../host-agent/drivers/docker/machine-files';
import { planLayout } from '../../../../../host-agent/drivers/docker/network-layout';
import { hostAddresses } from '../../../../../host-agent/drivers/hosts-file';
import { specFrom } from '../../../../helpers/spec';
import { machine, playground } from './fixtures';

const POOL = '10.213.0.0/16';
const NO_NEEDS = { privileged: false, volumes: [] };

const ROUTER_LAB = specFrom(`
kind: playground
name: lab
playground:
  networks:
    - { name: frontend, subnet: 192.168.10.0/24 }
    - { name: backend, subnet: 192.168.20.0/24, private: true }
  machines:
    - name: router
      network: { interfaces: [{ network: backend }, { network: frontend }] }
    - name: db
      network: { interfaces: [{ network: backend, address: 192.168.20.50 }] }
      drives:
        - { source: linux, mount: / }
        - { mount: /data, size: 2GiB, readOnly: true }
`);

describe('container config', () => {
  it('maps a machine to a container: hostname, limits, its address on the moved default network, names, NET_ADMIN, no published ports', () => {
    const spec = playground([machine()]);
    const layout = planLayout(spec, [], POOL);
    const m = spec.machines[0];
    const o = machineCreateOptions('pg-abcd', m, {
      image: 'sandlot/linux:abc',
      needs: NO_NEEDS,
      layout,
      hosts: hostAddresses(spec),
      drives: dockerDrives('pg-abcd', m),
    });
    const net = layout.networks[0];
    expect(net.subnet).toMatch(/^10\.213\.\d+\.0\/24$/);
    const prefix = net.subnet.replace(/0\/24$/, '');
    expect(o.name).toBe('sandlot-pg-abcd-dev');
    expect(o.Hostname).toBe('dev');
    expect(o.HostConfig).toMatchObject({
      NetworkMode: 'sandlot-pg-abcd-local',
      Memory: 512 * 1024 ** 2,
      MemorySwap: 512 * 1024 ** 2,
      NanoCpus: 2e9,
      Mounts: [],
      CapAdd: ['NET_ADMIN'],
    });
    expect(o.HostConfig?.Sysctls).toBeUndefined();
    expect(o.HostConfig?.PortBindings).toBeUndefined();
    expect(o.NetworkingConfig?.EndpointsConfig?.['sandlot-pg-abcd-local']).toEqual({
      Aliases: ['dev', 'dev.local'],
      IPAMConfig: { IPv4Address: `${prefix}2` },
    });
    expect(o.attachments.map((a) => a.network)).toEqual(['sandlot-pg-abcd-local']);
  });

  it('attaches a machine to its networks in interface order, lets a two-network machine forward, and passes names, DNS and drives', () => {
    const layout = planLayout(ROUTER_LAB, [], POOL);
    const [router, db] = ROUTER_LAB.machines;
    const o = machineCreateOptions('pg-abcd', router, {
      image: 'i',
      needs: NO_NEEDS,
      layout,
      hosts: hostAddresses(ROUTER_LAB),
      dns: ['192.0.2.53'],
      drives: dockerDrives('pg-abcd', router),
    });
    expect(o.attachments).toEqual([
      { network: 'sandlot-pg-abcd-backend', config: { Aliases: ['router', 'router.backend'], IPAMConfig: { IPv4Address: '192.168.20.2' } } },
      { network: 'sandlot-pg-abcd-frontend', config: { Aliases: ['router', 'router.frontend'], IPAMConfig: { IPv4Address: '192.168.10.2' } } },
    ]);
    expect(o.HostConfig?.NetworkMode).toBe('sandlot-pg-abcd-backend');
    expect(o.HostConfig?.Sysctls).toEqual({ 'net.ipv4.ip_forward': '1' });
    expect(o.HostConfig?.Dns).toEqual(['192.0.2.53']);
    expect(o.HostConfig?.ExtraHosts).toEqual(['router.backend:192.168.20.2', 'router.frontend:192.168.10.2', 'db:192.168.20.50', 'db.backend:192.168.20.50']);
    const d = machineCreateOptions('pg-abcd', db, { image: 'i', needs: NO_NEEDS, layout, hosts: {}, drives: dockerDrives('pg-abcd', db) });
    expect(d.HostConfig?.Mounts).toEqual([{ Type: 'volume', Source: 'sandlot-pg-abcd-db-drive1', Target: '/data', ReadOnly: true }]);
  });

  it('grants engine-in-machine images every capability but SYS_RESOURCE and a volume for their data', () => {
    const spec = playground([machine()]);
    const o = machineCreateOptions('pg-abcd', spec.machines[0], {
      image: 'sandlot/docker:abc',
      needs: { privileged: true, volumes: ['/var/lib/docker'] },
      layout: planLayout(spec, [], POOL),
      hosts: {},
      drives: dockerDrives('pg-abcd', spec.machines[0]),
    });
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

  it('puts the registry on every network at its highest free address under both registry names, never forwarding', () => {
    const layout = planLayout(ROUTER_LAB, [], POOL);
    const r = registryCreateOptions('pg-abcd', 'sandlot/registry:abc', layout, 'u:p');
    const names = ['registry.sandlot.local', 'registry.iximiuz.com'];
    expect(r.attachments).toEqual([
      { network: 'sandlot-pg-abcd-frontend', config: { Aliases: names, IPAMConfig: { IPv4Address: '192.168.10.254' } } },
      { network: 'sandlot-pg-abcd-backend', config: { Aliases: names, IPAMConfig: { IPv4Address: '192.168.20.254' } } },
    ]);
    expect(r.HostConfig?.Sysctls).toEqual({ 'net.ipv4.ip_forward': '0' });
    expect(r.Env).toEqual(['SANDLOT_REGISTRY_AUTH=u:p']);
  });

  it('makes private networks internal, on the manifest subnet and gateway', () => {
    const layout = planLayout(ROUTER_LAB, [], POOL);
    expect(networkCreateOptions('pg-abcd', layout.networks[1])).toMatchObject({
      Name: 'sandlot-pg-abcd-backend',
      Internal: true,
      Labels: { 'sandlot.playground': 'pg-abcd', 'sandlot.network': 'backend', 'sandlot.subnet': '192.168.20.0/24' },
      IPAM: { Driver: 'default', Config: [{ Subnet: '192.168.20.0/24', Gateway: '192.168.20.1' }] },
    });
    expect(networkCreateOptions('pg-abcd', layout.networks[0]).Internal).toBe(false);
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
