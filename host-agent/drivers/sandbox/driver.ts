// The embedded default driver: machines made of Linux namespaces, no Docker, no VM, no
// root needed. Per playground: a "hub" holding a user and a network namespace with a
// bridge; per machine: PID 1 in its own user (nested in the hub's), mount, pid, uts, ipc
// and network namespaces, wired to the bridge with a veth pair. The agent itself serves
// each machine's SSH (see ssh-server.ts).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Duplex } from 'node:stream';
import type { MachineState } from '../../api/protocol';
import { duplexPair } from '../../util/duplex-pair';
import { writeFileAtomicModeSync, writeRuntimeStateSync } from '../../util/files';
import { sandlotHome } from '../../util/paths';
import { errorMessage } from '../../util/errors';
import { runCommand, SYSTEM_PATH_ENV } from '../../util/run-command';
import { readOwnJson } from '../../util/json';
import {
  DriverUnavailableError,
  type DoctorCheck,
  type DoctorReport,
  type Driver,
  type DriverContext,
  type MachineSnapshot,
  type MachineSpec,
  type PlaygroundSpec,
} from '../protocol';
import { SandboxMachineProcesses, findSftpServer } from './machine-processes';
import { StartTimes } from './start-times';
import { claimSlot, ensureClaim, releaseSlot } from './uid-ranges';
import {
  driveProblems,
  drivesEnv,
  firstBootFile,
  imageRootsUnavailable,
  mountImageFiles,
  namesImage,
  prepareImageDisks,
  rootModeOf,
  writeImageEtc,
} from './image-root';
import { copyTree, copyUpperFromDisk, machineSnapshotDir, pauseMachine, shiftOwners, snapshotLayers, usedBytes } from './snapshot';
import { SandboxRootfsBuilder } from '../../images/sandbox-rootfs';
import { vmCacheDir } from '../../images/vm/cache-dir';
import { machineDir, OWN_DIRS, prepareMachineDirs, renderResolvConf, startupFileProblems, writeIdentityFiles } from './machine-files';
import { hostAddresses, renderHostsFile } from '../hosts-file';
import { attachUplink, detachUplink, uplinkAlive, uplinkMethod, type UplinkRecord } from '../../netns/uplink';
import { forwardDnsQuery } from '../../netns/dns-forwarder';
import {
  AGENT_IS_ROOT,
  builtHelper,
  enterHelper,
  enterUserFlags,
  idMapForSlot,
  initScript,
  isAlive,
  processStartTime,
  startHolder,
  treeRss,
  writeTopLevelIdMaps,
  type IdMap,
} from './namespaces';
import { NetnsRelay } from '../../netns/relay';
import { MachineSshServer } from './ssh-server';
import {
  addToCgroups,
  CGROUP_ROOT,
  createMachineCgroup,
  describeLayout,
  prepareCgroupLayout,
  releaseLayout,
  removeMachineCgroups,
  type CgroupLayout,
} from './cgroups';

interface Holder {
  pid: number;
  start: number;
  /** The machine's cgroup directories (one per hierarchy on cgroup v1), if limited. */
  cgroups?: string[];
}

interface SandboxState {
  slot: number;
  hub?: Holder;
  /** The hub's way out (NAT), when a network is not private. */
  uplink?: UplinkRecord;
  machines: Record<string, Holder | undefined>;
  /** A fork: the snapshot directory its machines start from (their layers stay there, read-only). */
  from?: string;
}

interface Live {
  ssh?: MachineSshServer;
  relay?: NetnsRelay;
  processes?: SandboxMachineProcesses;
  /** The machine's PID 1 these belong to (a restarted machine gets new ones). */
  pid?: number;
}

/** The hub's bridge for network `i` of the playground (names must fit in 15 characters). */
function bridgeName(i: number): string {
  return `br${i}`;
}

export interface SandboxDriverOptions {
  /** Directory holding every playground's dir (to find used uid ranges). */
  playgroundsDir: string;
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
}

export class SandboxDriver implements Driver {
  readonly name = 'sandbox' as const;
  private readonly live = new Map<string, Live>();
  /** Per playground: the relay in the hub's network namespace (DNS for machines). */
  private readonly hubRelays = new Map<string, NetnsRelay>();
  private readonly rootfsBuilder = new SandboxRootfsBuilder({ cacheDir: vmCacheDir(sandlotHome()) });
  private preflightResult: Promise<void> | undefined;
  private layout: CgroupLayout | undefined;

  constructor(private readonly opts: SandboxDriverOptions) {}

