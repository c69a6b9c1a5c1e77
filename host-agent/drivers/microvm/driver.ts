// The `microvm` driver: every machine is a QEMU `-M microvm` virtual machine with its own
// kernel, booted directly (no firmware) from an image built from the same recipes as the
// docker driver's, on a copy-on-write overlay, with its other drives as disks of its own
// (drives.ts). A machine's first start is a clone of a per-image-and-shape snapshot (see
// snapshot.ts); later starts boot its own overlay. A playground's networks are bridges
// inside a network namespace the agent owns (network.ts), leaving through its uplink
// (netns/uplink.ts) where they are not private; the agent reaches machines' ports from
// inside that namespace (netns/relay.ts). KVM when the host really has it, TCG otherwise.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Duplex } from 'node:stream';
import type { MachineState } from '../../api/protocol';
import { VmImageBuilder, readImage, type VmImage } from '../../images/vm/builder';
import { vmCacheDir } from '../../images/vm/cache-dir';
import { isOciSource } from '../../images/oci';
import { ociToolsProblem } from '../../images/vm/oci-rootfs';
import { NetnsRelay } from '../../netns/relay';
import { applyNamespaceNat, attachUplink, detachUplink } from '../../netns/uplink';
import { errorMessage } from '../../util/errors';
import { readOwnJson } from '../../util/json';
import { forwardDnsQuery } from '../../netns/dns-forwarder';
import { writeFileAtomicModeSync } from '../../util/files';
import { treeRss } from '../../util/proc';
import { runCommand } from '../../util/run-command';
import { hostSizeProblems, imageProblems } from '../machine-checks';
import {
  DriverUnavailableError,
  type DoctorReport,
  type Driver,
  type DriverContext,
  type MachineSnapshot,
  type MachineSpec,
  type PlaygroundSpec,
} from '../protocol';
import { hostTscKhz, probeKvm, type AccelChoice } from './accel';
import { configFiles, writeConfigDisk } from './config-disk';
import { doctorChecks, findTool, QEMU_HOW_TO } from './doctor';
import { dataDrives, driveProblems, emptyDriveBytes, ensureDriveFiles, rootBytes } from './drives';
import { VmIdentities } from './identity';
import { VmSshFronts } from './ssh-fronts';
import { enterArgs, holderAlive, machineAddress, networkPlan, startNetwork, stopHolder, tapName, type Holder } from './network';
import { playgroundLogin, syncGuest } from './guest-sync';
import { partsProblem, prepareForkMachine, snapshotMachine } from './playground-snapshot';
import { machineMac, type VmLaunch } from './qemu-args';
import { ensureSnapshot, type SnapshotShape, type VmSnapshot } from './snapshot';
import { consoleTail, handshake, killVm, resumeRestored, launchQemu, stopVm, vmAlive, waitExit, type VmProcess } from './vm-process';

export interface MicrovmDriverOptions {
  /** Agent state directory (default image cache: `<stateHome>/images/vm`). */
  stateHome: string;
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
  /** Images, kernel and snapshots; shareable between agents (content-addressed, locked). */
  cacheDir?: string;
  qemuBinary?: string;
  /** Force an accelerator instead of probing (`SANDLOT_MICROVM_ACCEL`). */
  accel?: 'kvm' | 'tcg';
  /** First starts clone a snapshot (default); off: every start is a cold boot. */
  snapshots?: boolean;
  env?: NodeJS.ProcessEnv;
}

interface VmRecord {
  vm?: VmProcess;
  /** The overlay has been booted: later starts boot it (a snapshot fits only a fresh one). */
  booted: boolean;
  /**
   * Image directory the overlay was made from: later cold boots use its kernel and
   * initrd even after the recipe changed (the overlay's modules must match the kernel).
   */
  image?: string;
  /** Started from a playground snapshot: every boot's config disk carries the fork's identity (config-disk.ts). */
  fork?: boolean;
}

interface DriverState {
  net?: Holder;
  machines: Record<string, VmRecord>;
}

