import { describe, expect, it } from 'vitest';
import { loadManifestText, ManifestError } from '../../../../host-agent/manifests/load';
import { planNetworks } from '../../../../host-agent/manifests/networks';
import { specFrom } from '../../../helpers/spec';

/** A manifest with these networks and machines (each machine line is a YAML flow mapping). */
const manifest = (networks: string | undefined, ...machines: string[]): string =>
  `kind: playground\nname: net\nplayground:\n${networks === undefined ? '' : `  networks: ${networks}\n`}  machines:\n${machines.map((m) => `    - ${m}\n`).join('')}`;

const problems = (text: string): string[] => {
  try {
    loadManifestText(text, 'net.yaml');
  } catch (err) {
    if (!(err instanceof ManifestError)) throw err;
    return err.message.split('\n');
  }
  throw new Error('expected the manifest to be refused');
};

describe('network plan', () => {
  it('gives a manifest without networks one "local" 172.16.0.0/24 with the first address as gateway', () => {
    const spec = specFrom(manifest(undefined, '{ name: a }', '{ name: b }'));
    expect(spec.networks).toEqual([{ name: 'local', subnet: '172.16.0.0/24', gateway: '172.16.0.1', private: false }]);
    expect(spec.machines.map((m) => m.interfaces)).toEqual([
      [{ name: 'eth0', network: 'local', address: '172.16.0.2', prefixLength: 24 }],
      [{ name: 'eth0', network: 'local', address: '172.16.0.3', prefixLength: 24 }],
    ]);
    expect(spec.machines[0].defaultRoute).toEqual({ interface: 'eth0', gateway: '172.16.0.1' });
  });

  it('keeps static addresses (with or without a mask), given gateways, and fills the rest with the first free ones', () => {
    const spec = specFrom(
      manifest(
        '[{ name: frontend, subnet: 10.0.1.0/24 }, { name: backend, subnet: 10.0.2.0/24, gateway: 10.0.2.254, private: true }]',
        '{ name: web, network: { interfaces: [{ network: frontend, address: 10.0.1.1 }, { network: backend }] } }',
        '{ name: db, network: { interfaces: [{ network: backend, address: 10.0.2.1/16 }] } }',
        '{ name: auto, network: { interfaces: [{ network: frontend }] } }',
      ),
    );
    expect(spec.networks).toEqual([
      // 10.0.1.1 is web's static address, so the gateway takes the next free one.
      { name: 'frontend', subnet: '10.0.1.0/24', gateway: '10.0.1.2', private: false },
      { name: 'backend', subnet: '10.0.2.0/24', gateway: '10.0.2.254', private: true },
    ]);
    const [web, db, auto] = spec.machines;
    expect(web.interfaces).toEqual([
      { name: 'eth0', network: 'frontend', address: '10.0.1.1', prefixLength: 24 },
      // Static addresses are reserved before automatic ones: db's later 10.0.2.1 stays db's.
      { name: 'eth1', network: 'backend', address: '10.0.2.2', prefixLength: 24 },
    ]);
    expect(db.interfaces).toEqual([{ name: 'eth0', network: 'backend', address: '10.0.2.1', prefixLength: 16 }]);
    expect(auto.interfaces).toEqual([{ name: 'eth0', network: 'frontend', address: '10.0.1.3', prefixLength: 24 }]);
  });

  it('routes out through the first non-private network, and not at all from private-only machines', () => {
    const spec = specFrom(
      manifest(
        '[{ name: lan, subnet: 192.168.178.0/24, private: true }, { name: wan, subnet: 10.0.0.0/16 }]',
        '{ name: gw, network: { interfaces: [{ network: lan }, { network: wan, address: 10.0.0.10 }] } }',
        '{ name: inner, network: { interfaces: [{ network: lan }] } }',
      ),
    );
    expect(spec.machines[0].defaultRoute).toEqual({ interface: 'eth1', gateway: '10.0.0.1' });
    expect(spec.machines[1].defaultRoute).toBeUndefined();
  });

  it('puts a machine without interfaces, or an interface without a network, on the only network', () => {
    const spec = specFrom(manifest('[{ name: lab, subnet: 10.9.0.0/24 }]', '{ name: a }', '{ name: b, network: { interfaces: [{ address: 10.9.0.9 }] } }'));
    expect(spec.machines.map((m) => m.interfaces[0])).toEqual([
      { name: 'eth0', network: 'lab', address: '10.9.0.2', prefixLength: 24 },
      { name: 'eth0', network: 'lab', address: '10.9.0.9', prefixLength: 24 },
    ]);
  });

  it('refuses addresses outside the subnet, on its edges, or taken twice, naming both fields', () => {
    expect(
      problems(
        manifest(
          '[{ name: n, subnet: 10.0.0.0/24, gateway: 10.0.0.5 }]',
          '{ name: a, network: { interfaces: [{ network: n, address: 10.0.1.5 }] } }',
          '{ name: b, network: { interfaces: [{ network: n, address: 10.0.0.0 }] } }',
          '{ name: c, network: { interfaces: [{ network: n, address: 10.0.0.255/24 }] } }',
          '{ name: d, network: { interfaces: [{ network: n, address: 10.0.0.5 }] } }',
          '{ name: e, network: { interfaces: [{ network: n, address: 10.0.0.7 }] } }',
        ),
      ),
    ).toEqual([
      "net.yaml: playground.machines[0].network.interfaces[0].address: 10.0.1.5 is outside the network's subnet 10.0.0.0/24",
      "net.yaml: playground.machines[1].network.interfaces[0].address: 10.0.0.0 is the subnet's network address; expected a host address of 10.0.0.0/24",
      "net.yaml: playground.machines[2].network.interfaces[0].address: 10.0.0.255/24 is the subnet's broadcast address; expected a host address of 10.0.0.0/24",
      'net.yaml: playground.machines[3].network.interfaces[0].address: 10.0.0.5 is already taken by playground.networks[0].gateway',
    ]);
    expect(
      problems(
        manifest(
          undefined,
          '{ name: a, network: { interfaces: [{ network: local, address: 172.16.0.9 }] } }',
          '{ name: b, network: { interfaces: [{ network: local, address: 172.16.0.9 }] } }',
        ),
      ),
    ).toEqual([
      'net.yaml: playground.machines[1].network.interfaces[0].address: 172.16.0.9 is already taken by playground.machines[0].network.interfaces[0].address',
    ]);
    expect(problems(manifest('[{ name: n, subnet: 10.0.0.0/24, gateway: 10.0.1.1 }]', '{ name: a }'))).toEqual([
      "net.yaml: playground.networks[0].gateway: 10.0.1.1 is outside the network's subnet 10.0.0.0/24",
    ]);
  });

  it('refuses duplicate and unknown networks, a network twice on one machine, and a missing network among several', () => {
    expect(problems(manifest('[{ name: n, subnet: 10.0.0.0/24 }, { name: n, subnet: 10.1.0.0/24 }]', '{ name: a }'))).toEqual([
      'net.yaml: playground.networks[1].name: duplicate network name "n" (also playground.networks[0])',
    ]);
    expect(problems(manifest('[{ name: n, subnet: 10.0.0.0/24 }]', '{ name: a, network: { interfaces: [{ network: m }] } }'))).toEqual([
      'net.yaml: playground.machines[0].network.interfaces[0].network: unknown network "m" (expected one of n)',
    ]);
    expect(problems(manifest('[{ name: n, subnet: 10.0.0.0/24 }]', '{ name: a, network: { interfaces: [{ network: n }, { network: n }] } }'))).toEqual([
      'net.yaml: playground.machines[0].network.interfaces[1].network: machine "a" is already on network "n" through interfaces[0]; expected one interface per network',
    ]);
    expect(problems(manifest('[{ name: n, subnet: 10.0.0.0/24 }, { name: m, subnet: 10.1.0.0/24 }]', '{ name: a, network: { interfaces: [{}] } }'))).toEqual([
      'net.yaml: playground.machines[0].network.interfaces[0].network: required when the playground has several networks (expected one of n, m)',
    ]);
  });

  it('refuses subnets that are malformed, have host bits, are too small or large, reserved, or overlap', () => {
    expect(problems(manifest('[{ name: n, subnet: 10.0.0.0 }]', '{ name: a }'))).toEqual([
      'net.yaml: playground.networks[0].subnet: expected an IPv4 CIDR like "10.0.1.0/24", got "10.0.0.0"',
    ]);
    expect(problems(manifest('[{ name: n, subnet: 10.0.0.5/24 }]', '{ name: a }'))).toEqual([
      'net.yaml: playground.networks[0].subnet: expected the network address 10.0.0.0/24, got "10.0.0.5/24" (host bits set)',
    ]);
    expect(
      problems(manifest('[{ name: n, subnet: 10.0.0.0/31 }, { name: m, subnet: 10.0.0.0/7 }]', '{ name: a, network: { interfaces: [{ network: n }] } }')),
    ).toEqual([
      'net.yaml: playground.networks[0].subnet: expected a prefix length between /8 and /30, got "10.0.0.0/31"',
      'net.yaml: playground.networks[1].subnet: expected a prefix length between /8 and /30, got "10.0.0.0/7"',
    ]);
    expect(problems(manifest('[{ name: n, subnet: 127.0.0.0/24 }]', '{ name: a }'))).toEqual([
      'net.yaml: playground.networks[0].subnet: 127.0.0.0/24 lies in loopback (127.0.0.0/8); expected a private range such as 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16',
    ]);
    expect(problems(manifest('[{ name: n, subnet: 10.0.0.0/16 }, { name: m, subnet: 10.0.5.0/24 }]', '{ name: a }'))).toEqual([
      'net.yaml: playground.networks[1].subnet: 10.0.5.0/24 overlaps playground.networks[0] 10.0.0.0/16; networks need separate subnets',
    ]);
    expect(problems(manifest('[{ name: n, subnet: 10.0.0.0/24, gateway: 10.0.0.1/24 }]', '{ name: a }'))).toEqual([
      'net.yaml: playground.networks[0].gateway: expected a plain IPv4 address (no mask) like "10.0.1.1", got "10.0.0.1/24"',
    ]);
    expect(problems(manifest('[{ name: n, subnet: 10.0.0.0/24 }]', '{ name: a, network: { interfaces: [{ network: n, address: 10.0.0.300 }] } }'))).toEqual([
      'net.yaml: playground.machines[0].network.interfaces[0].address: expected an IPv4 address like "10.0.1.10" or "10.0.1.10/24", got "10.0.0.300"',
    ]);
  });

  it('says when a subnet runs out of addresses', () => {
    // A /30 has two host addresses: the gateway and one machine.
    expect(problems(manifest('[{ name: n, subnet: 10.0.0.0/30 }]', '{ name: a }', '{ name: b }'))).toEqual([
      'net.yaml: playground.machines[1].network: no free address left in network "n" (10.0.0.0/30); expected a larger subnet',
    ]);
  });

  it('plans the same addresses every time (the agent rebuilds specs after a restart)', () => {
    const text = manifest('[{ name: n, subnet: 10.0.0.0/24 }]', '{ name: a }', '{ name: b, network: { interfaces: [{ network: n, address: 10.0.0.2 }] } }');
    const m = loadManifestText(text, 'x');
    expect(planNetworks(m).plan).toEqual(planNetworks(m).plan);
    expect(planNetworks(m).plan.interfaces.get('a')?.[0].address).toBe('10.0.0.3');
  });
});