  describeIsolation(): string {
    const limits = describeLayout(this.cgroupLayout());
    const out = uplinkMethod();
    const wayOut =
      out.kind === 'none'
        ? `no way out of playgrounds (${out.detail})`
        : `non-private networks reach outside through NAT (${out.detail}), never the host's own services or other playgrounds`;
    return AGENT_IS_ROOT
      ? `sandbox: each machine has its own user (unprivileged uid range), mount, pid, uts, ipc and network namespaces; a bridge per playground network; ${wayOut}; host root filesystem read-only and locked; ${limits}`
      : `sandbox (non-root): each machine has its own user, mount, pid, uts, ipc and network namespaces; only the root user exists in machines and it is your own uid on the host; a bridge per playground network; ${wayOut}; host root filesystem read-only and locked; ${limits}`;
  }

  /** Where machine cgroups go; decided once per agent (SANDLOT_CGROUP_ROOT moves the cgroup fs, for tests). */
  private cgroupLayout(): CgroupLayout {
    this.layout ??=
      process.platform === 'linux' ? prepareCgroupLayout({ root: process.env.SANDLOT_CGROUP_ROOT || CGROUP_ROOT }) : { kind: 'none', reason: 'not Linux' };
    return this.layout;
  }

  async doctor(): Promise<DoctorReport> {
    const checks: DoctorCheck[] = [];
    checks.push({
      name: 'Linux',
      ok: process.platform === 'linux',
      detail: `platform ${process.platform}`,
      fix: 'use the docker driver (--driver docker) on this system',
    });
    for (const [tool, pkg] of [
      ['unshare', 'util-linux'],
      ['nsenter', 'util-linux'],
      ['ip', 'iproute2'],
    ] as const) {
      const found = which(tool);
      checks.push({ name: tool, ok: !!found, detail: found ?? 'not found', fix: `install Debian package ${pkg}` });
    }
    const sftp = findSftpServer();
    checks.push({ name: 'sftp-server', ok: !!sftp, detail: sftp ?? 'not found', fix: 'install Debian package openssh-sftp-server' });
    if (process.platform === 'linux') {
      const r = spawnSync('unshare', ['--user', '--map-root-user', '--net', '--mount', '--pid', '--fork', 'true'], { encoding: 'utf8' });
      checks.push({
        name: 'unprivileged user namespaces',
        ok: r.status === 0,
        detail: r.status === 0 ? 'available' : (r.stderr || r.error?.message || 'unavailable').trim(),
        fix: 'enable them (sysctl kernel.unprivileged_userns_clone=1 and user.max_user_namespaces>0) or use the docker driver (--driver docker)',
      });
    }
    const enter = enterHelper();
    checks.push({
      name: 'seccomp filter',
      ok: true,
      warning: !enter,
      detail: enter ? `${enter} (keyrings, bpf, io_uring, perf, modules, kexec… refused in machines)` : 'not applied: dist/sandlot-enter was not built',
      fix: 'install a C compiler (Debian package build-essential) and run npm run build',
    });
    // Informational: machines start either way, only without a way out.
    const out = uplinkMethod();
    checks.push({ name: 'way out (NAT)', ok: true, warning: out.kind === 'none', detail: out.detail, ...(out.fix ? { fix: out.fix } : {}) });
    // Informational: machines start either way, only without cpu/ram limits.
    const layout = this.cgroupLayout();
    checks.push({
      name: 'cpu/ram limits',
      ok: true,
      warning: layout.kind === 'none',
      detail: layout.kind === 'none' ? `not enforced: ${layout.reason}` : describeLayout(layout),
      fix: 'run the agent as root on a host with a writable cgroup file system (v2 with cpu+memory controllers, or v1 cpu and memory hierarchies), or in a delegated cgroup v2 subtree',
    });
    return { driver: 'sandbox', usable: checks.every((c) => c.ok), checks };
  }

  preflight(): Promise<void> {
    this.preflightResult ??= this.doctor().then((report) => {
      const failed = report.checks.filter((c) => !c.ok);
      if (failed.length > 0) {
        this.preflightResult = undefined;
        throw new DriverUnavailableError(
          'sandbox',
          `the sandbox driver cannot run here: ${failed.map((c) => `${c.name}: ${c.detail} (${c.fix})`).join('; ')}. The docker driver (sandlot agent --driver docker) works without namespaces.`,
        );
      }
      const layout = this.cgroupLayout();
      if (layout.kind === 'none') this.opts.log?.('warn', `sandbox: cpuCount and ramSize of machines are not enforced: ${layout.reason}`);
      else this.opts.log?.('info', `sandbox: ${describeLayout(layout)}`);
    });
    return this.preflightResult;
  }