const MIN_RAM_MIB = 256;

/** An OCI root drive needs skopeo and umoci on the agent's host. */
function ociProblems(m: MachineSpec): string[] {
  const problem = ociToolsProblem();
  const root = m.drives.findIndex((d) => d.mount === '/');
  return problem ? [`playground.machines[${m.index}].drives[${root}].source: ${m.image} needs ${problem} (microvm driver)`] : [];
}

export class MicrovmDriver implements Driver {
  readonly name = 'microvm' as const;
  readonly images: VmImageBuilder;
  readonly cacheDir: string;
  private readonly env: NodeJS.ProcessEnv;
  private accelChoice: Promise<AccelChoice> | undefined;
  private preflightResult: Promise<void> | undefined;
  /** Per playground: the relay into its namespace and the holder it was started for. */
  private readonly relays = new Map<string, { relay: NetnsRelay; holder: number }>();
  /** The identities of the playgrounds this agent started, to log in with for refreshIdentity. */
  private readonly identities = new VmIdentities();
  /** Each machine's port 22 as the agent serves it (ssh-fronts.ts). */
  private readonly fronts = new VmSshFronts({
    guestConnect: (spec, machine) => this.guestConnect(spec, machine, 22),
    log: (level, message, machine) => this.opts.log?.(level, machine ? `${machine}: ${message}` : message),
  });

  constructor(private readonly opts: MicrovmDriverOptions) {
    this.env = opts.env ?? process.env;
    this.cacheDir = opts.cacheDir ?? vmCacheDir(opts.stateHome, this.env);
    this.images = new VmImageBuilder({ cacheDir: this.cacheDir, env: this.env });
  }

  get qemu(): string | undefined {
    return this.opts.qemuBinary ?? findTool('qemu-system-x86_64');
  }

  describeIsolation(): string {
    return 'microvm: each machine is a QEMU microvm with its own kernel (KVM when the host has it, else software emulation), memory capped per machine; machines of a playground share a private bridge in a network namespace of their own; nothing is published on host interfaces';
  }

  async doctor(): Promise<DoctorReport> {
    const checks = await doctorChecks({
      qemu: this.qemu,
      kernel: () => this.images.guestKernel(),
      accel: () => this.accel(),
    });
    return { driver: 'microvm', usable: checks.every((c) => c.ok), checks };
  }

  preflight(): Promise<void> {
    this.preflightResult ??= this.runPreflight().catch((err) => {
      this.preflightResult = undefined;
      throw err;
    });
    return this.preflightResult;
  }

  private async runPreflight(): Promise<void> {
    const qemu = this.qemu;
    if (!qemu || !fs.existsSync(qemu))
      throw new DriverUnavailableError(
        'microvm',
        `the microvm driver needs QEMU, which is not installed${this.opts.qemuBinary ? ` at ${this.opts.qemuBinary}` : ''}: ${QEMU_HOW_TO}`,
      );
    for (const [tool, pkg] of [
      ['qemu-img', 'qemu-utils'],
      ['unshare', 'util-linux'],
      ['nsenter', 'util-linux'],
      ['ip', 'iproute2'],
    ] as const) {
      if (!findTool(tool)) throw new DriverUnavailableError('microvm', `the microvm driver needs ${tool}: apt-get install ${pkg}`);
    }
    if (!fs.existsSync('/dev/net/tun'))
      throw new DriverUnavailableError('microvm', 'the microvm driver needs /dev/net/tun (the tun kernel module) for its tap devices');
    try {
      const choice = await this.accel();
      if (choice.accel === 'tcg')
        this.opts.log?.('warn', `microvm: no usable KVM (${choice.detail}); machines run under software emulation, several times slower`);
    } catch (err) {
      throw new DriverUnavailableError('microvm', errorMessage(err));
    }
  }

