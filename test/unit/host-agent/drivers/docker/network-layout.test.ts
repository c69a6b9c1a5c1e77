import { describe, expect, it } from 'vitest';
import { defaultNetworkMovable, interfaceAddress, planLayout } from '../../../../../host-agent/drivers/docker/network-layout';
import { dockerNetworkScript } from '../../../../../host-agent/drivers/docker/network-script';
import { specFrom } from '../../../../helpers/spec';

const POOL = '10.213.0.0/16';

const DEFAULT_ONLY = specFrom(`
kind: playground
name: one
playground:
  machines: [{ name: a }, { name: b }]
`);

const DECLARED = specFrom(`
kind: playground
name: lab
playground:
  networks:
    - { name: frontend, subnet: 192.168.10.0/24 }
    - { name: backend, subnet: 192.168.20.0/28, gateway: 192.168.20.14, private: true }
  machines:
    - name: gw
      network: { interfaces: [{ network: backend }, { network: frontend }] }
    - name: app
      network: { interfaces: [{ network: backend }] }
`);

describe('docker network layout', () => {
  it('moves the untouched default network into the pool, keeping every host part', () => {
    expect(defaultNetworkMovable(DEFAULT_ONLY)).toBe(true);
    const layout = planLayout(DEFAULT_ONLY, [], POOL);
    expect(layout.moved?.from).toBe('172.16.0.0/24');
    const to = layout.moved!.to;
    expect(to).toMatch(/^10\.213\.\d+\.0\/24$/);
    const prefix = to.replace(/0\/24$/, '');
    expect(layout.networks).toEqual([
      { network: 'local', name: `sandlot-${DEFAULT_ONLY.id}-local`, subnet: to, gateway: `${prefix}1`, internal: false, registry: `${prefix}254` },
    ]);
    const [a, b] = DEFAULT_ONLY.machines;
    expect(interfaceAddress(layout, a, a.interfaces[0])).toBe(`${prefix}2`);
    expect(interfaceAddress(layout, b, b.interfaces[0])).toBe(`${prefix}3`);
    // Another playground's network in the pool is skipped.
    const other = planLayout(DEFAULT_ONLY, [{ cidr: to, owner: 'x' }], POOL);
    expect(other.moved!.to).not.toBe(to);
  });

  it('keeps the default network where a machine asks for a static address in it', () => {
    const pinned = specFrom(`
kind: playground
name: pinned
playground:
  machines:
    - name: a
      network: { interfaces: [{ address: 172.16.0.77 }] }
`);
    expect(defaultNetworkMovable(pinned)).toBe(false);
    const layout = planLayout(pinned, [], POOL);
    expect(layout.moved).toBeUndefined();
    expect(layout.networks[0].subnet).toBe('172.16.0.0/24');
    expect(() => planLayout(pinned, [{ cidr: '172.16.0.0/16', owner: 'a route of the host' }], POOL)).toThrow(
      'docker driver: the default network "local" 172.16.0.0/24 overlaps a route of the host (172.16.0.0/16)',
    );
  });

  it('uses declared subnets as written and names the field and the holder when one is taken', () => {
    const layout = planLayout(DECLARED, [], POOL);
    expect(layout.moved).toBeUndefined();
    expect(layout.networks.map((n) => [n.network, n.subnet, n.gateway, n.internal, n.registry])).toEqual([
      ['frontend', '192.168.10.0/24', '192.168.10.1', false, '192.168.10.254'],
      // The declared gateway holds .14, so the registry takes .13.
      ['backend', '192.168.20.0/28', '192.168.20.14', true, '192.168.20.13'],
    ]);
    expect(() => planLayout(DECLARED, [{ cidr: '192.168.20.0/24', owner: 'network "backend" of playground pg-other' }], POOL)).toThrow(
      'docker driver: playground.networks[1].subnet 192.168.20.0/28 overlaps network "backend" of playground pg-other (192.168.20.0/24): Docker networks share the host\'s address space, so no two of them can hold one subnet; destroy that playground, give this network another subnet, or use the microvm or sandbox driver (each playground has a network namespace of its own there)',
    );
  });

  it('leaves the registry out of a network with no free address', () => {
    const full = specFrom(`
kind: playground
name: tiny
playground:
  networks: [{ name: p2p, subnet: 10.9.0.0/30 }]
  machines: [{ name: a }]
`);
    expect(planLayout(full, [], POOL).networks[0].registry).toBeUndefined();
  });

  it('renames interfaces by their addresses through temporary names and routes through the first non-private network', () => {
    const layout = planLayout(DECLARED, [], POOL);
    const script = dockerNetworkScript(DECLARED.machines[0], layout);
    expect(script).toContain('d0=$(dev_of 192.168.20.1)');
    expect(script).toContain('d1=$(dev_of 192.168.10.2)');
    expect(script.indexOf('name sltmp1')).toBeLessThan(script.indexOf('ip link set sltmp0 name eth0'));
    expect(script).toContain('ip route replace default via 192.168.10.1 dev eth1');
    // Only on a private network: no default route at all.
    expect(dockerNetworkScript(DECLARED.machines[1], layout)).toContain('ip route del default');
  });
});