  async validate(spec: PlaygroundSpec): Promise<void> {
    const problems = spec.machines.flatMap((m, i) => [...(rootModeOf(spec, m) === 'view' ? startupFileProblems(m, i) : []), ...driveProblems(spec, m)]);
    if (problems.length > 0) throw new Error(problems.join('\n'));
  }

  async create(spec: PlaygroundSpec, ctx: DriverContext): Promise<void> {
    await this.preflight();
    for (const m of spec.machines) {
      const missing = m.users.filter((u) => !this.availableUsers([u]).length).map((u) => u.name);
      if (missing.length > 0) {
        ctx.log(
          'warn',
          `users ${missing.join(', ')} are not available: the sandbox driver running as a normal user provides only root (run the agent as root, or use the docker driver)`,
          m.name,
        );
      }
    }
    const state: SandboxState = { slot: this.freeSlot(spec), machines: {} };
    this.save(spec, state, 'durable');
    await this.start(spec, ctx);
  }

  async snapshot(spec: PlaygroundSpec, dir: string, ctx: DriverContext): Promise<MachineSnapshot[]> {
    const state = this.load(spec);
    const ids = idMapForSlot(state.slot);
    // Paused for the moment of the copy, all machines together: one consistent playground.
    const resumes = spec.machines.flatMap((m) => {
      const h = state.machines[m.name];
      return h && isAlive(h.pid, h.start) ? [pauseMachine(h.pid)] : [];
    });
    const out: MachineSnapshot[] = [];
    try {
      for (const m of spec.machines) {
        ctx.progress('snapshot', 'started', m.name);
        const md = machineDir(this.driverDir(spec), m.name);
        const part = path.join(dir, machineSnapshotDir(m.name));
        const paths: string[] = [];
        const disk = path.join(md, 'disk.img');
        if (fs.existsSync(disk)) {
          // Layers bottom to top above the image: a fork's own snapshot layers first, then what this machine changed.
          const inherited = state.from ? snapshotLayers(state.from, m.name) : [];
          for (const [i, layer] of inherited.entries()) await copyTree(layer, path.join(part, 'layers', String(i)));
          await copyUpperFromDisk(disk, path.join(part, 'layers', String(inherited.length)));
          paths.push(path.join(machineSnapshotDir(m.name), 'layers'));
        } else {
          for (const own of OWN_DIRS) await copyTree(path.join(md, own), path.join(part, own));
          paths.push(...OWN_DIRS.map((own) => path.join(machineSnapshotDir(m.name), own)));
        }
        ctx.progress('snapshot', 'done', m.name);
        out.push({ name: m.name, image: m.image, paths, bytes: 0 });
      }
    } finally {
      for (const resume of resumes) resume();
    }
    // Owned by plain ids 0-65535, like an image: any playground's range maps it back in.
    if (AGENT_IS_ROOT) shiftOwners(path.join(dir, 'machines'), ids, -ids.outer);
    for (const m of out) m.bytes = usedBytes(path.join(dir, machineSnapshotDir(m.name)));
    return out;
  }

  async createFromSnapshot(spec: PlaygroundSpec, dir: string, ctx: DriverContext): Promise<void> {
    await this.preflight();
    const state: SandboxState = { slot: this.freeSlot(spec), machines: {}, from: dir };
    this.save(spec, state, 'durable');
    const ids = idMapForSlot(state.slot);
    for (const m of spec.machines) {
      const part = path.join(dir, machineSnapshotDir(m.name));
      if (fs.existsSync(path.join(part, 'layers'))) continue; // stacked read-only at start, nothing to copy
      // A host-view machine's own directories are copied (block-shared where the file system can).
      const md = machineDir(this.driverDir(spec), m.name);
      for (const own of OWN_DIRS) {
        if (!fs.existsSync(path.join(part, own))) continue;
        await copyTree(path.join(part, own), path.join(md, own));
        if (AGENT_IS_ROOT) shiftOwners(path.join(md, own), { outer: 0, count: ids.count }, ids.outer);
      }
      // The fork's own identity: the original's keys must not survive in it.
      writeIdentityFiles(md, m, ids);
    }
    await this.start(spec, ctx);
  }

  async start(spec: PlaygroundSpec, ctx: DriverContext): Promise<void> {
    await this.preflight();
    const state = this.load(spec);
    const times = new StartTimes();
    try {
      await this.startIn(spec, state, ctx, times);
      this.opts.log?.('info', times.line(spec.id));
    } catch (err) {
      this.opts.log?.('info', `${times.line(spec.id)} (failed)`);
      // A playground that failed to start holds nothing: no hub, no half the machines, no
      // uplink (a later start begins afresh, destroy has nothing left to find).
      await this.killAll(spec, state).catch(() => undefined);
      this.save(spec, state);
      throw err;
    }
  }