  /** KVM if a test guest really runs under it, else TCG; probed once per agent. */
  accel(): Promise<AccelChoice> {
    const forced: string | undefined = this.opts.accel ?? this.env.SANDLOT_MICROVM_ACCEL;
    if (forced) {
      if (forced !== 'kvm' && forced !== 'tcg') return Promise.reject(new Error(`SANDLOT_MICROVM_ACCEL: expected kvm or tcg, got "${forced}"`));
      return Promise.resolve({ accel: forced, detail: `${forced} (forced by SANDLOT_MICROVM_ACCEL)` });
    }
    this.accelChoice ??= (async () => {
      const kernel = await this.images.guestKernel();
      return probeKvm(this.qemu ?? 'qemu-system-x86_64', kernel.vmlinuz);
    })().catch((err) => {
      this.accelChoice = undefined;
      throw err;
    });
    return this.accelChoice;
  }

  async validate(spec: PlaygroundSpec): Promise<void> {
    const problems: string[] = [];
    const host = { memBytes: os.totalmem(), cpus: os.cpus().length };
    for (const m of spec.machines) {
      problems.push(...(isOciSource(m.image) ? ociProblems(m) : imageProblems(m, this.images, 'microvm')), ...driveProblems(m));
      m.drives.forEach((d, j) => {
        if (d.mount === '/' || !d.source || d.source.startsWith('oci://')) return;
        try {
          this.images.recipe(d.source);
        } catch (err) {
          problems.push(`playground.machines[${m.index}].drives[${j}].source: ${errorMessage(err)} (microvm driver)`);
        }
      });
      // Before the host-size lines, so a machine's problems keep the field order (ramSize, cpuCount).
      if (m.resources.ramBytes < MIN_RAM_MIB * 1024 ** 2) {
        problems.push(
          `playground.machines[${m.index}].resources.ramSize: ${m.resources.ramSize} is too little for a VM; expected at least ${MIN_RAM_MIB}Mi (microvm driver)`,
        );
      }
      problems.push(...hostSizeProblems(m, host, 'microvm'));
    }
    if (problems.length) throw new Error(problems.join('\n'));
  }

  async create(spec: PlaygroundSpec, ctx: DriverContext): Promise<void> {
    await this.preflight();
    await this.validate(spec);
    this.save(spec, { machines: {} });
    await this.start(spec, ctx);
  }

