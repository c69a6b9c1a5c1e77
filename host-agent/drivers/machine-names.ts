// The names every machine of a playground resolves for its neighbours, as /etc/hosts
// lines: `<machine>.<network>` for each of a machine's interfaces, and the bare
// `<machine>` for the address a neighbour can actually reach (the first network, in the
// target's interface order, that both share; else the target's eth0). Written into every
// machine by each driver (its own hosts file, or the engine's extra hosts), so the names
// are the same whatever the driver and whether a DNS server is there or not.
import type { InterfaceSpec, MachineSpec, PlaygroundSpec } from './protocol';

export interface HostsEntry {
  address: string;
  names: string[];
}

/** The address a driver really gives an interface (the docker driver may move the default network). */
export type AddressOf = (machine: MachineSpec, itf: InterfaceSpec) => string;

const asPlanned: AddressOf = (_m, itf) => itf.address;

/** The host entries machine `viewer` sees: one per address, names in a stable order. */
export function machineHostsEntries(spec: PlaygroundSpec, viewer: MachineSpec, addressOf: AddressOf = asPlanned): HostsEntry[] {
  const viewerNetworks = new Set(viewer.interfaces.map((i) => i.network));
  const byAddress = new Map<string, string[]>();
  const add = (address: string, name: string) => {
    const names = byAddress.get(address) ?? [];
    if (!names.includes(name)) names.push(name);
    byAddress.set(address, names);
  };
  for (const m of spec.machines) {
    if (m.interfaces.length === 0) continue;
    const reachable = m.interfaces.find((i) => viewerNetworks.has(i.network)) ?? m.interfaces[0];
    add(addressOf(m, reachable), m.name);
    for (const itf of m.interfaces) add(addressOf(m, itf), `${m.name}.${itf.network}`);
  }
  return [...byAddress].map(([address, names]) => ({ address, names }));
}

/** A whole /etc/hosts for the viewer: localhost first, then its neighbours, then `extra` (e.g. the registry's names). */
export function hostsFile(entries: readonly HostsEntry[]): string {
  const lines = ['127.0.0.1 localhost', '::1 localhost ip6-localhost ip6-loopback'];
  for (const e of entries) lines.push(`${e.address} ${e.names.join(' ')}`);
  return lines.join('\n') + '\n';
}