  private async startIn(spec: PlaygroundSpec, state: SandboxState, ctx: DriverContext, times: StartTimes): Promise<void> {
    const ids = idMapForSlot(state.slot);
    if (AGENT_IS_ROOT) {
      const other = ensureClaim(state.slot, spec.dir);
      if (other) throw new Error(`uid range ${state.slot} of this playground is also claimed by ${other}; destroy one of them`);
    }
    // The network (hub, then the way out), the image roots and each machine's disks are made
    // at once: a machine's setup needs only the hub; the start ends once the way out is made
    // too. Every promise gets a no-op handler here, so a failure is reported where it is
    // awaited and never as unhandled.
    let hubUp: Promise<Holder>;
    let hubReady: Promise<Holder>;
    let network: Promise<void>;
    // Whether machines reach outside (their resolv.conf), known before the way out is made:
    // attaching it either works or fails the start, unless there is no way to make one.
    const outside =
      state.hub && isAlive(state.hub.pid, state.hub.start)
        ? uplinkAlive(state.uplink)
        : uplinkMethod().kind !== 'none' && spec.networks.some((n) => !n.private);
    if (!state.hub || !isAlive(state.hub.pid, state.hub.start)) {
      // Without the hub the remaining machines have lost their network: begin afresh.
      await this.killAll(spec, state);
      ctx.progress('network', 'started');
      // A machine's setup enters the hub as soon as its namespaces and id maps exist (hubUp),
      // while the hub makes its bridges; a machine is plugged in only once they exist (hubReady).
      // The hub is in the state from then on, so a failed start kills it too.
      let up!: (hub: Holder) => void;
      const upOnly = new Promise<Holder>((resolve) => (up = resolve));
      hubReady = this.startHub(spec, ids, times, (hub) => {
        state.hub = hub;
        this.save(spec, state);
        up(hub);
      });
      hubUp = Promise.race([upOnly, hubReady]);
      network = hubReady.then(async (hub) => {
        state.uplink = await times.time('uplink', () => this.wayOut(spec, hub, ctx));
        this.save(spec, state);
        ctx.progress('network', 'done');
        this.serveDns(spec, state);
      });
    } else {
      hubReady = hubUp = Promise.resolve(state.hub);
      network = Promise.resolve();
      this.serveDns(spec, state);
    }
    const roots = times.time('image roots', () => this.imageRoots(spec, ctx));
    for (const p of [hubUp, hubReady, network, roots]) p.catch(() => undefined);
    const files = (m: MachineSpec) => ({ hosts: renderHostsFile(spec), resolvConf: renderResolvConf(m, outside) });
    // Settled, not Promise.all: on a failure every machine still starting must have finished
    // (and be in the state) before start() kills what there is.
    const started = await Promise.allSettled([
      network,
      ...spec.machines.map(async (m) => {
        const current = state.machines[m.name];
        if (current && isAlive(current.pid, current.start)) return;
        const rootfs = (await roots).get(m.name);
        ctx.progress('machine', 'started', m.name);
        // A machine that died while the agent was down may have left its cgroup behind.
        if (current?.cgroups) await removeMachineCgroups(current.cgroups);
        const dir = machineDir(this.driverDir(spec), m.name);
        let etcFiles: (() => Promise<void>) | undefined;
        if (rootfs) {
          const disks = times.time(`${m.name} disks`, () => prepareImageDisks(dir, m, this.rootfsBuilder.cacheDir));
          disks.catch(() => undefined);
          etcFiles = async () => {
            await disks;
            writeImageEtc(dir, m, { ...files(m), firstBoot: firstBootFile(m, !!state.from) });
          };
        } else {
          await times.time(`${m.name} files`, () => prepareMachineDirs(dir, m, ids, files(m)));
        }
        const cgroups = await times.time(`${m.name} cgroup`, () => this.machineCgroups(spec, m, ctx));
        // An image root's layers, bottom to top: the image, then a fork's snapshot layers.
        const image = rootfs ? { lowers: [rootfs, ...(state.from ? snapshotLayers(state.from, m.name) : [])], etcFiles: etcFiles! } : undefined;
        state.machines[m.name] = await this.startMachine(spec, m, dir, { hub: await hubUp, ready: hubReady }, ids, cgroups, ctx, times, image);
        ctx.progress('machine', 'done', m.name);
      }),
    ]);
    const failed = started.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    // The state with every machine's pid; port 22 inside each machine (most are served since their "go").
    await times.time('record', () => {
      this.save(spec, state);
      this.serveInMachineSsh(spec);
    });
  }