  async start(spec: PlaygroundSpec, ctx: DriverContext): Promise<void> {
    await this.preflight();
    const accel = await this.accel();
    const state = this.load(spec);
    const images = await this.ensureImages(spec, ctx, state);
    for (const m of spec.machines) {
      const version = images.get(m.image || 'linux')?.kernelVersion;
      if (m.kernel && version && !version.startsWith(`${m.kernel}.`) && version !== m.kernel) {
        ctx.log(
          'warn',
          `playground.machines[${m.index}].kernel.source: ${m.kernel} is not available: machines boot Debian's cloud kernel ${version} (microvm driver)`,
          m.name,
        );
      }
    }
    const fresh = spec.machines.filter((m) => !state.machines[m.name]?.booted || !fs.existsSync(this.machinePath(spec, m.name, 'disk.qcow2')));
    // A clone's disks must match its template's: machines with an image as an extra drive cold-boot.
    const cloneable = fresh.filter((m) => m.drives.every((d) => d.mount === '/' || !d.source));
    const snapshots = this.snapshotsOn() ? await this.ensureSnapshots(cloneable, images, accel, ctx) : new Map<string, VmSnapshot>();
    const previous = state.net;
    if (!holderAlive(state.net)) {
      // Without its namespace a running VM has no network: begin again with every machine.
      for (const r of Object.values(state.machines)) killVm(r.vm);
      await detachUplink(previous?.uplink);
      ctx.progress('network', 'started');
      state.net = await this.startNetworks(spec, ctx);
      this.save(spec, state);
      const out = state.net.uplink && state.net.uplink.kind !== 'none' ? `, out through ${state.net.uplink.kind}` : '';
      ctx.progress(
        'network',
        'done',
        undefined,
        `${spec.networks.map((n) => `${n.name} ${n.subnet}${n.private ? ' private' : ''}`).join(', ')} in the playground's own network namespace${out}`,
      );
    }
    const net = state.net;
    // Machines ask their gateway for outside names from their first moment on.
    this.relayFor(spec, net);
    await Promise.all(
      spec.machines.map(async (m) => {
        const record = (state.machines[m.name] ??= { booted: false });
        if (vmAlive(record.vm)) return;
        ctx.progress('machine', 'started', m.name);
        try {
          const snapshot = fresh.includes(m) ? snapshots.get(this.shapeKey(m)) : undefined;
          const started = Date.now();
          const current = images.get(m.image || 'linux')!;
          const pinned = record.booted && !snapshot && record.image ? readImage(record.image) : undefined;
          const image = pinned ?? current;
          record.vm = await this.boot(spec, m, image, images, snapshot, net, accel, record.fork);
          record.booted = true;
          record.image = image.dir;
          this.save(spec, state);
          if (!m.noSSH) {
            await this.waitForSsh(spec, m.name, this.bootTimeoutMs(accel));
            // The login every connection will ride starts now, while the start's last steps run.
            this.fronts
              .warm(spec, m, this.bootTimeoutMs(accel))
              .catch((err: unknown) => ctx.log('warn', `microvm: no login of the agent's in the machine yet: ${errorMessage(err)}`, m.name));
          }
          const took = `${((Date.now() - started) / 1000).toFixed(1)} s`;
          ctx.progress('machine', 'done', m.name, snapshot ? `restored from snapshot in ${took}` : `booted in ${took}`);
        } catch (err) {
          ctx.progress('machine', 'failed', m.name, errorMessage(err));
          throw err;
        }
      }),
    );
    this.identities.started(spec);
  }

  /** A warm pool hand-out: the running VMs take the identity in `spec` (identity.ts); their next boot reads it from the config disk boot() writes. */
  async refreshIdentity(spec: PlaygroundSpec, _ctx: DriverContext): Promise<void> {
    const accel = await this.accel();
    await this.identities.refresh(spec, (m) => this.guestConnect(spec, m, 22), this.bootTimeoutMs(accel));
    // The pool's member waits with its default user's login open: the hand-out's health check and the user's first connection ride it.
    await Promise.all(spec.machines.map((m) => this.fronts.warm(spec, m, this.bootTimeoutMs(accel))));
  }

  async stop(spec: PlaygroundSpec, ctx: DriverContext): Promise<void> {
    const state = this.load(spec);
    await Promise.all(
      spec.machines.map(async (m) => {
        const vm = state.machines[m.name]?.vm;
        if (!vm) return;
        await stopVm(vm, this.machinePath(spec, m.name, 'qmp.sock'), (msg) => ctx.log('warn', `microvm: ${msg}`, m.name));
        state.machines[m.name].vm = undefined;
      }),
    );
    this.identities.forget(spec.id);
    this.fronts.forget(spec.id);
    this.closeRelay(spec);
    await detachUplink(state.net?.uplink);
    stopHolder(state.net);
    state.net = undefined;
    this.save(spec, state);
  }

  async destroy(spec: PlaygroundSpec, _ctx: DriverContext): Promise<void> {
    let state: DriverState | undefined;
    try {
      state = this.load(spec);
    } catch {
      state = undefined;
    }
    if (state) {
      // Destroy does not need the guest's data: kill at once.
      const vms = Object.values(state.machines)
        .map((r) => r.vm)
        .filter(vmAlive);
      for (const vm of vms) killVm(vm);
      await Promise.all(vms.map((vm) => waitExit(vm, 5000)));
      this.fronts.forget(spec.id);
      this.closeRelay(spec);
      await detachUplink(state.net?.uplink);
      stopHolder(state.net);
    }
    this.identities.forget(spec.id);
    fs.rmSync(this.driverDir(spec), { recursive: true, force: true });
  }

