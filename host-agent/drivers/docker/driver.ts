// The `docker` driver: every machine is a container on one bridge network per playground
// network (network-layout.ts), joined in interface order (network-script.ts renames them
// inside), running the image's init and a real sshd; plus one registry container per
// playground on every network. Non-private networks reach the outside through Docker's own
// NAT; private ones are internal networks. Extra drives are volumes (drives.ts). All
// through the Engine API (dockerode). Nothing is published on host interfaces: the agent
// reaches machines at their first interface's address.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Duplex } from 'node:stream';
import Docker from 'dockerode';
import type { MachineState } from '../../api/protocol';
import { DockerImageBuilder, type DockerImageBuilderOptions, type ImageProgress } from '../../images/docker-builder';
import { isOciSource } from '../../images/oci';
import { machineNeeds } from '../../images/recipe';
import { hostSizeProblems, imageProblems } from '../machine-checks';
import type { Driver, DriverContext, DoctorReport, MachineSnapshot, MachineSpec, PlaygroundSpec } from '../protocol';
import { MACHINE_PATHS } from '../../images/machine-scripts';
import { formatSize } from '../../manifests/sizes';
import { errorMessage } from '../../util/errors';
import { readOwnJson } from '../../util/json';
import { writeFileAtomicModeSync } from '../../util/files';
import { hostAddresses } from '../hosts-file';
import { LABEL, containerName, machineCreateOptions, networkCreateOptions, registryCreateOptions, registryName, type Attachment } from './container-config';
import { bridgeName, ensureBridgeRules, removeBridgeRules } from './bridge-rules';
import { doctorChecks } from './doctor';
import { dockerDrives } from './drives';
import { engineAddress, engineHostSize, pingEngine, statusCode, type EngineAddress } from './engine';
import { refreshMachineIdentity } from './identity';
import { machineFiles, tarFiles } from './machine-files';
import { defaultNetworkMovable, interfaceAddress, planLayout, type DockerLayout, type UsedRange } from './network-layout';
import { dockerNetworkScript } from './network-script';
import {
  commitMachine,
  copyVolume,
  machineRecordPath,
  ownLayerBytes,
  readMachineRecord,
  removeSnapshotObjects,
  SNAPSHOT_LABEL,
  snapshotIdOf,
  snapshotObjectsProblem,
  snapshotVolumeName,
  writeMachineRecord,
  type DockerMachineSnapshot,
} from './snapshots';
import { registryArchive, restoreRegistry, saveRegistry } from './registry-snapshot';
import { DEFAULT_POOL, routesFromProcNetRoute } from './subnets';

export interface DockerDriverOptions {
  /** Agent state directory; images' scratch space lives under it. */
  stateHome: string;
  /** DOCKER_HOST-style address; default: $DOCKER_HOST, else the standard socket. */
  dockerHost?: string;
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
  /** Pool the default network's subnet comes from (when the manifest leaves it to Sandlot). */
  subnetPool?: string;
  /** Resolvers the engine's DNS sends outside names to; default: SANDLOT_DNS_UPSTREAM, else the engine's choice (the host's). */
  dns?: string[];
  images?: Partial<DockerImageBuilderOptions>;
  /** How long a machine may take from start to an answering sshd. */
  readyTimeoutMs?: number;
}

/** What the driver remembers per playground, under `<dir>/driver/docker.json`. */
interface DriverState {
  layout: DockerLayout;
}

const REGISTRY_IMAGE = 'registry';

export class DockerDriver implements Driver {
  readonly name = 'docker' as const;
  readonly engine: Docker;
  readonly engineAt: EngineAddress;
  readonly images: DockerImageBuilder;
  /** Layouts planned by validate() before create() makes them (their subnets count as taken). */
  private readonly layouts = new Map<string, DockerLayout>();
  private readonly dns: string[] | undefined;

  constructor(private readonly options: DockerDriverOptions) {
    this.engineAt = engineAddress(options.dockerHost ?? process.env.DOCKER_HOST);
    this.engine = new Docker(this.engineAt.options);
    // Tests point machines at their stand-in internet's resolver (netns/dns-forwarder.ts reads the same variable).
    this.dns = options.dns ?? process.env.SANDLOT_DNS_UPSTREAM?.split(',').map((a) => a.trim());
    this.images = new DockerImageBuilder(this.engine, {
      cacheDir: path.join(options.stateHome, 'images'),
      ...options.images,
    });
  }