  async stop(spec: PlaygroundSpec, _ctx: DriverContext): Promise<void> {
    const state = this.load(spec);
    await this.killAll(spec, state);
    this.save(spec, state);
  }

  async destroy(spec: PlaygroundSpec, ctx: DriverContext): Promise<void> {
    if (fs.existsSync(this.stateFile(spec))) {
      await this.stop(spec, ctx);
      if (AGENT_IS_ROOT) releaseSlot(this.load(spec).slot, spec.dir);
    }
    fs.rmSync(this.driverDir(spec), { recursive: true, force: true });
  }

  async adopt(spec: PlaygroundSpec): Promise<Record<string, MachineState>> {
    const out: Record<string, MachineState> = {};
    let state: SandboxState;
    try {
      state = this.load(spec);
    } catch {
      for (const m of spec.machines) out[m.name] = 'stopped';
      return out;
    }
    const hubAlive = !!state.hub && isAlive(state.hub.pid, state.hub.start);
    for (const m of spec.machines) {
      const h = state.machines[m.name];
      out[m.name] = hubAlive && h && isAlive(h.pid, h.start) ? 'running' : 'stopped';
    }
    if (Object.values(out).every((s) => s === 'running')) {
      this.serveInMachineSsh(spec);
      this.serveDns(spec, state);
    }
    return out;
  }

  async connect(spec: PlaygroundSpec, machine: string, port: number): Promise<Duplex> {
    const live = this.liveMachine(spec, machine);
    if (port === 22) {
      const [ours, theirs] = duplexPair();
      live.ssh!.accept(ours);
      return theirs;
    }
    return live.relay!.connect('127.0.0.1', port);
  }

  address(spec: PlaygroundSpec, machine: string): string | undefined {
    return spec.machines.find((x) => x.name === machine)?.interfaces[0]?.address;
  }

  async memoryUsage(spec: PlaygroundSpec): Promise<Record<string, number>> {
    const state = this.load(spec);
    const out: Record<string, number> = {};
    for (const m of spec.machines) {
      const h = state.machines[m.name];
      if (h && isAlive(h.pid, h.start)) out[m.name] = treeRss(h.pid);
    }
    return out;
  }

  async close(): Promise<void> {
    if (this.layout) releaseLayout(this.layout);
    for (const relay of this.hubRelays.values()) relay.close();
    this.hubRelays.clear();
    for (const live of this.live.values()) {
      live.ssh?.close();
      live.relay?.close();
    }
    this.live.clear();
  }

  // --- internals ---

  private liveMachine(spec: PlaygroundSpec, machine: string): Live {
    const key = `${spec.id}/${machine}`;
    const m = spec.machines.find((x) => x.name === machine);
    if (!m) throw new Error(`no machine "${machine}" in playground ${spec.id}`);
    const state = this.load(spec);
    const h = state.machines[machine];
    if (!h || !isAlive(h.pid, h.start)) throw new Error(`machine ${machine} of ${spec.id} is not running`);
    const live = this.live.get(key);
    if (live?.ssh && live.relay && live.pid === h.pid) return live;
    return this.serveMachine(spec, m, h.pid, h.cgroups);
  }

  /**
   * The agent's side of a machine whose PID 1 is `pid`: its relay (a process in its network
   * namespace), the processes it runs and its SSH server, listening on port 22 inside it.
   * Made as soon as the machine's network exists, so the relay starts while the machine's
   * init runs rather than when its first SSH session arrives.
   */
  private serveMachine(spec: PlaygroundSpec, m: MachineSpec, pid: number, cgroups: string[] | undefined): Live {
    const key = `${spec.id}/${m.name}`;
    this.dropLive(key);
    // Nothing of a start waits for it (the agent's own SSH reaches the machine without it).
    const relay = new NetnsRelay(pid, { background: true });
    const processes = new SandboxMachineProcesses({
      pid,
      users: this.availableUsers(m.users),
      relay,
      hosts: hostAddresses(spec),
      subnets: spec.networks.map((n) => n.subnet),
      cgroups,
    });
    const ssh = new MachineSshServer(m.hostKey.privateKey, spec.authorizedKey, processes, (level, message) =>
      this.opts.log?.(level, `${spec.id}/${m.name}: ${message}`),
    );
    const live = { ssh, relay, processes, pid };
    this.live.set(key, live);
    // Port 22 inside the machine is the same embedded server: `ssh node-02` from a
    // neighbour (with the key and known_hosts every user gets) lands here too.
    if (!m.noSSH) {
      relay
        .listen(22, (socket) => ssh.accept(socket))
        .catch((err: Error) => this.opts.log?.('warn', `${spec.id}/${m.name}: ssh from other machines: ${err.message}`));
    }
    return live;
  }