  async adopt(spec: PlaygroundSpec, _ctx: DriverContext): Promise<Record<string, MachineState>> {
    const out: Record<string, MachineState> = {};
    let state: DriverState;
    try {
      state = this.load(spec);
    } catch {
      for (const m of spec.machines) out[m.name] = 'stopped';
      return out;
    }
    const netUp = holderAlive(state.net);
    for (const m of spec.machines) out[m.name] = netUp && vmAlive(state.machines[m.name]?.vm) ? 'running' : 'stopped';
    return out;
  }

  /** Port 22 is the machine's SSH as the agent serves it (ssh-fronts.ts); other ports, and 22 of a machine without a front, are the guest's own. */
  async connect(spec: PlaygroundSpec, machine: string, port: number): Promise<Duplex> {
    if (port !== 22) return this.guestConnect(spec, machine, port);
    const m = spec.machines.find((x) => x.name === machine);
    if (!m) throw new Error(`microvm driver: playground ${spec.id} has no machine "${machine}"`);
    const state = this.load(spec);
    if (!holderAlive(state.net) || !vmAlive(state.machines[machine]?.vm)) throw new Error(`microvm driver: machine ${machine} of ${spec.id} is not running`);
    return this.fronts.connect(spec, m, this.bootTimeoutMs(await this.accel())) ?? this.guestConnect(spec, machine, port);
  }

  /** Raw bytes to a TCP port of the guest, through the playground's namespace. */
  private async guestConnect(spec: PlaygroundSpec, machine: string, port: number): Promise<Duplex> {
    const m = spec.machines.find((x) => x.name === machine);
    if (!m) throw new Error(`microvm driver: playground ${spec.id} has no machine "${machine}"`);
    const state = this.load(spec);
    if (!holderAlive(state.net) || !vmAlive(state.machines[machine]?.vm)) throw new Error(`microvm driver: machine ${machine} of ${spec.id} is not running`);
    const relay = this.relayFor(spec, state.net);
    try {
      return await relay.connect(machineAddress(m), port);
    } catch (err) {
      throw new Error(`microvm driver: cannot reach ${machine} (${machineAddress(m)}:${port}): ${errorMessage(err)}`, { cause: err });
    }
  }

  address(spec: PlaygroundSpec, machine: string): string | undefined {
    const m = spec.machines.find((x) => x.name === machine);
    return m?.interfaces[0]?.address;
  }

  async memoryUsage(spec: PlaygroundSpec): Promise<Record<string, number>> {
    const state = this.load(spec);
    const out: Record<string, number> = {};
    for (const m of spec.machines) {
      const vm = state.machines[m.name]?.vm;
      if (vmAlive(vm)) out[m.name] = treeRss(vm.pid);
    }
    return out;
  }

  /** Freezes every machine's disks into `dir` (playground-snapshot.ts); running VMs are paused for their copy. */
  async snapshot(spec: PlaygroundSpec, dir: string, ctx: DriverContext): Promise<MachineSnapshot[]> {
    const state = this.load(spec);
    const out: MachineSnapshot[] = [];
    for (const m of spec.machines) {
      const record = state.machines[m.name];
      if (!record?.booted || !record.image) throw new Error(`microvm driver: machine ${m.name} of ${spec.id} has not booted yet: nothing to snapshot`);
      const running = holderAlive(state.net) && vmAlive(record.vm);
      const login = playgroundLogin(spec, m);
      const sync = running && !m.noSSH && login ? async () => syncGuest(await this.guestConnect(spec, m.name, 22), m, login, 30_000) : undefined;
      if (running && !sync) ctx.log('warn', 'microvm: no SSH login into this machine to sync its disks: the last seconds of writes may be missing', m.name);
      ctx.progress('snapshot', 'started', m.name, running ? 'pausing the VM to copy its disks' : 'copying its disks');
      const part = await snapshotMachine(
        {
          spec: m,
          dir: this.machineDir(spec, m.name),
          imageDir: record.image,
          cacheDir: this.cacheDir,
          live: running ? { qmpSocket: this.machinePath(spec, m.name, 'qmp.sock'), sync } : undefined,
        },
        dir,
        (message) => ctx.log('warn', `microvm: ${message}`, m.name),
      );
      ctx.progress('snapshot', 'done', m.name);
      out.push(part);
    }
    return out;
  }