  describeIsolation(): string {
    return `containers on a Docker engine (${this.engineAt.display}): own network, PID, mount and UTS namespaces per machine, cgroup CPU/memory limits; the docker and k3s images run with all capabilities`;
  }

  async doctor(): Promise<DoctorReport> {
    const checks = await doctorChecks(this.engine, this.engineAt, this.images);
    return { driver: 'docker', usable: checks.filter((c) => c.required).every((c) => c.ok), checks: checks.map(({ required: _, ...c }) => c) };
  }

  async preflight(): Promise<void> {
    await pingEngine(this.engine, this.engineAt);
  }

  async validate(spec: PlaygroundSpec): Promise<void> {
    const host = await engineHostSize(this.engine);
    const problems = spec.machines.flatMap((m) => [
      ...(isOciSource(m.image) ? [] : imageProblems(m, this.images, 'docker')),
      ...hostSizeProblems(m, host, 'docker'),
      ...dockerDrives(spec.id, m).problems,
    ]);
    if (problems.length) throw new Error(problems.join('\n'));
    // Plan the networks now, so address() can tell machines' addresses before create (the
    // agent records them then) and a taken subnet fails before anything is made.
    await this.layoutOf(spec);
  }

  /** Builds every image the playground needs that the engine lacks, reporting progress. */
  async ensureImages(spec: PlaygroundSpec, ctx: DriverContext, machineImages = spec.machines.map((m) => m.image || 'linux')): Promise<Map<string, string>> {
    const names = [...new Set(machineImages), REGISTRY_IMAGE];
    const tags = new Map<string, string>();
    for (const name of names) {
      if (isOciSource(name)) {
        // Pulled every create: the tag may point at a new image since the last one.
        const step = `image ${name}`;
        ctx.progress(step, 'started', undefined, 'pulling the OCI image and adding the machine layer');
        try {
          const tag = await this.images.ensureOci(name, (_img, message) => ctx.progress(step, 'started', undefined, message));
          tags.set(name, tag);
          ctx.progress(step, 'done', undefined, tag);
        } catch (err) {
          ctx.progress(step, 'failed', undefined, errorMessage(err));
          throw err;
        }
        continue;
      }
      const image = await this.images.resolve(name);
      if (await this.images.exists(image.tag)) {
        tags.set(name, image.tag);
        continue;
      }
      const step = `image ${name}`;
      ctx.progress(step, 'started', undefined, `building ${image.tag} (first use of this recipe; takes a minute or two)`);
      const onProgress: ImageProgress = (img, message) => ctx.progress(step, 'started', undefined, `${img}: ${message}`);
      try {
        tags.set(name, await this.images.ensure(name, onProgress));
        ctx.progress(step, 'done', undefined, image.tag);
      } catch (err) {
        ctx.progress(step, 'failed', undefined, errorMessage(err));
        throw err;
      }
    }
    return tags;
  }

  create(spec: PlaygroundSpec, ctx: DriverContext): Promise<void> {
    return this.make(spec, ctx);
  }