  private dropLive(key: string): void {
    const live = this.live.get(key);
    live?.ssh?.close();
    live?.relay?.close();
    this.live.delete(key);
  }

  /** Serves every machine's in-machine port 22 now, not on first use through the agent. */
  private serveInMachineSsh(spec: PlaygroundSpec): void {
    for (const m of spec.machines) {
      try {
        this.liveMachine(spec, m.name);
      } catch (err) {
        this.opts.log?.('warn', `${spec.id}/${m.name}: ssh from other machines: ${errorMessage(err)}`);
      }
    }
  }

  /** As a normal user only root can exist in a machine (one uid is all we may map). */
  private availableUsers<T extends { uid: number }>(users: T[]): T[] {
    return AGENT_IS_ROOT ? users : users.filter((u) => u.uid === 0);
  }

  /** The hub, up once its bridges are; `onPid` as soon as its namespaces and id maps exist. */
  private async startHub(spec: PlaygroundSpec, ids: IdMap, times: StartTimes, onPid: (hub: Holder) => void): Promise<Holder> {
    const init = builtHelper('sandlot-init');
    const { pid } = await startHolder({
      // Its own pid namespace: killing its PID 1 ends every process of the hub.
      argv: init ? [] : ['unshare', '--user', '--net', '--pid', '--fork'],
      role: 'hub',
      ...(init ? { init } : {}),
      env: {
        M_BRIDGES: spec.networks.map((n, i) => `${bridgeName(i)} ${n.private ? '-' : `${n.gateway}/${n.subnet.split('/')[1]}`}`).join(';'),
      },
      uid: AGENT_IS_ROOT ? ids.outer : undefined,
      gid: AGENT_IS_ROOT ? ids.outer : undefined,
      logFile: path.join(this.driverDir(spec), 'hub.log'),
      on: {
        pid: async (p) => {
          writeTopLevelIdMaps(p, ids);
          onPid({ pid: p, start: processStartTime(p)! });
        },
      },
      times: { label: 'hub', record: (label, start) => times.record(label, start) },
    });
    return { pid, start: processStartTime(pid)! };
  }

  /** Makes the machine's cgroup with its limits; on failure the machine runs unlimited (said in the log). */
  private machineCgroups(spec: PlaygroundSpec, m: PlaygroundSpec['machines'][number], ctx: DriverContext): string[] {
    const layout = this.cgroupLayout();
    if (layout.kind === 'none') return [];
    try {
      return createMachineCgroup(layout, spec.id, m.name, { cpuCount: m.resources.cpuCount, ramBytes: m.resources.ramBytes });
    } catch (err) {
      ctx.log('warn', `cpuCount and ramSize are not enforced for this machine: ${errorMessage(err)}`, m.name);
      return [];
    }
  }