  /** Refused before anything is made when what the snapshot's disks stand on left the image cache. */
  async checkSnapshot(dir: string, machines: string[]): Promise<string | undefined> {
    return partsProblem(dir, machines);
  }

  /** Each machine boots a new overlay on its frozen copy, with the fork's own identity from its config disk. */
  async createFromSnapshot(spec: PlaygroundSpec, dir: string, ctx: DriverContext): Promise<void> {
    await this.preflight();
    await this.validate(spec);
    const problem = partsProblem(
      dir,
      spec.machines.map((m) => m.name),
    );
    if (problem) throw new Error(`microvm driver: snapshot ${path.basename(dir)}: ${problem}`);
    const state: DriverState = { machines: {} };
    for (const m of spec.machines) {
      const part = await prepareForkMachine(dir, m, this.machineDir(spec, m.name));
      state.machines[m.name] = { booted: true, image: part.imageDir, fork: true };
    }
    this.save(spec, state);
    await this.start(spec, ctx);
  }

  async close(): Promise<void> {
    this.identities.close();
    this.fronts.close();
    for (const r of this.relays.values()) r.relay.close();
    this.relays.clear();
  }

  // --- internals ---

  private snapshotsOn(): boolean {
    return this.opts.snapshots ?? this.env.SANDLOT_MICROVM_SNAPSHOTS !== '0';
  }

  private async ensureImages(spec: PlaygroundSpec, ctx: DriverContext, state: DriverState): Promise<Map<string, VmImage>> {
    const out = new Map<string, VmImage>();
    // Machines that booted keep the image they were made from: no pull for a restart.
    for (const m of spec.machines) {
      const record = state.machines[m.name];
      const kept = record?.booted && record.image ? readImage(record.image) : undefined;
      if (kept && isOciSource(m.image) && spec.machines.every((x) => x.image !== m.image || state.machines[x.name]?.booted)) out.set(m.image, kept);
    }
    const names = spec.machines.flatMap((m) => [m.image || 'linux', ...m.drives.flatMap((d) => (d.mount !== '/' && d.source ? [d.source] : []))]);
    for (const name of new Set(names)) {
      if (out.has(name)) continue;
      if (isOciSource(name)) {
        const step = `image ${name}`;
        ctx.progress(step, 'started', undefined, 'pulling the OCI image (a new one is turned into a VM image: a minute or two)');
        try {
          out.set(name, await this.images.ensureOci(name, (_img, message) => ctx.progress(step, 'started', undefined, message)));
          ctx.progress(step, 'done');
        } catch (err) {
          ctx.progress(step, 'failed', undefined, errorMessage(err));
          throw err;
        }
        continue;
      }
      const found = await this.images.find(name);
      if (found) {
        out.set(name, found);
        continue;
      }
      const step = `image ${name}`;
      ctx.progress(step, 'started', undefined, 'building the VM image (first use of this recipe; takes a minute or two)');
      try {
        out.set(name, await this.images.ensure(name, (_img, message) => ctx.progress(step, 'started', undefined, message)));
        ctx.progress(step, 'done');
      } catch (err) {
        ctx.progress(step, 'failed', undefined, errorMessage(err));
        throw err;
      }
    }
    return out;
  }

  private shapeKey(m: MachineSpec): string {
    const s = this.shape(m, { accel: 'tcg', detail: '' });
    return JSON.stringify([m.image || 'linux', s.memMiB, s.cpus, s.nics, s.rootBytes ?? 0, s.drives]);
  }

