// How a playground's networks become Docker bridge networks. Docker networks live in the
// host's one address space (the engine refuses two with overlapping subnets, and the host
// routes each subnet to its bridge), so:
// - subnets the manifest declares (or the default `local` one, when a machine asks for a
//   static address in it) are used exactly as written; when another engine network or a
//   host route already covers them, creation fails with one line that says who has it —
//   never a silently different subnet;
// - the default `local` network nobody asked anything of moves to a free subnet of the
//   driver's pool, every address keeping its host part (172.16.0.2 → 10.213.7.2), so two
//   playgrounds of one template can run side by side.
// Pure: the engine and host facts come in as arguments.
import type { InterfaceSpec, MachineSpec, NetworkSpec, PlaygroundSpec } from '../protocol';
import { formatCidr, formatIpv4, overlaps, parseCidr, parseIpv4, pickSubnet } from './subnets';

export interface DockerNetwork {
  /** The playground network (NetworkSpec name). */
  network: string;
  /** Engine object name: `sandlot-<pg>-<network>`. */
  name: string;
  /** The subnet the bridge really has (the manifest's, or the pool's for a moved default network). */
  subnet: string;
  gateway: string;
  /** `private: true`: an internal network (no NAT, no default route, no outside DNS). */
  internal: boolean;
  /** The playground registry's address on it; absent when the subnet has no free address left. */
  registry?: string;
}

/** What the driver keeps per playground (`<dir>/driver/docker.json`). */
export interface DockerLayout {
  networks: DockerNetwork[];
  /** Set when the default network moved into the pool: the manifest's subnet and the real one. */
  moved?: { from: string; to: string };
}

/** A subnet some engine network or host route already covers, with who holds it (for the error). */
export interface UsedRange {
  cidr: string;
  owner: string;
}

export function dockerNetworkName(playground: string, network: string): string {
  return `sandlot-${playground}-${network}`;
}

/**
 * True when the playground only has the implicit default network and no machine asks for
 * a static address in it: nothing the manifest said depends on that subnet.
 */
export function defaultNetworkMovable(spec: PlaygroundSpec): boolean {
  if (spec.manifest.playground.networks !== undefined) return false;
  return spec.manifest.playground.machines.every((m) => !(m.network?.interfaces ?? []).some((i) => i.address !== undefined));
}

/** The field a network's subnet comes from, for messages. */
function subnetField(spec: PlaygroundSpec, index: number): string {
  return spec.manifest.playground.networks ? `playground.networks[${index}].subnet` : `the default network "${spec.networks[index].name}"`;
}

/**
 * Plans the engine networks. Throws one line per network whose subnet is taken, naming the
 * field, the subnet, who holds it and what to do.
 */
export function planLayout(spec: PlaygroundSpec, used: readonly UsedRange[], pool: string, movable = defaultNetworkMovable(spec)): DockerLayout {
  const problems: string[] = [];
  let moved: DockerLayout['moved'];
  const networks = spec.networks.map((n, i): DockerNetwork => {
    let subnet = formatCidr(parseCidr(n.subnet));
    if (movable) {
      const to = pickSubnet(
        spec.id,
        used.map((u) => u.cidr),
        pool,
        parseCidr(n.subnet).bits,
      );
      moved = { from: subnet, to };
      subnet = to;
    } else {
      const clash = used.find((u) => overlaps(parseCidr(u.cidr), parseCidr(subnet)));
      if (clash) {
        problems.push(
          `docker driver: ${subnetField(spec, i)} ${n.subnet} overlaps ${clash.owner} (${clash.cidr}): Docker networks share the host's address space, so no two of them can hold one subnet; destroy that playground, give this network another subnet, or use the microvm or sandbox driver (each playground has a network namespace of its own there)`,
        );
      }
    }
    const layout: DockerNetwork = { network: n.name, name: dockerNetworkName(spec.id, n.name), subnet, gateway: '', internal: n.private };
    return layout;
  });
  if (problems.length > 0) throw new Error(problems.join('\n'));
  const out: DockerLayout = { networks, ...(moved ? { moved } : {}) };
  for (const [i, n] of spec.networks.entries()) {
    networks[i].gateway = moveAddress(out, n.gateway);
    networks[i].registry = registryAddress(spec, out, n);
  }
  return out;
}

/** An address of the manifest as it is on the engine (moved with the default network, else unchanged). */
export function moveAddress(layout: DockerLayout, address: string): string {
  if (!layout.moved) return address;
  const from = parseCidr(layout.moved.from);
  const to = parseCidr(layout.moved.to);
  return formatIpv4(to.base + (parseIpv4(address) - from.base));
}

/** The engine address of one interface of a machine. */
export function interfaceAddress(layout: DockerLayout, _m: MachineSpec, itf: InterfaceSpec): string {
  return moveAddress(layout, itf.address);
}

/** The engine network of a playground network. */
export function engineNetwork(layout: DockerLayout, network: string): DockerNetwork {
  const n = layout.networks.find((x) => x.network === network);
  if (!n) throw new Error(`docker driver: no engine network for playground network "${network}"`);
  return n;
}

/**
 * The registry takes the highest host address nothing else holds (the manifest's gateway
 * and interfaces count up from the bottom, so the top is the last to be taken).
 */
function registryAddress(spec: PlaygroundSpec, layout: DockerLayout, n: NetworkSpec): string | undefined {
  const net = parseCidr(n.subnet);
  const taken = new Set<number>([parseIpv4(n.gateway)]);
  for (const m of spec.machines) for (const itf of m.interfaces) if (itf.network === n.name) taken.add(parseIpv4(itf.address));
  const last = net.base + 2 ** (32 - net.bits) - 2;
  for (let a = last; a > net.base; a--) if (!taken.has(a)) return moveAddress(layout, formatIpv4(a));
  return undefined;
}
