// Engine objects for one playground, as plain data: names, labels, and the create options
// of machine and registry containers. Pure, so the shape is unit-tested without an engine.
import type Docker from 'dockerode';
import type { MachineNeeds } from '../../images/recipe';
import { REGISTRY_HOSTS } from '../../images/catalog';
import type { MachineSpec } from '../protocol';
import { bridgeName } from './bridge-rules';
import type { DockerDrives } from './drives';
import { engineNetwork, interfaceAddress, type DockerLayout, type DockerNetwork } from './network-layout';

export const LABEL = {
  playground: 'sandlot.playground',
  machine: 'sandlot.machine',
  role: 'sandlot.role',
  subnet: 'sandlot.subnet',
  network: 'sandlot.network',
} as const;

export function containerName(playground: string, machine: string): string {
  return `sandlot-${playground}-${machine}`;
}

export function registryName(playground: string): string {
  return `sandlot-${playground}-registry`;
}

export function volumeName(playground: string, machine: string, mountPath: string): string {
  const slug = mountPath.replace(/^\/+/, '').replace(/[^a-zA-Z0-9]+/g, '-');
  return `sandlot-${playground}-${machine}-${slug}`;
}

export function networkCreateOptions(playground: string, n: DockerNetwork): Docker.NetworkCreateOptions {
  return {
    Name: n.name,
    Driver: 'bridge',
    CheckDuplicate: true,
    // Private: no NAT and no gateway route in the containers (the engine's isolation rules drop what leaves the bridge).
    Internal: n.internal,
    Labels: { [LABEL.playground]: playground, [LABEL.network]: n.network, [LABEL.subnet]: n.subnet },
    Options: { 'com.docker.network.bridge.name': bridgeName(n.name) },
    IPAM: { Driver: 'default', Config: [{ Subnet: n.subnet, Gateway: n.gateway }] },
  };
}

/** One network attachment of a container: its address there and the names the engine's DNS gives it. */
export interface Attachment {
  network: string;
  config: Docker.EndpointSettings;
}

/**
 * What an engine or kubelet inside a machine needs. `Privileged` itself fails on hosts
 * where root lacks CAP_SYS_RESOURCE (as here), so grant the same piecewise minus that one.
 */
export function privilegedHostConfig(): Partial<Docker.HostConfig> {
  return {
    CapAdd: ['ALL'],
    CapDrop: ['SYS_RESOURCE'],
    SecurityOpt: ['seccomp=unconfined', 'apparmor=unconfined'],
    // The CLI's `systempaths=unconfined` is these two empty lists in the API.
    MaskedPaths: [],
    ReadonlyPaths: [],
    DeviceCgroupRules: ['a *:* rwm'],
    Binds: ['/sys/fs/cgroup:/sys/fs/cgroup:rw'],
  };
}

export interface MachineOptions {
  image: string;
  needs: Required<MachineNeeds>;
  layout: DockerLayout;
  /** The playground's names (hosts-file.ts) → addresses on the engine, as the engine's extra hosts. */
  hosts: Record<string, string>;
  /** Resolvers the engine's DNS forwards outside names to (default: the host's). */
  dns?: string[];
  drives: DockerDrives;
}

/**
 * A machine container. The engine takes one network at create (API 1.41); `attachments`
 * gives every network in the machine's interface order, the first in the create options
 * and the rest to connect before the first start.
 */
export function machineCreateOptions(
  playground: string,
  machine: MachineSpec,
  o: MachineOptions,
): Docker.ContainerCreateOptions & { attachments: Attachment[] } {
  const attachments = machine.interfaces.map((itf) => ({
    network: engineNetwork(o.layout, itf.network).name,
    config: { Aliases: [machine.name, `${machine.name}.${itf.network}`], IPAMConfig: { IPv4Address: interfaceAddress(o.layout, machine, itf) } },
  }));
  const hostConfig: Docker.HostConfig = {
    NetworkMode: attachments[0].network,
    Memory: machine.resources.ramBytes,
    // Same as Memory: no swap beyond the limit, so the limit means what the manifest says.
    MemorySwap: machine.resources.ramBytes,
    NanoCpus: machine.resources.cpuCount * 1e9,
    RestartPolicy: { Name: 'no' },
    Mounts: [
      ...o.needs.volumes.map((target) => ({ Type: 'volume' as const, Source: volumeName(playground, machine.name, target), Target: target })),
      ...o.drives.volumes.map((v) => ({ Type: 'volume' as const, Source: v.name, Target: v.target, ReadOnly: v.readOnly })),
    ],
    // Root of a lab machine configures its own interfaces, routes and firewall (in its own network namespace only).
    CapAdd: ['NET_ADMIN'],
    // A machine on several networks can route between them, as the lab VMs of a routing exercise do
    // (/proc/sys is read-only in a container, so it is set here, not by the machine).
    ...(machine.interfaces.length > 1 ? { Sysctls: { 'net.ipv4.ip_forward': '1' } } : {}),
    // Its own bare name the engine writes itself (a second line would make lookups return it twice).
    ExtraHosts: Object.entries(o.hosts)
      .filter(([name]) => name !== machine.name)
      .map(([name, address]) => `${name}:${address}`),
    ...(o.dns?.length ? { Dns: o.dns } : {}),
    ...(o.drives.rootSizeBytes ? { StorageOpt: { size: String(o.drives.rootSizeBytes) } } : {}),
    ...(o.needs.privileged ? privilegedHostConfig() : {}),
  };
  return {
    name: containerName(playground, machine.name),
    Hostname: machine.name,
    Image: o.image,
    Labels: { [LABEL.playground]: playground, [LABEL.machine]: machine.name, [LABEL.role]: 'machine' },
    StopTimeout: 10,
    HostConfig: hostConfig,
    NetworkingConfig: { EndpointsConfig: { [attachments[0].network]: attachments[0].config } },
    attachments,
  };
}

/** The playground registry, on every network where an address is free, under every registry name. */
export function registryCreateOptions(
  playground: string,
  image: string,
  layout: DockerLayout,
  auth?: string,
): Docker.ContainerCreateOptions & { attachments: Attachment[] } {
  const attachments = layout.networks
    .filter((n) => n.registry !== undefined)
    .map((n) => ({ network: n.name, config: { Aliases: [...REGISTRY_HOSTS], IPAMConfig: { IPv4Address: n.registry } } }));
  if (attachments.length === 0) throw new Error('docker driver: no network of the playground has a free address for its registry');
  return {
    name: registryName(playground),
    Hostname: 'registry',
    Image: image,
    Env: auth ? [`SANDLOT_REGISTRY_AUTH=${auth}`] : [],
    Labels: { [LABEL.playground]: playground, [LABEL.role]: 'registry' },
    StopTimeout: 5,
    HostConfig: {
      NetworkMode: attachments[0].network,
      Memory: 256 * 1024 ** 2,
      RestartPolicy: { Name: 'no' },
      // On several networks, and never a way between them.
      Sysctls: { 'net.ipv4.ip_forward': '0' },
    },
    NetworkingConfig: { EndpointsConfig: { [attachments[0].network]: attachments[0].config } },
    attachments,
  };
}