  private memMiB(m: MachineSpec): number {
    return Math.floor(m.resources.ramBytes / 1024 ** 2);
  }

  private async ensureSnapshots(
    machines: MachineSpec[],
    images: Map<string, VmImage>,
    accel: AccelChoice,
    ctx: DriverContext,
  ): Promise<Map<string, VmSnapshot>> {
    const out = new Map<string, VmSnapshot>();
    for (const m of machines) {
      const key = this.shapeKey(m);
      if (out.has(key)) continue;
      const image = images.get(m.image || 'linux')!;
      const step = `snapshot ${m.image || 'linux'} ${this.memMiB(m)}Mi ${m.resources.cpuCount} CPU`;
      ctx.progress(step, 'started', undefined, 'booting the image once and saving its state (first use of this image and size)');
      try {
        const snap = await ensureSnapshot(this.qemu!, this.cacheDir, image, this.shape(m, accel), this.bootTimeoutMs(accel));
        out.set(key, snap);
        ctx.progress(step, 'done');
      } catch (err) {
        // A machine still starts without a snapshot, only slower.
        ctx.progress(step, 'failed', undefined, errorMessage(err));
        ctx.log('warn', `microvm: no snapshot for ${step.slice('snapshot '.length)} (${errorMessage(err)}); cold-booting instead`);
      }
    }
    return out;
  }

  private shape(m: MachineSpec, accel: AccelChoice): SnapshotShape {
    return {
      memMiB: this.memMiB(m),
      cpus: m.resources.cpuCount,
      accel: accel.accel,
      tscKhz: accel.accel === 'tcg' ? hostTscKhz() : undefined,
      nics: m.interfaces.length,
      rootBytes: rootBytes(m),
      drives: m.drives.filter((d) => d.mount !== '/').map((d) => ({ bytes: emptyDriveBytes(d), readOnly: d.readOnly })),
    };
  }

  /** The namespace, its bridges and taps, and (for non-private networks) its way out with NAT. */
  private async startNetworks(spec: PlaygroundSpec, ctx: DriverContext): Promise<Holder> {
    const plan = networkPlan(spec);
    const holder = await startNetwork(plan);
    if (plan.bridges.every((b) => b.private)) return holder;
    try {
      holder.uplink = await attachUplink(holder.pid, spec.id);
      if (holder.uplink.kind === 'none') ctx.log('warn', `microvm: no way out for this playground: ${holder.uplink.reason}`);
      else await applyNamespaceNat(holder.pid, plan.bridges);
    } catch (err) {
      await detachUplink(holder.uplink);
      stopHolder(holder);
      throw new Error(`microvm network: ${errorMessage(err)}`, { cause: err });
    }
    return holder;
  }

  private bootTimeoutMs(accel: AccelChoice): number {
    // Under TCG on a busy 2-core host a cold boot has taken 15 s; leave room.
    return accel.accel === 'kvm' ? 30_000 : 120_000;
  }