  private async startMachine(
    spec: PlaygroundSpec,
    m: MachineSpec,
    dir: string,
    /** The hub (its namespaces exist) and when its bridges are up (before the machine is plugged in). */
    { hub, ready: hubReady }: { hub: Holder; ready: Promise<Holder> },
    ids: IdMap,
    cgroups: string[],
    ctx: DriverContext,
    times: StartTimes,
    /** An image root: its layers (bottom to top) and what writes its etc files before they are mounted. */
    image?: { lowers: string[]; etcFiles: () => Promise<void> },
  ): Promise<Holder> {
    const work = privateWorkMount(sandlotHome());
    const init = builtHelper('sandlot-init');
    const wires = m.interfaces.map((iface, i) => ({
      hubSide: `m${m.index}e${i}`,
      bridge: bridgeName(spec.networks.findIndex((n) => n.name === iface.network)),
      inMachine: iface.name,
    }));
    let failed = false;
    // The machine's PID 1 is forked by the setup, so it is born inside its cgroups once the
    // setup is in them: the join (a wait of 10-20 ms in the kernel) runs while the setup
    // makes the root, and is awaited only before the step after which the setup forks (and
    // plugs the machine into the hub's bridges, which must exist by then).
    let joined: Promise<void> = Promise.resolve();
    const beforeFork = async () => void (await Promise.all([joined, hubReady]));
    const joinCgroups = (setupPid: number) => {
      joined = addToCgroups(cgroups, setupPid).catch((err: unknown) => {
        ctx.log('warn', `cpuCount and ramSize are not enforced for this machine: cannot join its cgroup (${errorMessage(err)})`, m.name);
        cgroups = [];
      });
    };
    // Image roots and a root agent's view have a `binds` step before the fork; else `pid` is the last.
    const lastStepBeforeFork = image || AGENT_IS_ROOT ? 'binds' : 'pid';
    const { machine } = await startHolder({
      // Setup runs as root of the hub's user namespace, in a mount namespace of its own.
      // In the hub's network namespace too: setup plugs the machine into the bridges itself.
      // sandlot-init does the same in one process where it was built.
      ...(init
        ? { argv: [], init, initArgs: [String(hub.pid)] }
        : { argv: ['nsenter', '-t', String(hub.pid), '-U', ...enterUserFlags(), '-n', '--', 'unshare', '--mount', '--propagation', 'private'] }),
      role: 'setup',
      env: {
        M_NAME: m.name,
        M_WORK: work,
        M_ROOT_MODE: image ? 'image' : 'view',
        ...(image ? { M_LOWERS: String(image.lowers.length) } : {}),
        ...(enterHelper() ? { M_ENTER: enterHelper()! } : {}),
        ...(init ? { M_INIT: init } : {}),
        M_DRIVES: drivesEnv(m),
        M_IDS: String(ids.count),
        M_WIRES: wires.map((w) => `${w.hubSide} ${w.bridge} ${w.inMachine}`).join(';'),
        M_IFACES: m.interfaces.map((iface) => `${iface.name} ${iface.address}/${iface.prefixLength}`).join(';'),
        ...(m.defaultRoute ? { M_ROUTE: m.defaultRoute.gateway } : {}),
        M_MASK: this.maskedPaths().join(':'),
        M_DIR: dir,
        // The tty group exists in a machine only when the agent maps more than root.
        ...(ids.count > 5 ? { M_TTY_GID: '5' } : {}),
        ...(AGENT_IS_ROOT ? { M_AGENT_BINDS: '1' } : {}),
      },
      logFile: path.join(dir, 'init.log'),
      times: { label: m.name, record: (label, start) => times.record(label, start) },
      spawned: joinCgroups,
      on: {
        ...(lastStepBeforeFork === 'pid' ? { pid: beforeFork } : {}),
        // Root's own credentials can walk to the state dir; the hub's uids may not.
        binds: async (setupPid) => {
          if (!image) {
            await runCommand('nsenter', ['-t', String(setupPid), '-m', '--', 'bash', '-c', initScript(), 'sandlot-init', 'bind', dir, `${work}/root`], {
              env: SYSTEM_PATH_ENV,
            });
          } else {
            await image.etcFiles();
            await times.time(`${m.name} image mounts`, () =>
              mountImageFiles({ hubPid: hub.pid, setupPid, owner: ids.outer, dir, work, lowers: image.lowers, machine: m }),
            );
          }
          await beforeFork();
        },
        machine: async (p) => {
          // Right after "go" (spawning blocks the agent for a moment): the relay then starts
          // while the machine's init runs, not when its first SSH session arrives.
          setImmediate(() => {
            if (!failed) this.serveMachine(spec, m, p, cgroups.length > 0 ? cgroups : undefined);
          });
        },
      },
    }).catch((err: unknown) => {
      failed = true;
      this.dropLive(`${spec.id}/${m.name}`);
      throw err;
    });
    if (!machine) throw new Error(`machine ${m.name}: namespace setup ended without a machine`);
    return { pid: machine, start: processStartTime(machine)!, ...(cgroups.length > 0 ? { cgroups } : {}) };
  }

