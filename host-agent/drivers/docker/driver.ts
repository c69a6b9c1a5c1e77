// The `docker` driver: every machine is a container on the playground's own bridge
// network (explicit /24, machines resolve each other by name), running the image's init
// and a real sshd; plus one registry container per playground. All through the Engine
// API (dockerode). Nothing is published on host interfaces: the agent reaches machines
// at their addresses on the playground bridge.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Duplex } from 'node:stream';
import Docker from 'dockerode';
import type { MachineState } from '../../api/protocol';
import { DockerImageBuilder, type DockerImageBuilderOptions, type ImageProgress } from '../../images/docker-builder';
import { machineNeeds } from '../../images/recipe';
import { hostSizeProblems, imageProblems } from '../machine-checks';
import type { Driver, DriverContext, DoctorReport, MachineSpec, PlaygroundSpec } from '../protocol';
import {
  LABEL,
  containerName,
  machineAddress,
  machineCreateOptions,
  networkCreateOptions,
  networkName,
  registryCreateOptions,
  registryName,
} from './container-config';
import { doctorChecks } from './doctor';
import { engineAddress, pingEngine, type EngineAddress } from './engine';
import { machineFiles, tarFiles } from './machine-files';
import { DEFAULT_POOL, pickSubnet, routesFromProcNetRoute } from './subnets';

export interface DockerDriverOptions {
  /** Agent state directory; images' scratch space lives under it. */
  stateHome: string;
  /** DOCKER_HOST-style address; default: $DOCKER_HOST, else the standard socket. */
  dockerHost?: string;
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
  /** Pool the playground subnets come from. */
  subnetPool?: string;
  images?: Partial<DockerImageBuilderOptions>;
  /** How long a machine may take from start to an answering sshd. */
  readyTimeoutMs?: number;
}

/** What the driver remembers per playground, under `<dir>/driver/docker.json`. */
interface DriverState {
  network: string;
  subnet: string;
}

const REGISTRY_IMAGE = 'registry';

export class DockerDriver implements Driver {
  readonly name = 'docker' as const;
  readonly engine: Docker;
  readonly engineAt: EngineAddress;
  readonly images: DockerImageBuilder;
  private readonly subnets = new Map<string, string>();

  constructor(private readonly options: DockerDriverOptions) {
    this.engineAt = engineAddress(options.dockerHost ?? process.env.DOCKER_HOST);
    this.engine = new Docker(this.engineAt.options);
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
    const info = await this.engine.info();
    const host = { memBytes: info.MemTotal, cpus: info.NCPU };
    const problems = spec.machines.flatMap((m) => [...imageProblems(m, this.images, 'docker'), ...hostSizeProblems(m, host, 'docker')]);
    if (problems.length) throw new Error(problems.join('\n'));
    // Reserve a subnet now, so address() can tell machines' addresses before create
    // (the agent records them then). create() re-picks if someone took it meanwhile.
    if (!this.subnets.has(spec.id) && !this.loadState(spec)) {
      this.subnets.set(spec.id, pickSubnet(spec.id, await this.usedSubnets(), this.options.subnetPool ?? DEFAULT_POOL));
    }
  }

