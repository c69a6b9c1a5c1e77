// A playground's networks and every machine's interfaces, with the defaults iximiuz Labs
// documents: no networks → one `local` 172.16.0.0/24; a gateway is the first free address
// of its subnet unless given; an interface takes its static address (with or without a
// mask) or the first free one; the default route leaves through the first non-private
// network a machine is on. Static addresses are reserved before anything is picked, so
// a later static address never collides with an earlier automatic one.
import type { InterfaceSpec, NetworkSpec } from '../drivers/protocol';
import { broadcast, contains, formatIpv4, formatNet, mask, overlaps, parseAddress, parseIpv4, size, type Ipv4Net } from './ipv4';
import type { NetworkManifest, PlaygroundManifest } from './schema';

export const DEFAULT_NETWORK: Readonly<NetworkManifest> = { name: 'local', subnet: '172.16.0.0/24' };

/** Smallest and largest subnets: a /30 holds a gateway and one machine; a /8 is already more than 5 machines need. */
const MIN_PREFIX = 8;
const MAX_PREFIX = 30;

/** Ranges that are never a playground's own: "this" network, loopback, link-local, multicast and reserved. */
const RESERVED: { net: Ipv4Net; what: string }[] = [
  { net: { base: parseIpv4('0.0.0.0')!, prefixLength: 8 }, what: '"this network" (0.0.0.0/8)' },
  { net: { base: parseIpv4('127.0.0.0')!, prefixLength: 8 }, what: 'loopback (127.0.0.0/8)' },
  { net: { base: parseIpv4('169.254.0.0')!, prefixLength: 16 }, what: 'link-local (169.254.0.0/16)' },
  { net: { base: parseIpv4('224.0.0.0')!, prefixLength: 3 }, what: 'multicast and reserved (224.0.0.0/3)' },
];

export interface DefaultRoute {
  /** `eth0`, `eth1`, … */
  interface: string;
  gateway: string;
}

export interface NetworkPlan {
  networks: NetworkSpec[];
  /** By machine name, in the manifest's interface order. */
  interfaces: Map<string, InterfaceSpec[]>;
  /** By machine name; absent for a machine only on private networks. */
  defaultRoutes: Map<string, DefaultRoute>;
}

interface PlannedNetwork {
  spec: Omit<NetworkSpec, 'gateway'> & { gateway?: string };
  net: Ipv4Net;
  /** False when the subnet itself was refused: nothing is checked or allocated in it. */
  valid: boolean;
  /** Taken addresses → the field that took them (for collision messages). */
  taken: Map<number, string>;
}

interface PendingInterface {
  machine: string;
  spec: Omit<InterfaceSpec, 'address'> & { address?: string };
  network: PlannedNetwork;
  field: string;
}

/**
 * Plans the networks of a (schema-valid) manifest. Every problem is one line that names
 * the field; `plan` is only complete when `problems` is empty.
 */
