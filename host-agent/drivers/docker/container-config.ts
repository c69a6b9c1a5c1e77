// Engine objects for one playground, as plain data: names, labels, and the create options
// of machine and registry containers. Pure, so the shape is unit-tested without an engine.
import type Docker from 'dockerode';
import type { MachineNeeds } from '../../images/recipe';
import { REGISTRY_HOST } from '../../images/catalog';
import type { MachineSpec } from '../protocol';
import { hostAddress } from './subnets';

export const LABEL = {
  playground: 'sandlot.playground',
  machine: 'sandlot.machine',
  role: 'sandlot.role',
  subnet: 'sandlot.subnet',
} as const;

export const REGISTRY_ADDRESS_OFFSET = 2;
const MACHINE_ADDRESS_OFFSET = 10;

export function networkName(playground: string): string {
  return `sandlot-${playground}`;
}

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

/** A machine's fixed address: from its index, so it is known before the container exists. */
export function machineAddress(subnet: string, index: number): string {
  return hostAddress(subnet, MACHINE_ADDRESS_OFFSET + index);
}

export function networkCreateOptions(playground: string, subnet: string): Docker.NetworkCreateOptions {
  return {
    Name: networkName(playground),
    Driver: 'bridge',
    CheckDuplicate: true,
    Labels: { [LABEL.playground]: playground, [LABEL.subnet]: subnet },
    IPAM: { Driver: 'default', Config: [{ Subnet: subnet, Gateway: hostAddress(subnet, 1) }] },
  };
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

export function machineCreateOptions(
  playground: string,
  machine: MachineSpec,
  image: string,
  needs: Required<MachineNeeds>,
  subnet: string,
): Docker.ContainerCreateOptions {
  const net = networkName(playground);
  const hostConfig: Docker.HostConfig = {
    NetworkMode: net,
    Memory: machine.resources.ramBytes,
    // Same as Memory: no swap beyond the limit, so the limit means what the manifest says.
    MemorySwap: machine.resources.ramBytes,
    NanoCpus: machine.resources.cpuCount * 1e9,
    RestartPolicy: { Name: 'no' },
    Mounts: needs.volumes.map((target) => ({ Type: 'volume' as const, Source: volumeName(playground, machine.name, target), Target: target })),
    ...(needs.privileged ? privilegedHostConfig() : {}),
  };
  return {
    name: containerName(playground, machine.name),
    Hostname: machine.name,
    Image: image,
    Labels: { [LABEL.playground]: playground, [LABEL.machine]: machine.name, [LABEL.role]: 'machine' },
    StopTimeout: 10,
    HostConfig: hostConfig,
    NetworkingConfig: {
      EndpointsConfig: {
        [net]: { Aliases: [machine.name], IPAMConfig: { IPv4Address: machineAddress(subnet, machine.index) } },
      },
    },
  };
}

export function registryCreateOptions(playground: string, image: string, subnet: string, auth?: string): Docker.ContainerCreateOptions {
  const net = networkName(playground);
  return {
    name: registryName(playground),
    Hostname: 'registry',
    Image: image,
    Env: auth ? [`SANDLOT_REGISTRY_AUTH=${auth}`] : [],
    Labels: { [LABEL.playground]: playground, [LABEL.role]: 'registry' },
    StopTimeout: 5,
    HostConfig: { NetworkMode: net, Memory: 256 * 1024 ** 2, RestartPolicy: { Name: 'no' } },
    NetworkingConfig: {
      EndpointsConfig: {
        [net]: { Aliases: [REGISTRY_HOST], IPAMConfig: { IPv4Address: hostAddress(subnet, REGISTRY_ADDRESS_OFFSET) } },
      },
    },
  };
}