  /** Builds every image the playground needs that the engine lacks, reporting progress. */
  async ensureImages(spec: PlaygroundSpec, ctx: DriverContext): Promise<Map<string, string>> {
    const names = [...new Set(spec.machines.map((m) => m.image || 'linux')), REGISTRY_IMAGE];
    const tags = new Map<string, string>();
    for (const name of names) {
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
        ctx.progress(step, 'failed', undefined, (err as Error).message);
        throw err;
      }
    }
    return tags;
  }

  async create(spec: PlaygroundSpec, ctx: DriverContext): Promise<void> {
    await this.preflight();
    await this.validate(spec);
    const tags = await this.ensureImages(spec, ctx);

    ctx.progress('network', 'started');
    const state = await this.createNetwork(spec.id, this.subnets.get(spec.id));
    this.saveState(spec, state);
    ctx.progress('network', 'done', undefined, `${state.network} ${state.subnet}`);

    const registry = (async () => {
      ctx.progress('registry', 'started');
      const c = await this.engine.createContainer(
        registryCreateOptions(spec.id, tags.get(REGISTRY_IMAGE)!, state.subnet, spec.manifest.playground.registryAuth),
      );
      await c.start();
      ctx.progress('registry', 'done');
    })();

    await Promise.all([
      registry,
      ...spec.machines.map(async (m) => {
        ctx.progress('machine', 'started', m.name);
        try {
          const image = m.image || 'linux';
          const options = machineCreateOptions(spec.id, m, tags.get(image)!, machineNeeds(this.catalog(), image), state.subnet);
          for (const mount of options.HostConfig?.Mounts ?? []) {
            await this.engine.createVolume({ Name: mount.Source!, Labels: { [LABEL.playground]: spec.id, [LABEL.machine]: m.name } });
          }
          const container = await this.engine.createContainer(options);
          await container.putArchive(await tarFiles(machineFiles(spec, m)), { path: '/' });
          await container.start();
          await this.waitReady(spec, m);
          ctx.progress('machine', 'done', m.name);
        } catch (err) {
          ctx.progress('machine', 'failed', m.name, (err as Error).message);
          throw err;
        }
      }),
    ]);
  }

  async start(spec: PlaygroundSpec, ctx: DriverContext): Promise<void> {
    await this.preflight();
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
          const code = (err as { statusCode?: number }).statusCode;
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
    const volumes = (await this.engine.listVolumes({ filters })).Volumes ?? [];
    for (const v of volumes) await ignore404(this.engine.getVolume(v.Name).remove());
    this.subnets.delete(spec.id);
    fs.rmSync(this.statePath(spec), { force: true });
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
    let running: boolean;
    try {
      running = (await this.engine.getContainer(containerName(spec.id, machine)).inspect()).State.Running;
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) throw new Error(`docker driver: machine ${machine} of ${spec.id} has no container`);
      throw err;
    }
    if (!running) throw new Error(`docker driver: machine ${machine} of ${spec.id} is not running`);
    const host = machineAddress(await this.subnetOf(spec), m.index);
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port });
      socket.once('connect', () => {
        socket.removeListener('error', reject);
        resolve(socket);
      });
      socket.once('error', (err) => reject(new Error(`docker driver: cannot reach ${machine} (${host}:${port}): ${err.message}`)));
    });
  }

  address(spec: PlaygroundSpec, machine: string): string | undefined {
    const m = spec.machines.find((x) => x.name === machine);
    const subnet = this.subnets.get(spec.id) ?? this.loadState(spec)?.subnet;
    return m && subnet ? machineAddress(subnet, m.index) : undefined;
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

  async close(): Promise<void> {
    // dockerode keeps no open connections between calls.
  }

  private catalog() {
    return new Map(this.images.recipes().map((r) => [r.name, r]));
  }

  private async createNetwork(playground: string, reserved?: string): Promise<DriverState> {
    const name = networkName(playground);
    const existing = await this.engine.listNetworks({ filters: JSON.stringify({ name: [name] }) });
    const mine = existing.find((n) => n.Name === name);
    if (mine) {
      const subnet = mine.IPAM?.Config?.[0]?.Subnet;
      if (subnet) return { network: name, subnet };
    }
    // Another create may take the same subnet between our look and our create; the engine
    // refuses overlapping pools, so pick again a few times.
    let lastError: Error | undefined;
    for (let attempt = 0; attempt < 5; attempt++) {
      const subnet =
        attempt === 0 && reserved ? reserved : pickSubnet(`${playground}#${attempt}`, await this.usedSubnets(), this.options.subnetPool ?? DEFAULT_POOL);
      try {
        await this.engine.createNetwork(networkCreateOptions(playground, subnet));
        this.subnets.set(playground, subnet);
        return { network: name, subnet };
      } catch (err) {
        lastError = err as Error;
        if (!/overlap/i.test(lastError.message)) throw err;
      }
    }
    throw new Error(`docker driver: could not create network ${name}: ${lastError?.message}`);
  }

  private async usedSubnets(): Promise<string[]> {
    // Reservations of playgrounds validated but not created yet count as used.
    const used: string[] = [...this.subnets.values()];
    for (const n of await this.engine.listNetworks()) for (const c of n.IPAM?.Config ?? []) if (c.Subnet?.includes('.')) used.push(c.Subnet);
    try {
      used.push(...routesFromProcNetRoute(fs.readFileSync('/proc/net/route', 'utf8')));
    } catch {
      // not Linux: the engine's own list is all we know
    }
    return used;
  }

  private async subnetOf(spec: PlaygroundSpec): Promise<string> {
    const known = this.subnets.get(spec.id) ?? this.loadState(spec)?.subnet;
    if (known) return known;
    const n = await this.engine.getNetwork(networkName(spec.id)).inspect();
    const subnet = n.IPAM?.Config?.[0]?.Subnet as string | undefined;
    if (!subnet) throw new Error(`docker driver: network ${networkName(spec.id)} has no subnet`);
    this.subnets.set(spec.id, subnet);
    return subnet;
  }

  /** Resolves once the machine's sshd accepts connections (or, without SSH, it runs). */
  private async waitReady(spec: PlaygroundSpec, m: MachineSpec): Promise<void> {
    const deadline = Date.now() + (this.options.readyTimeoutMs ?? 60_000);
    const host = machineAddress(await this.subnetOf(spec), m.index);
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
    const file = this.statePath(spec);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(`${file}.tmp`, JSON.stringify(state));
    fs.renameSync(`${file}.tmp`, file);
  }

  private loadState(spec: PlaygroundSpec): DriverState | undefined {
    try {
      return JSON.parse(fs.readFileSync(this.statePath(spec), 'utf8')) as DriverState;
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

async function startIfStopped(container: Docker.Container): Promise<void> {
  try {
    await container.start();
  } catch (err) {
    // 304: already running.
    if ((err as { statusCode?: number }).statusCode !== 304) throw err;
  }
}

async function ignore404(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode !== 404) throw err;
  }
}

export function defaultStateHome(): string {
  return path.join(os.tmpdir(), 'sandlot-docker');
}