  /** create(), or a fork when `from` gives each machine's part of a snapshot. */
  private async make(spec: PlaygroundSpec, ctx: DriverContext, from?: Map<string, DockerMachineSnapshot>, registryFrom?: string): Promise<void> {
    await this.preflight();
    await this.validate(spec);
    // A fork's machines run their snapshot's images; only the registry's is needed.
    const tags = await this.ensureImages(spec, ctx, from ? [] : undefined);

    ctx.progress('network', 'started');
    const layout = await this.layoutOf(spec);
    for (const n of layout.networks) await this.createNetwork(spec.id, n);
    this.saveState(spec, { layout });
    this.ensureRouting(layout, ctx);
    this.layouts.delete(spec.id);
    const moved = layout.moved ? ` (default network moved from ${layout.moved.from}: Docker networks share the host's addresses)` : '';
    ctx.progress('network', 'done', undefined, layout.networks.map((n) => `${n.network} ${n.subnet}${n.internal ? ' private' : ''}`).join(', ') + moved);

    const registry = (async () => {
      ctx.progress('registry', 'started');
      const options = registryCreateOptions(spec.id, tags.get(REGISTRY_IMAGE)!, layout, spec.manifest.playground.registryAuth);
      const c = await this.createAttached(options);
      if (registryFrom) await restoreRegistry(c, registryFrom);
      await c.start();
      ctx.progress('registry', 'done');
    })();

    await Promise.all([
      registry,
      ...spec.machines.map(async (m) => {
        ctx.progress('machine', 'started', m.name);
        try {
          const image = m.image || 'linux';
          const drives = dockerDrives(spec.id, m);
          for (const note of drives.notes) ctx.log('warn', note, m.name);
          if (m.kernel) {
            ctx.log(
              'warn',
              `playground.machines[${m.index}].kernel.source: ${m.kernel} is not available: containers share the host's kernel (${os.release()}) (docker driver)`,
              m.name,
            );
          }
          const part = from?.get(m.name);
          const options = machineCreateOptions(spec.id, m, {
            image: part ? part.tag : tags.get(image)!,
            needs: isOciSource(image) ? { privileged: false, volumes: [] } : machineNeeds(this.catalog(), image),
            layout,
            hosts: hostAddresses({
              machines: spec.machines.map((x) => ({ ...x, interfaces: x.interfaces.map((i) => ({ ...i, address: interfaceAddress(layout, x, i) })) })),
            }),
            dns: this.dns,
            drives,
          });
          const labels = { [LABEL.playground]: spec.id, [LABEL.machine]: m.name };
          for (const mount of options.HostConfig?.Mounts ?? []) {
            const drive = drives.volumes.find((v) => v.name === mount.Source);
            await this.createVolume(mount.Source, labels, drive?.sizeBytes, (msg) => ctx.log('warn', `${mount.Target}: ${msg}`, m.name));
            const saved = part?.volumes.find((v) => v.target === mount.Target);
            if (saved && part) await copyVolume(this.engine, part.tag, saved.volume, mount.Source, labels);
          }
          const container = await this.createAttached(options, (msg) => ctx.log('warn', msg, m.name));
          const files = [...machineFiles(spec, m, !!part), { path: MACHINE_PATHS.network, content: dockerNetworkScript(m, layout), mode: 0o755 }];
          await container.putArchive(await tarFiles(files), { path: '/' });
          await container.start();
          // The snapshot's first boot is done: a fork writes its own SSH identity over the original's, before it is ready.
          if (part) await runFirstBoot(container, m.name);
          await this.waitReady(spec, m);
          ctx.progress('machine', 'done', m.name);
        } catch (err) {
          ctx.progress('machine', 'failed', m.name, errorMessage(err));
          throw err;
        }
      }),
    ]);
  }

  /**
   * Creates a container on its first network and connects the others in order before its
   * first start. Where the engine cannot limit a root file system's size, it is made
   * without the limit and `warn` says so.
   */
  private async createAttached(
    options: Docker.ContainerCreateOptions & { attachments: Attachment[] },
    warn?: (message: string) => void,
  ): Promise<Docker.Container> {
    const { attachments, ...create } = options;
    let container: Docker.Container;
    try {
      container = await this.engine.createContainer(create);
    } catch (err) {
      const size = create.HostConfig?.StorageOpt?.size;
      if (!size || !/storage-opt|quota/i.test(errorMessage(err))) throw err;
      warn?.(`root drive size ${formatSize(Number(size))} is not enforced: ${errorMessage(err).trim()}`);
      const { StorageOpt: _, ...hostConfig } = create.HostConfig!;
      container = await this.engine.createContainer({ ...create, HostConfig: hostConfig });
    }
    for (const a of attachments.slice(1)) await this.engine.getNetwork(a.network).connect({ Container: container.id, EndpointConfig: a.config });
    return container;
  }

  /** A volume of the playground; with a size where the engine's storage has quotas, else without and `warn` says so. */
  private async createVolume(name: string, labels: Record<string, string>, sizeBytes: number | undefined, warn: (message: string) => void): Promise<void> {
    if (sizeBytes) {
      try {
        await this.engine.createVolume({ Name: name, Labels: labels, DriverOpts: { size: String(sizeBytes) } });
        return;
      } catch (err) {
        if (!/quota|size/i.test(errorMessage(err))) throw err;
        warn(`size ${formatSize(sizeBytes)} is not enforced: the engine's volume storage has no quotas here (${errorMessage(err).trim()})`);
      }
    }
    await this.engine.createVolume({ Name: name, Labels: labels });
  }