  /**
   * The rootfs of every machine with an image root, built on first use (minutes, once per
   * recipe version; progress on the event stream). Machines the agent cannot give one
   * keep the host's view, which the log says.
   */
  private async imageRoots(spec: PlaygroundSpec, ctx: DriverContext): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const m of spec.machines) {
      if (rootModeOf(spec, m) === 'view') {
        if (namesImage(spec, m))
          ctx.log('info', `image "${m.image}" not used: ${imageRootsUnavailable()}; this machine gets the host's read-only view`, m.name);
        continue;
      }
      const step = `image ${m.image}`;
      ctx.progress(step, 'started', m.name);
      const built = await this.rootfsBuilder.ensure(m.image, (message) => ctx.progress(step, 'started', m.name, message));
      ctx.progress(step, 'done', m.name);
      out.set(m.name, built.rootfs);
    }
    return out;
  }

  /**
   * NAT for the hub when a network is not private: an uplink to the host (or pasta /
   * slirp4netns as a normal user) and the hub's forwarding rules. Without one, the
   * playground still runs, with no way out, and says why.
   */
  private async wayOut(spec: PlaygroundSpec, hub: Holder, ctx: DriverContext): Promise<UplinkRecord | undefined> {
    if (spec.networks.every((n) => n.private)) return undefined;
    // The hub's forwarding rules come with the uplink (one process in the hub for both).
    const bridges = spec.networks.map((n, i) => ({ name: bridgeName(i), private: n.private }));
    const uplink = await attachUplink(hub.pid, `${spec.id} ${spec.dir}`, bridges);
    if (uplink.kind === 'none') ctx.log('warn', `no way out of this playground: ${uplink.reason}`);
    return uplink;
  }

  /** Answers DNS on the hub's gateways (port 53) by asking the host's resolvers. */
  private serveDns(spec: PlaygroundSpec, state: SandboxState): void {
    if (!state.hub || !uplinkAlive(state.uplink) || this.hubRelays.has(spec.id)) return;
    const relay = new NetnsRelay(state.hub.pid, { background: true });
    this.hubRelays.set(spec.id, relay);
    relay
      .listenUdp(53, (query) => forwardDnsQuery(query))
      .catch((err: unknown) => this.opts.log?.('warn', `${spec.id}: DNS for machines: ${errorMessage(err)}`));
  }

  private async killAll(spec: PlaygroundSpec, state: SandboxState): Promise<void> {
    const cgroups: string[] = [];
    for (const [name, h] of Object.entries(state.machines)) {
      cgroups.push(...(h?.cgroups ?? []));
      this.dropLive(`${spec.id}/${name}`);
      // SIGKILL to a PID namespace's init ends every process in it at once.
      if (h && isAlive(h.pid, h.start)) kill(h.pid);
      state.machines[name] = undefined;
    }
    if (state.hub && isAlive(state.hub.pid, state.hub.start)) kill(state.hub.pid);
    state.hub = undefined;
    this.hubRelays.get(spec.id)?.close();
    this.hubRelays.delete(spec.id);
    await detachUplink(state.uplink);
    state.uplink = undefined;
    if (!(await removeMachineCgroups(cgroups)))
      this.opts.log?.('warn', `${spec.id}: some machine cgroups could not be removed: ${cgroups.filter((d) => fs.existsSync(d)).join(', ')}`);
  }

  /** Paths hidden from machines: the agent's state (keys, tokens, other machines' files). */
  private maskedPaths(): string[] {
    const home = sandlotHome();
    const owned = ['/root', '/home', '/tmp', '/var/tmp', '/proc', '/sys', '/dev', '/run'];
    return owned.some((p) => home === p || home.startsWith(`${p}/`)) ? [] : [home];
  }

  private driverDir(spec: PlaygroundSpec): string {
    return path.join(spec.dir, 'driver');
  }

  private stateFile(spec: PlaygroundSpec): string {
    return path.join(this.driverDir(spec), 'sandbox.json');
  }

  private load(spec: PlaygroundSpec): SandboxState {
    return readOwnJson<SandboxState>(this.stateFile(spec));
  }

  /**
   * The playground's driver state. What a power loss must not lose (its uid range, a fork's
   * snapshot) is written once, `durable`, when it is made; later writes only change process
   * ids (hub, machines, uplink), which must outlive the agent's death but mean nothing after
   * the host's, so they skip the fsync that would hold the event loop on the start path.
   */
  private save(spec: PlaygroundSpec, state: SandboxState, how: 'durable' | 'runtime' = 'runtime'): void {
    (how === 'durable' ? writeFileAtomicModeSync : writeRuntimeStateSync)(this.stateFile(spec), JSON.stringify(state, null, 2));
  }

  /** As root, a host-wide unique uid range (uid-ranges.ts); as a normal user there is only one uid. */
  private freeSlot(spec: PlaygroundSpec): number {
    return AGENT_IS_ROOT ? claimSlot(spec.dir) : 0;
  }
}

/**
 * Where a machine's setup mounts its private work tmpfs: any directory every host has,
 * since the mount exists only in setup's own mount namespace — except one the state dir
 * lies in, which setup still needs to reach.
 */
export function privateWorkMount(stateDir: string, exists = (p: string) => fs.existsSync(p)): string {
  const candidates = ['/run', '/mnt', '/media', '/srv', '/opt', '/var/empty'];
  const found = candidates.find((c) => exists(c) && stateDir !== c && !stateDir.startsWith(`${c}/`));
  if (!found) throw new Error(`no directory to mount a machine's work tmpfs on (tried ${candidates.join(', ')})`);
  return found;
}

function kill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

function which(tool: string): string | undefined {
  for (const dir of ['/usr/sbin', '/usr/bin', '/sbin', '/bin', ...(process.env.PATH ?? '').split(':')]) {
    const p = path.join(dir, tool);
    if (dir && fs.existsSync(p)) return p;
  }
  return undefined;
}