export function planNetworks(manifest: PlaygroundManifest): { plan: NetworkPlan; problems: string[] } {
  const problems: string[] = [];
  const declared = manifest.playground.networks;
  const networks: PlannedNetwork[] = [];
  const byName = new Map<string, PlannedNetwork>();

  (declared ?? [DEFAULT_NETWORK]).forEach((n, i) => {
    const field = `playground.networks[${i}]`;
    const parsed = parseAddress(n.subnet)!;
    const net: Ipv4Net = { base: parsed.address, prefixLength: parsed.prefixLength! };
    const planned: PlannedNetwork = { spec: { name: n.name, subnet: n.subnet, private: n.private ?? false }, net, valid: true, taken: new Map() };
    if (byName.has(n.name))
      problems.push(`${field}.name: duplicate network name "${n.name}" (also playground.networks[${networks.indexOf(byName.get(n.name)!)}])`);
    const before = problems.length;
    if (net.prefixLength < MIN_PREFIX || net.prefixLength > MAX_PREFIX) {
      problems.push(`${field}.subnet: expected a prefix length between /${MIN_PREFIX} and /${MAX_PREFIX}, got ${JSON.stringify(n.subnet)}`);
    } else if ((net.base & mask(net.prefixLength)) >>> 0 !== net.base) {
      const base = (net.base & mask(net.prefixLength)) >>> 0;
      problems.push(`${field}.subnet: expected the network address ${formatIpv4(base)}/${net.prefixLength}, got ${JSON.stringify(n.subnet)} (host bits set)`);
    } else {
      const reserved = RESERVED.find((r) => overlaps(r.net, net));
      if (reserved)
        problems.push(`${field}.subnet: ${n.subnet} lies in ${reserved.what}; expected a private range such as 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16`);
      const clash = networks.find((o) => overlaps(o.net, net));
      if (clash)
        problems.push(
          `${field}.subnet: ${n.subnet} overlaps playground.networks[${networks.indexOf(clash)}] ${formatNet(clash.net)}; networks need separate subnets`,
        );
    }
    planned.valid = problems.length === before;
    if (planned.valid && n.gateway !== undefined) {
      const gw = parseIpv4(n.gateway)!;
      const why = hostProblem(net, gw);
      if (why) problems.push(`${field}.gateway: ${n.gateway} ${why}`);
      else {
        planned.spec.gateway = n.gateway;
        planned.taken.set(gw, `${field}.gateway`);
      }
    }
    networks.push(planned);
    if (!byName.has(n.name)) byName.set(n.name, planned);
  });

  // Interfaces: check and reserve static addresses first, remember the rest.
  const pending: PendingInterface[] = [];
  manifest.playground.machines.forEach((m, i) => {
    const given = m.network?.interfaces;
    const interfaces = given ?? [{ network: networks[0].spec.name }];
    const onNetworks = new Map<string, number>();
    interfaces.forEach((itf, k) => {
      const field = given ? `playground.machines[${i}].network.interfaces[${k}]` : `playground.machines[${i}].network`;
      const name = itf.network ?? (networks.length === 1 ? networks[0].spec.name : undefined);
      if (name === undefined) {
        problems.push(`${field}.network: required when the playground has several networks (expected one of ${[...byName.keys()].join(', ')})`);
        return;
      }
      const network = byName.get(name);
      if (!network) {
        problems.push(`${field}.network: unknown network "${name}" (expected one of ${[...byName.keys()].join(', ')})`);
        return;
      }
      const dup = onNetworks.get(name);
      if (dup !== undefined) {
        problems.push(`${field}.network: machine "${m.name}" is already on network "${name}" through interfaces[${dup}]; expected one interface per network`);
        return;
      }
      onNetworks.set(name, k);
      if (!network.valid) return;
      const entry: PendingInterface = { machine: m.name, spec: { name: `eth${k}`, network: name, prefixLength: network.net.prefixLength }, network, field };
      if (itf.address !== undefined) {
        const parsed = parseAddress(itf.address)!;
        const why = hostProblem(network.net, parsed.address);
        if (why) {
          problems.push(`${field}.address: ${itf.address} ${why}`);
          return;
        }
        const owner = network.taken.get(parsed.address);
        if (owner) {
          problems.push(`${field}.address: ${formatIpv4(parsed.address)} is already taken by ${owner}`);
          return;
        }
        network.taken.set(parsed.address, `${field}.address`);
        entry.spec.address = formatIpv4(parsed.address);
        entry.spec.prefixLength = parsed.prefixLength ?? network.net.prefixLength;
      }
      pending.push(entry);
    });
  });

  // Then the automatic ones: gateways first (as iximiuz Labs documents them), then interfaces in manifest order.
  for (const n of networks) {
    if (n.spec.gateway !== undefined || !n.valid) continue;
    const free = firstFree(n);
    if (free === undefined) problems.push(`playground.networks[${networks.indexOf(n)}].gateway: no free address left in ${n.spec.subnet} for the gateway`);
    else {
      n.spec.gateway = formatIpv4(free);
      n.taken.set(free, `playground.networks[${networks.indexOf(n)}].gateway`);
    }
  }
  for (const p of pending) {
    if (p.spec.address !== undefined) continue;
    const free = firstFree(p.network);
    if (free === undefined) {
      problems.push(`${p.field}: no free address left in network "${p.network.spec.name}" (${p.network.spec.subnet}); expected a larger subnet`);
      continue;
    }
    p.network.taken.set(free, `${p.field} (automatic)`);
    p.spec.address = formatIpv4(free);
  }

  const plan: NetworkPlan = {
    networks: networks.map((n) => ({ ...n.spec, gateway: n.spec.gateway ?? '' })),
    interfaces: new Map(manifest.playground.machines.map((m) => [m.name, []])),
    defaultRoutes: new Map(),
  };
  for (const p of pending) plan.interfaces.get(p.machine)?.push({ ...p.spec, address: p.spec.address ?? '' });
  for (const [machine, interfaces] of plan.interfaces) {
    const out = interfaces.find((itf) => !byName.get(itf.network)!.spec.private);
    if (out) plan.defaultRoutes.set(machine, { interface: out.name, gateway: byName.get(out.network)!.spec.gateway ?? '' });
  }
  return { plan, problems };
}

/** Why an address cannot be a host of the subnet, or undefined when it can. */
function hostProblem(net: Ipv4Net, address: number): string | undefined {
  if (!contains(net, address)) return `is outside the network's subnet ${formatNet(net)}`;
  if (address === net.base) return `is the subnet's network address; expected a host address of ${formatNet(net)}`;
  if (address === broadcast(net)) return `is the subnet's broadcast address; expected a host address of ${formatNet(net)}`;
  return undefined;
}

function firstFree(n: PlannedNetwork): number | undefined {
  for (let a = n.net.base + 1; a < n.net.base + size(n.net) - 1; a++) if (!n.taken.has(a)) return a;
  return undefined;
}