  async start(spec: PlaygroundSpec, ctx: DriverContext): Promise<void> {
    await this.preflight();
    // A host reboot forgets the firewall rule; the engine's networks are still there.
    this.ensureRouting(await this.layoutOf(spec), ctx);
    // The registry starts alongside the machines: nothing in a machine waits for it.
    await Promise.all([
      startIfStopped(this.engine.getContainer(registryName(spec.id))),
      ...spec.machines.map(async (m) => {
        ctx.progress('machine', 'started', m.name);
        await startIfStopped(this.engine.getContainer(containerName(spec.id, m.name)));
        await this.waitReady(spec, m);
        ctx.progress('machine', 'done', m.name);
      }),
    ]);
  }

  async stop(spec: PlaygroundSpec, ctx: DriverContext): Promise<void> {
    await this.preflight();
    await Promise.all(
      [...spec.machines.map((m) => containerName(spec.id, m.name)), registryName(spec.id)].map(async (name) => {
        try {
          await this.engine.getContainer(name).stop({ t: 10 });
        } catch (err) {
          const code = statusCode(err);
          // 304: already stopped; 404: gone (destroy will tidy up the rest).
          if (code !== 304 && code !== 404) throw err;
          if (code === 404) ctx.log('warn', `docker driver: container ${name} is missing`);
        }
      }),
    );
  }

  async destroy(spec: PlaygroundSpec, _ctx: DriverContext): Promise<void> {
    await this.preflight();
    const filters = JSON.stringify({ label: [`${LABEL.playground}=${spec.id}`] });
    const containers = await this.engine.listContainers({ all: true, filters });
    await Promise.all(containers.map((c) => ignore404(this.engine.getContainer(c.Id).remove({ force: true, v: true }))));
    const networks = await this.engine.listNetworks({ filters });
    for (const n of networks) await ignore404(this.engine.getNetwork(n.Id).remove());
    if (this.engineIsLocal()) removeBridgeRules(networks.map((n) => bridgeName(n.Name)));
    const volumes = (await this.engine.listVolumes({ filters })).Volumes ?? [];
    for (const v of volumes) await ignore404(this.engine.getVolume(v.Name).remove());
    this.layouts.delete(spec.id);
    fs.rmSync(this.statePath(spec), { force: true });
  }

  async refreshIdentity(spec: PlaygroundSpec, _ctx: DriverContext): Promise<void> {
    await Promise.all(spec.machines.map((m) => refreshMachineIdentity(this.engine.getContainer(containerName(spec.id, m.name)), spec, m)));
  }

  async adopt(spec: PlaygroundSpec, _ctx: DriverContext): Promise<Record<string, MachineState>> {
    await this.preflight();
    const filters = JSON.stringify({ label: [`${LABEL.playground}=${spec.id}`, `${LABEL.role}=machine`] });
    const containers = await this.engine.listContainers({ all: true, filters });
    const out: Record<string, MachineState> = {};
    for (const m of spec.machines) {
      const c = containers.find((x) => x.Labels[LABEL.machine] === m.name);
      out[m.name] = !c ? 'lost' : c.State === 'running' ? 'running' : 'stopped';
    }
    return out;
  }