  private async boot(
    spec: PlaygroundSpec,
    m: MachineSpec,
    image: VmImage,
    images: Map<string, VmImage>,
    snapshot: VmSnapshot | undefined,
    net: Holder,
    accel: AccelChoice,
    fork = false,
  ): Promise<VmProcess> {
    const dir = this.machineDir(spec, m.name);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const disk = path.join(dir, 'disk.qcow2');
    if (snapshot || !fs.existsSync(disk)) {
      fs.rmSync(disk, { force: true });
      // A snapshot's disk already has the machine's root size.
      const grow = !snapshot && rootBytes(m) !== undefined ? [String(rootBytes(m))] : [];
      await runCommand('qemu-img', ['create', '-q', '-f', 'qcow2', '-b', snapshot?.disk ?? image.disk, '-F', 'qcow2', disk, ...grow]);
    }
    await ensureDriveFiles(dir, m, (name) => images.get(name)!.disk);
    const macs = m.interfaces.map((_, k) => machineMac(spec.id, m.index, k));
    const configDisk = path.join(dir, 'config.img');
    const outside = net.uplink !== undefined && net.uplink.kind !== 'none';
    await writeConfigDisk(configDisk, configFiles(spec, m, { macs, outside, rootGrow: rootBytes(m) !== undefined, fork }));
    const launch: VmLaunch = {
      ...this.shape(m, accel),
      kernel: image.kernel,
      initrd: image.initrd,
      disk,
      dataDrives: dataDrives(dir, m),
      configDisk,
      nics: macs.map((mac, k) => ({ tap: tapName(m.index, k), mac })),
      qmpSocket: path.join(dir, 'qmp.sock'),
      controlSocket: path.join(dir, 'ctl.sock'),
      consoleLog: path.join(dir, 'console.log'),
      pidFile: path.join(dir, 'qemu.pid'),
      incomingFile: snapshot?.state,
    };
    fs.rmSync(launch.consoleLog, { force: true });
    const vm = await launchQemu(this.qemu!, launch, enterArgs(net));
    try {
      if (snapshot) await resumeRestored(launch.qmpSocket, this.bootTimeoutMs(accel));
      await handshake(launch.controlSocket, { expectWaiting: !snapshot, timeoutMs: this.bootTimeoutMs(accel) });
    } catch (err) {
      killVm(vm);
      throw new Error(`${errorMessage(err)}; console: ${consoleTail(launch.consoleLog)}`, { cause: err });
    }
    return vm;
  }

  /**
   * Waits until the machine's sshd accepts a connection through the relay: proves the
   * agent reaches it, and leaves the relay process running for the user's first
   * connection (starting it costs a Node start-up).
   */
  private async waitForSsh(spec: PlaygroundSpec, machine: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const socket = await this.guestConnect(spec, machine, 22);
        socket.destroy();
        return;
      } catch (err) {
        if (Date.now() > deadline)
          throw new Error(`sshd of ${machine} did not answer in ${Math.round(timeoutMs / 1000)} s: ${errorMessage(err)}`, { cause: err });
        await new Promise((r) => setTimeout(r, 25));
      }
    }
  }

  /**
   * The relay into the playground's namespace (a new one when the namespace is new). With
   * a way out, it also answers DNS on every gateway: queries go to the agent, which asks
   * the host's resolvers (netns/dns-forwarder.ts, as the sandbox driver does).
   */
  private relayFor(spec: PlaygroundSpec, net: Holder): NetnsRelay {
    const known = this.relays.get(spec.id);
    if (known && known.holder === net.pid) return known.relay;
    known?.relay.close();
    const relay = new NetnsRelay(net.pid);
    this.relays.set(spec.id, { relay, holder: net.pid });
    if (net.uplink && net.uplink.kind !== 'none') {
      relay
        .listenUdp(53, (query) => forwardDnsQuery(query))
        .catch((err: unknown) => this.opts.log?.('warn', `microvm: ${spec.id}: DNS for machines: ${errorMessage(err)}`));
    }
    return relay;
  }

  private closeRelay(spec: PlaygroundSpec): void {
    this.relays.get(spec.id)?.relay.close();
    this.relays.delete(spec.id);
  }

  private driverDir(spec: PlaygroundSpec): string {
    return path.join(spec.dir, 'driver');
  }

  private machineDir(spec: PlaygroundSpec, machine: string): string {
    return path.join(this.driverDir(spec), machine);
  }

  private machinePath(spec: PlaygroundSpec, machine: string, file: string): string {
    return path.join(this.machineDir(spec, machine), file);
  }

  private stateFile(spec: PlaygroundSpec): string {
    return path.join(this.driverDir(spec), 'microvm.json');
  }

  private load(spec: PlaygroundSpec): DriverState {
    return readOwnJson<DriverState>(this.stateFile(spec));
  }

  private save(spec: PlaygroundSpec, state: DriverState): void {
    writeFileAtomicModeSync(this.stateFile(spec), JSON.stringify(state, null, 2));
  }
}