  async connect(spec: PlaygroundSpec, machine: string, port: number): Promise<Duplex> {
    const m = spec.machines.find((x) => x.name === machine);
    if (!m) throw new Error(`docker driver: playground ${spec.id} has no machine "${machine}"`);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`docker driver: port must be 1-65535, got ${port}`);
    const host = await this.machineHost(spec, m);
    // The engine's word on the container and the connection, side by side (every SSH login and
    // a warm pool member's health check come through here): a container that is gone or stopped
    // gets its own message, not the connection's refusal or timeout.
    const socket = net.connect({ host, port });
    const connected = new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', (err) => reject(new Error(`docker driver: cannot reach ${machine} (${host}:${port}): ${err.message}`)));
    });
    const running = this.engine
      .getContainer(containerName(spec.id, machine))
      .inspect()
      .then(
        (info) => {
          if (!info.State.Running) throw new Error(`docker driver: machine ${machine} of ${spec.id} is not running`);
        },
        (err: unknown) => {
          if (statusCode(err) === 404) throw new Error(`docker driver: machine ${machine} of ${spec.id} has no container`, { cause: err });
          throw err;
        },
      );
    try {
      await Promise.all([running, connected]);
    } catch (err) {
      socket.destroy();
      // The engine's answer explains a connection that failed.
      throw await running.then(
        () => err,
        (why: unknown) => why,
      );
    }
    return socket;
  }

  address(spec: PlaygroundSpec, machine: string): string | undefined {
    const m = spec.machines.find((x) => x.name === machine);
    const layout = this.layouts.get(spec.id) ?? this.loadState(spec)?.layout;
    return m && layout && m.interfaces[0] ? interfaceAddress(layout, m, m.interfaces[0]) : undefined;
  }

  async memoryUsage(spec: PlaygroundSpec): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const m of spec.machines) {
      try {
        const stats = await this.engine.getContainer(containerName(spec.id, m.name)).stats({ stream: false });
        const mem = stats.memory_stats as { usage?: number; stats?: Record<string, number> };
        // Page cache is reclaimable; subtract it like `docker stats` does.
        const cache = mem.stats?.total_inactive_file ?? mem.stats?.inactive_file ?? mem.stats?.cache ?? 0;
        if (mem.usage !== undefined) out[m.name] = mem.usage - cache;
      } catch {
        // a stopped or missing machine uses no memory
      }
    }
    return out;
  }

  /**
   * Commits every machine's container into an image of the snapshot and copies its volumes.
   * Running machines are paused together for the moment of the copy (one consistent state
   * across machines); stopped ones are committed as they are.
   */
  async snapshot(spec: PlaygroundSpec, dir: string, ctx: DriverContext): Promise<MachineSnapshot[]> {
    await this.preflight();
    const snapshot = snapshotIdOf(dir);
    const defaultNetworkMoved = !!(await this.layoutOf(spec)).moved;
    const containers = spec.machines.map((m) => ({ m, c: this.engine.getContainer(containerName(spec.id, m.name)) }));
    const registry = this.engine.getContainer(registryName(spec.id));
    const paused: Docker.Container[] = [];
    const out: MachineSnapshot[] = [];
    try {
      // The registry with them: an image pushed half-way is not in the copy.
      const registryInfo = await registry.inspect().catch((err: unknown) => {
        if (statusCode(err) === 404) return undefined;
        throw err;
      });
      if (registryInfo?.State.Running && !registryInfo.State.Paused) {
        await registry.pause();
        paused.push(registry);
      }
      for (const { m, c } of containers) {
        const info = await c.inspect().catch((err: unknown) => {
          if (statusCode(err) === 404) throw new Error(`docker driver: machine ${m.name} of ${spec.id} has no container to snapshot`, { cause: err });
          throw err;
        });
        if (info.State.Running && !info.State.Paused) {
          await c.pause();
          paused.push(c);
        }
      }
      for (const { m, c } of containers) {
        ctx.progress('snapshot', 'started', m.name, 'committing the container');
        const { tag, imageId } = await commitMachine(this.engine, c.id, snapshot, m.name);
        const labels = { [SNAPSHOT_LABEL]: snapshot, [LABEL.machine]: m.name };
        const volumes: DockerMachineSnapshot['volumes'] = [];
        const mounts = (await c.inspect()).Mounts.filter((x) => x.Type === 'volume' && x.Name);
        for (const [i, mount] of mounts.entries()) {
          ctx.progress('snapshot', 'started', m.name, `copying volume ${mount.Destination}`);
          const volume = snapshotVolumeName(snapshot, m.name, i);
          await this.engine.createVolume({ Name: volume, Labels: labels });
          await copyVolume(this.engine, tag, mount.Name!, volume, labels);
          volumes.push({ target: mount.Destination, volume });
        }
        writeMachineRecord(dir, { machine: m.name, tag, imageId, volumes, ...(defaultNetworkMoved ? { defaultNetworkMoved } : {}) });
        ctx.progress('snapshot', 'done', m.name, tag);
        out.push({ name: m.name, image: m.image, paths: [machineRecordPath(m.name)], bytes: await ownLayerBytes(this.engine, tag) });
      }
      if (registryInfo) {
        ctx.progress('registry', 'started', undefined, 'copying what was pushed to the playground registry');
        const bytes = await saveRegistry(registry, dir);
        ctx.progress('registry', 'done', undefined, `${(bytes / 1048576).toFixed(1)} MiB`);
      }
    } catch (err) {
      await removeSnapshotObjects(this.engine, snapshot).catch(() => undefined);
      throw err;
    } finally {
      for (const c of paused)
        await c.unpause().catch((err: unknown) => ctx.log('error', `docker driver: could not resume ${c.id.slice(0, 12)}: ${errorMessage(err)}`));
    }
    return out;
  }

  /** Refused before anything is made when an image or volume of the snapshot is gone or replaced. */
  async checkSnapshot(dir: string, machines: string[]): Promise<string | undefined> {
    await this.preflight();
    return snapshotObjectsProblem(this.engine, dir, machines);
  }

  async createFromSnapshot(spec: PlaygroundSpec, dir: string, ctx: DriverContext): Promise<void> {
    await this.preflight();
    const parts = new Map(spec.machines.map((m) => [m.name, readMachineRecord(dir, m.name)]));
    const problem = await snapshotObjectsProblem(this.engine, dir, [...parts.keys()]);
    if (problem) throw new Error(`docker driver: snapshot ${snapshotIdOf(dir)}: ${problem}`);
    await this.make(spec, ctx, parts, registryArchive(dir));
  }

  async deleteSnapshot(dir: string): Promise<void> {
    await this.preflight();
    await removeSnapshotObjects(this.engine, snapshotIdOf(dir));
  }

  async close(): Promise<void> {
    // dockerode keeps no open connections between calls.
  }

  private catalog() {
    return new Map(this.images.recipes().map((r) => [r.name, r]));
  }

  /** Private networks only carry routed traffic (a routing or NAT-gateway lab) with the host rule of bridge-rules.ts. */
  private ensureRouting(layout: DockerLayout, ctx: DriverContext): void {
    const internal = layout.networks.filter((n) => n.internal);
    if (internal.length === 0 || !this.engineIsLocal()) return;
    const why = ensureBridgeRules(internal.map((n) => bridgeName(n.name)));
    if (why) {
      ctx.log(
        'warn',
        `docker driver: machines on private networks (${internal.map((n) => n.network).join(', ')}) reach only addresses of that network, not what a machine on two networks routes there: ${why}`,
      );
    }
  }

  /** A unix socket: the engine runs on this host, so its bridges are ours to see. */
  private engineIsLocal(): boolean {
    return this.engineAt.options.socketPath !== undefined;
  }

  /** The playground's network layout: as created, else as planned by validate, else planned now. */
  private async layoutOf(spec: PlaygroundSpec): Promise<DockerLayout> {
    const known = this.loadState(spec)?.layout ?? this.layouts.get(spec.id);
    if (known) return known;
    // A fork's default network moves like its original's did.
    const movedBefore =
      spec.fromSnapshot !== undefined && spec.machines.length > 0 && readMachineRecord(spec.fromSnapshot, spec.machines[0].name).defaultNetworkMoved;
    const movable = movedBefore || defaultNetworkMovable(spec);
    const layout = planLayout(spec, await this.usedRanges(spec.id), this.options.subnetPool ?? DEFAULT_POOL, movable);
    this.layouts.set(spec.id, layout);
    return layout;
  }

  private async createNetwork(playground: string, n: DockerLayout['networks'][number]): Promise<void> {
    const existing = await this.engine.listNetworks({ filters: JSON.stringify({ name: [n.name] }) });
    if (existing.some((x) => x.Name === n.name)) return;
    try {
      await this.engine.createNetwork(networkCreateOptions(playground, n));
    } catch (err) {
      // Another engine user took the subnet between our look and our create.
      if (/overlap/i.test(errorMessage(err))) {
        throw new Error(`docker driver: network "${n.network}" (${n.subnet}) could not be made: ${errorMessage(err).trim()}`, { cause: err });
      }
      throw err;
    }
  }

  /** Subnets other engine networks, other planned playgrounds and host routes hold, with who holds them. */
  private async usedRanges(playground: string): Promise<UsedRange[]> {
    const used: UsedRange[] = [];
    for (const [id, layout] of this.layouts) {
      if (id !== playground)
        for (const n of layout.networks) used.push({ cidr: n.subnet, owner: `network "${n.network}" of playground ${id} (being created)` });
    }
    for (const n of await this.engine.listNetworks()) {
      const pg = n.Labels?.[LABEL.playground];
      if (pg === playground) continue;
      const owner = pg ? `network "${n.Labels?.[LABEL.network] ?? n.Name}" of playground ${pg}` : `the engine's network "${n.Name}"`;
      for (const c of n.IPAM?.Config ?? []) if (c.Subnet?.includes('.')) used.push({ cidr: c.Subnet, owner });
    }
    try {
      for (const cidr of routesFromProcNetRoute(fs.readFileSync('/proc/net/route', 'utf8'))) used.push({ cidr, owner: 'a route of the host' });
    } catch {
      // not Linux: the engine's own list is all we know
    }
    return used;
  }

  /** Where the agent reaches a machine: its first interface. */
  private async machineHost(spec: PlaygroundSpec, m: MachineSpec): Promise<string> {
    const layout = await this.layoutOf(spec);
    return interfaceAddress(layout, m, m.interfaces[0]);
  }

  /** Resolves once the machine's sshd accepts connections (or, without SSH, it runs). */
  private async waitReady(spec: PlaygroundSpec, m: MachineSpec): Promise<void> {
    const deadline = Date.now() + (this.options.readyTimeoutMs ?? 60_000);
    const host = await this.machineHost(spec, m);
    const container = this.engine.getContainer(containerName(spec.id, m.name));
    for (let attempt = 0; ; attempt++) {
      if (m.noSSH ? (await container.inspect()).State.Running : await canConnect(host, 22)) return;
      // Checking the container every few tries turns "exited at once" into a prompt error.
      if (attempt % 5 === 4) {
        const st = (await container.inspect()).State;
        if (!st.Running) {
          const logs = (await container.logs({ stdout: true, stderr: true, tail: 20 })).toString('utf8');
          throw new Error(`docker driver: machine ${m.name} exited (code ${st.ExitCode}) before sshd answered:\n${logs}`);
        }
      }
      if (Date.now() > deadline) throw new Error(`docker driver: machine ${m.name}: sshd did not answer on ${host}:22 in time`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  private statePath(spec: PlaygroundSpec): string {
    return path.join(spec.dir, 'driver', 'docker.json');
  }

  private saveState(spec: PlaygroundSpec, state: DriverState): void {
    writeFileAtomicModeSync(this.statePath(spec), JSON.stringify(state, null, 2), 0o644);
  }

  private loadState(spec: PlaygroundSpec): DriverState | undefined {
    try {
      const state = readOwnJson<Partial<DriverState>>(this.statePath(spec));
      return state.layout ? { layout: state.layout } : undefined;
    } catch {
      return undefined;
    }
  }
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(1000, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

/** Runs the machine's first-boot script once, as root, and fails with its output if it fails. */
async function runFirstBoot(container: Docker.Container, machine: string): Promise<void> {
  // A terminal: one plain stream of output, no multiplexing frames to take apart.
  const exec = await container.exec({ Cmd: ['sh', MACHINE_PATHS.firstBoot], User: '0:0', AttachStdout: true, AttachStderr: true, Tty: true });
  const stream = await exec.start({ hijack: true, stdin: false, Tty: true });
  let output = '';
  stream.on('data', (d: Buffer) => (output = (output + d.toString('utf8')).slice(-2000)));
  await new Promise<void>((resolve, reject) => {
    stream.on('end', () => resolve());
    stream.on('error', reject);
  });
  const { ExitCode } = await exec.inspect();
  if (ExitCode !== 0)
    throw new Error(`docker driver: machine ${machine}: the fork's identity could not be written (exit ${ExitCode}): ${output.trim().slice(-500)}`);
}

async function startIfStopped(container: Docker.Container): Promise<void> {
  try {
    await container.start();
  } catch (err) {
    // 304: already running.
    if (statusCode(err) !== 304) throw err;
  }
}

async function ignore404(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (statusCode(err) !== 404) throw err;
  }
}

export function defaultStateHome(): string {
  return path.join(os.tmpdir(), 'sandlot-docker');
}
