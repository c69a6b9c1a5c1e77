// Playground lifecycle: create from a template or manifest, stop/start/restart, destroy,
// extend, lifetime enforcement, and re-adoption after an agent restart. Talks to
// machines only through the Driver interface and never branches on which driver it is.
//
// State is written before it is shown: every record the API shows is the one on disk,
// except that an operation in progress shows its transitional state (`starting`,
// `stopping`, …), which is never written. A change that cannot be written (a full disk)
// is not applied, and an operation whose outcome cannot be written is undone, so the
// machines match the record again; the caller gets `state_not_saved`.
import * as os from 'node:os';
import type { Duplex } from 'node:stream';
import { isDeepStrictEqual } from 'node:util';
import {
  ApiProblem,
  DEFAULT_LIFETIME_MINUTES,
  MAX_LIFETIME_MINUTES,
  hostAlias,
  type BodyOf,
  type DriverName,
  type MachineState,
  type PlaygroundEvent,
  type PlaygroundManifestView,
  type PlaygroundRecord,
  type PlaygroundState,
} from '../api/protocol';
import { DRIVER_NAMES } from '../drivers/registry';
import type { Driver, DriverContext, KeyPair, PlaygroundSpec } from '../drivers/protocol';
import { knownHostsLine } from '../keys/keys';
import type { BaseCatalog } from '../manifests/base';
import { chooseDriver, kernelWarnings } from '../manifests/driver-choice';
import { effectiveManifestText } from '../manifests/effective';
import { planInitTasks, resolveInitValues, type PlannedInitTask } from '../manifests/init';
import { runInitTasks } from '../manifests/init-runner';
import { loadManifest, loadManifestText } from '../manifests/load';
import { buildPlaygroundSpec } from '../manifests/spec';
import type { PlaygroundManifest } from '../manifests/schema';
import { resolveTabs } from '../manifests/tabs';
import { SshRunner } from '../tasks/ssh-runner';
import { errorMessage } from '../util/errors';
import { newPlaygroundId } from '../util/ids';
import type { TemplateCatalog } from './catalog';
import { now, type PlaygroundEvents } from './events';
import { hostProblems, type HostFacts } from './host-checks';
import { checkMachinesAnswer } from './member-health';
import { newStoredPlayground } from './new-playground';
import { StateWriteError, type PlaygroundStore, type StoredPlayground } from './store';
import type { WarmPool } from './warm-pool';

/** What a create asks of the pool member it gets: the manifest it resolved (the member must have been made from the same), its name, lifetime and labels. */
interface HandOutRequest {
  manifest: PlaygroundManifest;
  manifestName: string;
  lifetimeMinutes: number;
  labels?: Record<string, string>;
}

interface Entry {
  /** `stored.record` is the record the API shows (one object, shared with the content service). */
  stored: StoredPlayground;
  spec: PlaygroundSpec;
  /** Undefined when this agent does not run the playground's driver. */
  driver: Driver | undefined;
  /** Serialises lifecycle operations on one playground. */
  queue: Promise<unknown>;
  /** Serialises record writes, so the last one written is the newest. */
  writes: Promise<unknown>;
  /** The record as it is on disk. */
  persisted: PlaygroundRecord;
  /** The state an operation in progress shows (never written). */
  transition?: PlaygroundState;
  /** The manifest's init tasks for the chosen init condition values: run once, when the machines first come up. */
  initTasks?: PlannedInitTask[];
  /** A finished one-shot run's playground being destroyed in the background: nobody's any more, so not listed. */
  released?: boolean;
  /**
   * A new playground's: called once its driver has made the machines (before its init tasks
   * and before the record says `running`); from then on they answer connect(…, provisioning).
   */
  made?: () => void;
  /** Settles when `made` is called or provisioning ends without it. */
  madeOrOver?: Promise<void>;
}

export interface ManagerOptions {
  store: PlaygroundStore;
  catalog: TemplateCatalog;
  drivers: Partial<Record<DriverName, Driver>>;
  defaultDriver: DriverName;
  events: PlaygroundEvents;
  log: (level: 'info' | 'warn' | 'error', message: string) => void;
  /** How often lifetimes are checked. */
  sweepMs?: number;
  /** This host's limits (tests pass their own). */
  host?: HostFacts;
  /** Runs after an expired playground was stopped and before it is destroyed (autoSnapshotOnExpiry); when it fails, the playground is kept. */
  beforeExpiry?: (id: string) => Promise<void>;
}

/** A fork: the new playground's machines start from this snapshot (snapshots/service.ts). */
export interface ForkSource {
  snapshot: string;
  /** The driver that made the snapshot. */
  driver: DriverName;
  /** The snapshot's directory, handed to Driver.createFromSnapshot. */
  dir: string;
  template: string;
  title?: string;
}

/** What a user is told when a driver has no snapshots. */
export function cannotSnapshot(driver: DriverName): string {
  return `the ${driver} driver cannot snapshot yet (snapshots and forks work with the sandbox and docker drivers)`;
}

const clone = (r: PlaygroundRecord): PlaygroundRecord => structuredClone(r);

export class PlaygroundManager {
  private readonly entries = new Map<string, Entry>();
  private sweepTimer: NodeJS.Timeout | undefined;
  /** Set by the agent when `--warm` asks for one: creates of its templates take a member from it. */
  warmPool: WarmPool | undefined;
  /** Hooks other services (the task engine) use to follow lifecycle changes. */
  readonly onStateChange = new Set<(record: PlaygroundRecord) => void>();

  constructor(private readonly opts: ManagerOptions) {}

  // --- start-up ---

  /** Loads every stored playground, re-adopts running machines, restarts the ones that were running. */
  async init(): Promise<void> {
    const { loaded, notes } = this.opts.store.loadAll();
    for (const note of notes) this.opts.log('warn', `playground store: ${note}`);
    for (const stored of loaded) await this.adopt(stored);
    this.sweepTimer = setInterval(() => this.sweep(), this.opts.sweepMs ?? 5000);
    this.sweepTimer.unref();
  }

  private async adopt(stored: StoredPlayground): Promise<void> {
    const id = stored.record.id;
    let spec: PlaygroundSpec;
    try {
      spec = this.buildSpec(stored, loadManifestText(stored.manifestText, stored.manifestName));
    } catch (err) {
      this.opts.log('warn', `playground store: ${this.opts.store.setAside(id, `its manifest no longer validates: ${errorMessage(err)}`)}`);
      return;
    }
    const driver = this.opts.drivers[stored.record.driver];
    if (stored.pool !== undefined) return this.removeLeftoverPoolMember(stored, spec, driver);
    const entry: Entry = {
      stored,
      spec,
      driver,
      queue: Promise.resolve(),
      writes: Promise.resolve(),
      persisted: clone(stored.record),
    };
    this.entries.set(id, entry);
    if (!driver) {
      entry.transition = 'lost';
      stored.record.state = 'lost';
      stored.record.error = `the ${stored.record.driver} driver is not enabled in this agent (start it with --driver ${stored.record.driver})`;
      return;
    }
    const was = stored.record.state;
    if (was === 'destroying' || stored.run) {
      const why = was === 'destroying' ? 'finishing an interrupted destroy' : 'destroying the playground of a run that ended with the last agent';
      void this.destroy(id).catch((err: unknown) => this.opts.log('error', `${id}: ${why}: ${errorMessage(err)}`));
      return;
    }
    // Transitional states are only on disk from agents before state-first writes.
    const wasRunning = ['running', 'provisioning', 'starting', 'stopping'].includes(was);
    let states: Record<string, MachineState>;
    try {
      states = await driver.adopt(entry.spec, this.ctx(entry));
    } catch (err) {
      await this.fail(entry, `cannot re-adopt: ${errorMessage(err)}`).catch((e: unknown) => this.opts.log('error', `${id}: ${errorMessage(e)}`));
      return;
    }
    const machineState = (name: string) => states[name] ?? 'lost';
    const running = stored.record.machines.filter((m) => machineState(m.name) === 'running').length;
    try {
      if (running === stored.record.machines.length) {
        await this.commit(entry, (r) => {
          r.state = 'running';
          for (const m of r.machines) m.state = 'running';
        });
      } else if (wasRunning) {
        this.opts.log('info', `${id}: machines were not running after the agent restarted; starting them again`);
        void this.enqueue(entry, () => this.doStart(entry)).catch((err: unknown) => this.opts.log('error', `${id}: ${errorMessage(err)}`));
      } else if (running > 0) {
        // Half started when the last agent stopped, recorded as stopped: honour the record.
        void this.enqueue(entry, () => this.doStop(entry)).catch((err: unknown) => this.opts.log('error', `${id}: ${errorMessage(err)}`));
      } else if (was !== 'failed') {
        await this.commit(entry, (r) => {
          r.state = 'stopped';
          for (const m of r.machines) m.state = machineState(m.name);
        });
      }
    } catch (err) {
      this.opts.log('warn', `${id}: ${errorMessage(err)}`);
    }
  }

  /** A warm pool member of an agent that did not stop cleanly: never a user's, so it goes. */
  private async removeLeftoverPoolMember(stored: StoredPlayground, spec: PlaygroundSpec, driver: Driver | undefined): Promise<void> {
    const id = stored.record.id;
    if (!driver) {
      this.opts.log(
        'warn',
        `playground store: ${this.opts.store.setAside(id, `a warm pool member of the ${stored.record.driver} driver, which is not enabled`)}`,
      );
      return;
    }
    const quiet: DriverContext = { progress: () => undefined, log: () => undefined };
    try {
      await driver.destroy(spec, quiet);
      this.opts.store.remove(id);
      this.opts.log('info', `${id}: removed a warm pool member (${stored.pool}) the last agent left`);
    } catch (err) {
      this.opts.log('warn', `playground store: ${this.opts.store.setAside(id, `a warm pool member that could not be removed: ${errorMessage(err)}`)}`);
    }
  }

  async close(): Promise<void> {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    await Promise.allSettled([...this.entries.values()].map((e) => e.queue));
  }

  // --- queries ---

  list(): PlaygroundRecord[] {
    return [...this.entries.values()]
      .filter((e) => e.stored.pool === undefined && !e.released)
      .map((e) => e.stored.record)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  get(id: string): PlaygroundRecord {
    return this.entry(id).stored.record;
  }

  spec(id: string): PlaygroundSpec {
    return this.entry(id).spec;
  }

  userKey(id: string): KeyPair {
    return this.entry(id).stored.userKey;
  }

  knownHosts(id: string): string[] {
    const e = this.entry(id);
    return e.stored.record.machines.map((m) => knownHostsLine(hostAlias(id, m.name), m.hostKey));
  }

  async memoryUsage(id: string): Promise<Record<string, number>> {
    const e = this.entry(id);
    return (await e.driver?.memoryUsage?.(e.spec)) ?? {};
  }

  // --- lifecycle ---

  async create(req: BodyOf<'createPlayground'>, fork?: ForkSource): Promise<PlaygroundRecord> {
    return this.make(req, fork);
  }

  /**
   * A one-shot run's own playground (`sandlot run` without --keep): stored with its run
   * mark, so releaseForDestroy has nothing to write before the run's exit is answered, and an
   * agent that starts and finds it destroys it (its run ended with the last agent).
   */
  async createForRun(req: BodyOf<'createPlayground'>): Promise<PlaygroundRecord> {
    return this.make(req, undefined, undefined, true);
  }

  /**
   * Makes a warm pool member of a template (not listed, not reachable by id); resolves
   * with its id once it runs. One that fails is destroyed and the error thrown.
   */
  async makePoolMember(template: string): Promise<string> {
    const record = await this.make({ template, lifetimeMinutes: MAX_LIFETIME_MINUTES }, undefined, template);
    const e = this.entries.get(record.id)!;
    const done = await this.enqueue(e, async () => e.stored.record);
    let why = done.error ?? `it ended ${done.state}`;
    if (done.state === 'running') {
      // The member was made with an identity of its own (keys generated for it, its id as
      // hostname), which its hand-out keeps: nothing is written into the machines then. This
      // rewrite of that identity proves now that the driver reaches every machine as root
      // and, under software emulation, has a VM translate sshd's and the shell's code: the
      // first SSH login costs seconds, which the pool pays now instead of the user.
      try {
        await e.driver?.refreshIdentity?.(e.spec, this.ctx(e));
        return done.id;
      } catch (err) {
        why = `writing its identity again as root: ${errorMessage(err)}`;
      }
    }
    await this.destroyPoolMember(done.id);
    throw new Error(why);
  }

  /** Destroys a warm pool member (when the pool empties or a hand-out went wrong). */
  async destroyPoolMember(id: string): Promise<void> {
    if (this.entries.get(id)?.stored.pool === undefined) return;
    await this.destroyEntry(this.entries.get(id)!);
  }

  private async make(req: BodyOf<'createPlayground'>, fork?: ForkSource, poolTemplate?: string, run = false): Promise<PlaygroundRecord> {
    const { manifest, manifestName, template, warnings } = this.resolveManifest(req);
    // A fork runs on the driver that made its snapshot, whatever the manifest prefers now.
    const choice = fork
      ? { driver: fork.driver, warnings: [] }
      : chooseDriver(
          manifest,
          DRIVER_NAMES.filter((n) => this.opts.drivers[n]),
          this.opts.defaultDriver,
        );
    const driverName = choice.driver;
    const inputs = resolveInitValues(manifest, req.inputs ?? {});
    if (inputs.problems.length > 0) throw new ApiProblem('invalid_request', inputs.problems.map((p) => `${manifestName}: ${p}`).join('\n'));
    const lifetimeMinutes = req.lifetimeMinutes ?? DEFAULT_LIFETIME_MINUTES;
    if (!fork && poolTemplate === undefined && this.poolCanServe(req, driverName)) {
      const handed = await this.takeFromPool(template, { manifest, manifestName, lifetimeMinutes, labels: req.labels });
      if (handed) return handed;
    }
    // What is stored is the effective manifest: complete without its base, so a restarted agent reads it alone.
    const manifestText = effectiveManifestText(manifest, driverName, `Effective manifest of ${manifestName}`);
    const driver = this.opts.drivers[driverName];
    if (!driver) {
      throw new ApiProblem(
        'driver_not_enabled',
        `template "${template}" needs the ${driverName} driver, which this agent was not started with (sandlot agent --driver ${driverName})`,
      );
    }
    if (fork && !driver.createFromSnapshot) throw new ApiProblem('snapshot_unsupported', cannotSnapshot(driverName));
    const id = newPlaygroundId();
    const stored = newStoredPlayground({
      id,
      manifest,
      manifestText,
      manifestName,
      template: fork?.template ?? template,
      driver: driverName,
      lifetimeMinutes,
      labels: req.labels,
    });
    if (poolTemplate !== undefined) stored.pool = poolTemplate;
    if (run) stored.run = true;
    if (fork) {
      stored.record.forkOf = fork.snapshot;
      if (fork.title) stored.record.title = fork.title;
    }
    const spec = this.buildSpec(stored, manifest);
    if (fork) spec.fromSnapshot = fork.dir;
    const problems = hostProblems(spec, driverName, this.opts.host);
    if (problems.length > 0) throw new ApiProblem('invalid_manifest', problems.map((p) => `${manifestName}: ${p}`).join('\n'));
    await driver.preflight().catch((err: unknown) => {
      throw new ApiProblem('driver_unavailable', errorMessage(err));
    });
    await driver.validate?.(spec).catch((err: unknown) => {
      throw new ApiProblem(
        'invalid_manifest',
        errorMessage(err)
          .split('\n')
          .map((l) => `${manifestName}: ${l}`)
          .join('\n'),
      );
    });
    for (const m of stored.record.machines) m.address = driver.address?.(spec, m.name);
    try {
      this.opts.store.create(stored);
    } catch (err) {
      throw notSaved(err, 'nothing was made');
    }
    const initTasks = planInitTasks(manifest, inputs.values);
    const entry: Entry = { stored, spec, driver, queue: Promise.resolve(), writes: Promise.resolve(), persisted: clone(stored.record), initTasks };
    entry.madeOrOver = new Promise<void>((resolve) => (entry.made = resolve));
    this.entries.set(id, entry);
    this.emit(id, {
      type: 'playground',
      at: now(),
      state: 'provisioning',
      message: `${fork ? `forking ${fork.snapshot}: ` : ''}creating ${stored.record.machines.length} machine(s) with the ${driverName} driver`,
    });
    for (const w of [...warnings, ...choice.warnings, ...kernelWarnings(manifest, driverName, os.release())]) {
      this.emit(id, { type: 'log', at: now(), level: 'warn', message: `${manifestName}: ${w}` });
    }
    // provision() records its own failures; either way, whoever waits for the machines stops waiting.
    const over = () => entry.made?.();
    void this.enqueue(entry, () => this.provision(entry, driver, fork?.dir)).then(over, over);
    return stored.record;
  }

  /** A pool member answers a create of its template that asks for nothing a member was not made with. */
  private poolCanServe(req: BodyOf<'createPlayground'>, driver: DriverName): boolean {
    if (!this.warmPool || req.template === undefined || req.manifest !== undefined) return false;
    if (req.inputs && Object.keys(req.inputs).length > 0) return false;
    return this.warmPool.serves(req.template, driver);
  }

  /** A ready pool member made the caller's playground, or undefined (none ready, or the hand-out failed: a cold create follows). */
  private async takeFromPool(template: string, own: HandOutRequest): Promise<PlaygroundRecord | undefined> {
    // A member that cannot be handed out (its machines died in the pool) goes, and the next ready one is tried; the pool refills.
    for (let id = this.warmPool?.take(template); id !== undefined; id = this.warmPool?.take(template)) {
      const e = this.entries.get(id);
      if (!e) continue;
      // The template was changed (the catalog reads its files again) since the member was made: the member is an old playground.
      if (!isDeepStrictEqual(e.spec.manifest, own.manifest)) {
        this.opts.log('info', `${id}: a warm ${template} playground was made from an older version of the template, so it is destroyed`);
        void this.destroyPoolMember(id).catch((destroyErr: unknown) => this.opts.log('error', `${id}: ${errorMessage(destroyErr)}`));
        continue;
      }
      try {
        return await this.enqueue(e, () => this.handOut(e, own));
      } catch (err) {
        this.opts.log('warn', `${id}: a warm ${template} playground could not be handed out, so it is destroyed: ${errorMessage(err)}`);
        void this.destroyPoolMember(id).catch((destroyErr: unknown) => this.opts.log('error', `${id}: ${errorMessage(destroyErr)}`));
      }
    }
    return undefined;
  }

  /**
   * Turns a running pool member into the caller's playground: a new record (created now,
   * the caller's lifetime and labels) with the identity the member was made with — user
   * key pair and every machine's host key generated for this member alone, its id the
   * machines' host names — which nobody but this agent has used, and which no other
   * playground ever gets. So nothing is written into the machines: the record is written
   * while every machine shows it still answers (its SSH banner), and then says `running`.
   */
  private async handOut(e: Entry, own: HandOutRequest): Promise<PlaygroundRecord> {
    const driver = this.requireDriver(e);
    if (e.persisted.state !== 'running') throw new Error(`it is ${e.persisted.state}`);
    const t0 = performance.now();
    const old = e.stored;
    const fresh = newStoredPlayground({
      id: old.record.id,
      manifest: e.spec.manifest,
      manifestText: old.manifestText,
      manifestName: own.manifestName,
      template: old.record.template,
      driver: old.record.driver,
      lifetimeMinutes: own.lifetimeMinutes,
      labels: own.labels,
      keys: old,
    });
    fresh.record.state = 'running';
    for (const m of fresh.record.machines) {
      m.state = 'running';
      m.address = old.record.machines.find((x) => x.name === m.name)?.address;
    }
    const took = (p: Promise<unknown>) => p.then(() => Math.round(performance.now() - t0));
    // Side by side: until the pool mark goes, what is on disk is still a member's either way.
    // A member whose machines stopped answering fails here, whatever the record write says.
    const [answered, saved] = await Promise.allSettled([
      took(checkMachinesAnswer(driver, e.spec)),
      took(this.opts.store.saveHandOut(fresh, { keys: fresh.manifestName !== old.manifestName })),
    ]);
    if (answered.status === 'rejected') throw answered.reason;
    try {
      if (saved.status === 'rejected') throw saved.reason;
      this.opts.store.endPoolMembership(fresh.record.id);
    } catch (err) {
      throw notSaved(err, 'the warm playground was not handed out');
    }
    e.stored = fresh;
    e.persisted = clone(fresh.record);
    e.transition = undefined;
    // Its stream starts with the caller's playground: the member's own history is not theirs.
    this.opts.events.forget(fresh.record.id);
    this.announce(e, 'running', 'handed out from the warm pool');
    this.opts.log(
      'info',
      `${fresh.record.id}: handed out from the warm pool in ${Math.round(performance.now() - t0)} ms with the identity it was made with, nothing written into its machines (machines answered after ${answered.value} ms, record written after ${saved.value} ms)`,
    );
    return fresh.record;
  }

  /**
   * Resolves once the driver has made a new playground's machines, so a login can start while
   * its provisioning ends (its record written, its init tasks run); at once for a playground
   * made earlier; when `until` settles first.
   */
  machinesMade(id: string, until: Promise<unknown>): Promise<void> {
    const made = this.entries.get(id)?.madeOrOver ?? Promise.resolve();
    const ignore = () => undefined;
    return Promise.race([made, until.then(ignore, ignore)]);
  }

  /** The record once the operations queued on the playground so far (its provisioning after create) are done. */
  settled(id: string): Promise<PlaygroundRecord> {
    const e = this.entry(id);
    return this.enqueue(e, async () => this.get(id));
  }

  stop(id: string): Promise<PlaygroundRecord> {
    const e = this.entry(id);
    return this.enqueue(e, () => this.doStop(e));
  }

  start(id: string): Promise<PlaygroundRecord> {
    const e = this.entry(id);
    return this.enqueue(e, () => this.doStart(e));
  }

  restart(id: string): Promise<PlaygroundRecord> {
    const e = this.entry(id);
    return this.enqueue(e, async () => {
      await this.doStop(e);
      return this.doStart(e);
    });
  }

  async destroy(id: string): Promise<void> {
    await this.destroyEntry(this.entry(id));
  }

  /**
   * Destroys a playground whose one-shot run ended without making its caller wait for
   * it: an agent that stops before the destroy is done finishes it when it starts again
   * (adopt()) — a playground made for its run (createForRun) carries its mark from the
   * start, any other gets `destroying` written first. Then the destroy goes on in the
   * background and the playground is no longer listed. Resolves once that is so; rejects
   * (nothing started) when the state cannot be written — the caller then destroys the
   * ordinary way.
   */
  async releaseForDestroy(id: string): Promise<void> {
    const e = this.entry(id);
    if (!e.stored.run) {
      await this.commit(e, (r) => {
        r.state = 'destroying';
      });
    }
    e.released = true;
    this.destroyEntry(e).catch((err: unknown) => {
      // Listed again, so the user sees what is left; the next agent start tries again (its state is `destroying`).
      e.released = false;
      this.opts.log('error', `${id}: destroying it after its run: ${errorMessage(err)}`);
    });
  }

  private async destroyEntry(e: Entry): Promise<void> {
    const id = e.stored.record.id;
    await this.enqueue(e, async () => {
      const driver = this.requireDriver(e);
      this.show(e, 'destroying');
      try {
        await driver.destroy(e.spec, this.ctx(e));
      } catch (err) {
        this.settle(e, `destroy failed: ${errorMessage(err)}`);
        throw err;
      }
      this.forget(e);
      try {
        this.opts.store.remove(id);
      } catch (err) {
        // The machines are gone; a directory left behind is removed at the next start.
        this.opts.log('error', `${id}: destroyed, but removing its files failed: ${errorMessage(err)}`);
      }
    });
    this.opts.events.forget(id);
  }

  async extend(id: string, minutes: number): Promise<PlaygroundRecord> {
    const e = this.entry(id);
    const base = Math.max(Date.now(), Date.parse(e.stored.record.deadline));
    const deadline = new Date(base + minutes * 60_000).toISOString();
    try {
      await this.commit(e, (r) => (r.deadline = deadline));
    } catch (err) {
      throw notSaved(err, 'the lifetime was not extended');
    }
    this.expiryHeld.delete(id);
    this.emit(id, { type: 'log', at: now(), level: 'info', message: `lifetime extended to ${deadline}` });
    return e.stored.record;
  }

  /**
   * A byte stream to a machine's TCP port. `forUser` connections (tunnels from the API)
   * respect noSSH; the agent's own task connections do not.
   */
  /**
   * `provisioning`: the agent's own run session, which may log in to a machine that is up
   * while its playground still provisions (init tasks) and runs nothing before `running`.
   */
  async connect(id: string, machine: string, port: number, forUser: boolean, provisioning = false): Promise<Duplex> {
    const e = this.entry(id);
    const m = e.stored.record.machines.find((x) => x.name === machine);
    if (!m) {
      const names = e.stored.record.machines.map((x) => x.name).join(', ');
      throw new ApiProblem('machine_not_found', `playground ${id} has no machine "${machine}" (machines: ${names})`);
    }
    if (forUser && port === 22 && m.noSSH) throw new ApiProblem('no_ssh', `machine ${machine} has noSSH set in its manifest`);
    // A playground that failed with its machines up (an init task failed) stays open for a look.
    const reachable =
      e.stored.record.state === 'running' || e.stored.record.state === 'failed' || (provisioning && !forUser && e.stored.record.state === 'provisioning');
    if (!e.driver || !reachable || m.state !== 'running') {
      throw new ApiProblem(
        'not_running',
        `machine ${machine} of ${id} is ${m.state} (playground ${e.stored.record.state}); start it with: sandlot start ${id}`,
      );
    }
    return e.driver.connect(e.spec, machine, port);
  }

  /** Writes a change to a playground's record, then applies it; nothing changes when the write fails (state_not_saved). */
  async update(id: string, change: (record: PlaygroundRecord) => void): Promise<PlaygroundRecord> {
    const e = this.entry(id);
    try {
      await this.commit(e, change);
    } catch (err) {
      throw notSaved(err, 'nothing was changed');
    }
    return e.stored.record;
  }

  /**
   * Runs `op` with the playground's driver in its lifecycle queue: nothing stops, starts or
   * destroys it meanwhile (a snapshot's copy).
   */
  operate<T>(id: string, op: (driver: Driver, spec: PlaygroundSpec, ctx: DriverContext, record: PlaygroundRecord) => Promise<T>): Promise<T> {
    const e = this.entry(id);
    return this.enqueue(e, () => op(this.requireDriver(e), e.spec, this.ctx(e), e.stored.record));
  }

  /** The manifest text a playground was made from, and the name it goes by in messages. */
  manifestOf(id: string): { text: string; name: string } {
    const { stored } = this.entry(id);
    return { text: stored.manifestText, name: stored.manifestName };
  }

  /** Writes the record as it is in memory (the content service keeps task states in it). */
  async save(id: string): Promise<void> {
    await this.commit(this.entry(id), () => undefined);
  }

  emit(id: string, event: PlaygroundEvent): void {
    this.opts.events.emit(id, event);
  }

  // --- operations (run in the playground's queue) ---

  private async provision(e: Entry, driver: Driver, snapshotDir?: string): Promise<void> {
    try {
      if (snapshotDir && driver.createFromSnapshot) await driver.createFromSnapshot(e.spec, snapshotDir, this.ctx(e));
      else await driver.create(e.spec, this.ctx(e));
    } catch (err) {
      this.setMachines(e, 'failed');
      await this.fail(e, errorMessage(err)).catch((writeErr: unknown) => this.removeHalfMade(e, errorMessage(writeErr)));
      return;
    }
    e.made?.();
    const initTasks = e.initTasks ?? [];
    e.initTasks = undefined;
    if (initTasks.length > 0) {
      // The machines are up; the playground is ready only once its init tasks passed.
      this.setMachines(e, 'running');
      try {
        await runInitTasks({ plan: initTasks, runner: this.taskRunner(e, driver), progress: this.ctx(e).progress });
      } catch (err) {
        // The machines stay up, so what the task left behind can be looked at.
        await this.commit(e, (r) => {
          for (const m of r.machines) m.state = 'running';
        }).catch(() => undefined);
        await this.fail(e, errorMessage(err)).catch((writeErr: unknown) => this.opts.log('error', `${e.stored.record.id}: ${errorMessage(writeErr)}`));
        return;
      }
    }
    try {
      await this.commit(e, (r) => {
        r.state = 'running';
        for (const m of r.machines) m.state = 'running';
      });
    } catch (err) {
      return this.removeHalfMade(e, `the agent could not record it as running (${errorMessage(err)})`);
    }
    this.settle(e);
  }

  /** SSH into the playground's machines for its init tasks, straight through the driver (the playground is not `running` yet). */
  private taskRunner(e: Entry, driver: Driver): SshRunner {
    return new SshRunner({
      connect: (machine) => driver.connect(e.spec, machine, 22),
      privateKey: e.stored.userKey.privateKey,
      hostKey: (machine) => e.stored.record.machines.find((m) => m.name === machine)?.hostKey,
    });
  }

  /** A playground whose creation cannot be recorded is taken down and removed: no half-made record stays behind. */
  private async removeHalfMade(e: Entry, why: string): Promise<void> {
    const id = e.stored.record.id;
    const message = `${why}; the half-made playground was removed`;
    this.opts.log('error', `${id}: ${message}`);
    await e.driver?.destroy(e.spec, this.ctx(e)).catch((err: unknown) => this.opts.log('error', `${id}: destroying it: ${errorMessage(err)}`));
    this.emit(id, { type: 'error', at: now(), message });
    e.stored.record.error = message;
    this.show(e, 'failed', message);
    this.forget(e, false);
    try {
      this.opts.store.remove(id);
    } catch (err) {
      this.opts.log('error', `${id}: removing its files: ${errorMessage(err)}`);
    }
    this.opts.events.forget(id);
  }

  private async doStop(e: Entry): Promise<PlaygroundRecord> {
    const driver = this.requireDriver(e);
    const before = e.persisted.state;
    this.show(e, 'stopping');
    try {
      await driver.stop(e.spec, this.ctx(e));
    } catch (err) {
      await this.fail(e, `stop: ${errorMessage(err)}`);
      return e.stored.record;
    }
    try {
      await this.commit(e, (r) => {
        r.state = 'stopped';
        for (const m of r.machines) m.state = 'stopped';
      });
    } catch (err) {
      // The record still says what it said: make the machines say so again.
      const undo = before === 'running' ? await this.undo(e, () => driver.start(e.spec, this.ctx(e)), 'its machines were started again') : '';
      this.restore(e);
      throw notSaved(err, `it was not stopped${undo}`);
    }
    this.settle(e);
    return e.stored.record;
  }

  private async doStart(e: Entry): Promise<PlaygroundRecord> {
    const driver = this.requireDriver(e);
    const id = e.stored.record.id;
    if (Date.parse(e.stored.record.deadline) <= Date.now()) {
      throw new ApiProblem('expired', `playground ${id} has expired; extend it first (sandlot extend ${id})`);
    }
    this.show(e, 'starting');
    try {
      await driver.start(e.spec, this.ctx(e));
    } catch (err) {
      await this.fail(e, `start: ${errorMessage(err)}`);
      return e.stored.record;
    }
    try {
      await this.commit(e, (r) => {
        r.state = 'running';
        r.error = undefined;
        for (const m of r.machines) m.state = 'running';
      });
    } catch (err) {
      const undo = await this.undo(e, () => driver.stop(e.spec, this.ctx(e)), 'its machines were stopped again');
      this.restore(e);
      throw notSaved(err, `it was not started${undo}`);
    }
    this.settle(e);
    return e.stored.record;
  }

  /** Runs an undo step; says how it went, for the caller's message. */
  private async undo(e: Entry, step: () => Promise<void>, done: string): Promise<string> {
    try {
      await step();
      return `; ${done}`;
    } catch (err) {
      this.opts.log('error', `${e.stored.record.id}: undoing: ${errorMessage(err)}`);
      return `; undoing it failed too (${errorMessage(err)})`;
    }
  }

  /** Playgrounds whose expiry (stop, then destroy) is under way: a later sweep leaves them be. */
  private readonly expiring = new Set<string>();
  /** Expired playgrounds kept because beforeExpiry failed: not tried again until extended (or the agent restarts). */
  private readonly expiryHeld = new Set<string>();

  private sweep(): void {
    for (const e of [...this.entries.values()]) {
      const r = e.stored.record;
      if (Date.parse(r.deadline) > Date.now() || this.expiring.has(r.id) || this.expiryHeld.has(r.id) || !e.driver || e.stored.pool !== undefined) continue;
      this.expiring.add(r.id);
      this.emit(r.id, { type: 'log', at: now(), level: 'warn', message: `lifetime ended at ${r.deadline}: stopping, then destroying` });
      void (async () => {
        try {
          if (e.persisted.state === 'running') await this.stop(r.id);
          if (this.opts.beforeExpiry) {
            try {
              await this.opts.beforeExpiry(r.id);
            } catch (err) {
              this.expiryHeld.add(r.id);
              const message = `expired, but kept (stopped): ${errorMessage(err)}; destroy it yourself, or extend it`;
              this.emit(r.id, { type: 'error', at: now(), message });
              throw new Error(message, { cause: err });
            }
          }
          await this.destroy(r.id);
          this.opts.log('info', `${r.id}: expired and destroyed`);
        } catch (err) {
          this.opts.log('error', `${r.id}: expiry failed: ${errorMessage(err)}`);
        } finally {
          this.expiring.delete(r.id);
        }
      })();
    }
  }

  // --- state ---

  /**
   * Writes the record with `change` applied, then applies it in memory. Writes of one
   * playground run one at a time; each starts from the record as it then is, with the
   * written state (a transitional state is never written).
   */
  private commit(e: Entry, change: (r: PlaygroundRecord) => void): Promise<void> {
    const write = async () => {
      const next = clone(e.stored.record);
      next.state = e.persisted.state;
      next.error = e.persisted.error;
      change(next);
      await this.opts.store.saveRecord(next);
      change(e.stored.record);
      e.stored.record.state = e.transition ?? next.state;
      e.stored.record.error = next.error;
      e.persisted = next;
    };
    const done = e.writes.then(write, write);
    e.writes = done.catch(() => undefined);
    return done;
  }

  /** Records a failure; when even that cannot be written, shows the record as it is on disk and throws state_not_saved. */
  private async fail(e: Entry, message: string): Promise<void> {
    const id = e.stored.record.id;
    this.emit(id, { type: 'error', at: now(), message });
    this.opts.log('error', `${id}: ${message}`);
    try {
      await this.commit(e, (r) => {
        r.state = 'failed';
        r.error = message;
      });
    } catch (err) {
      this.restore(e);
      throw notSaved(err, `it failed (${message}) and that could not be recorded either`);
    }
    this.settle(e, message);
  }

  /** Shows a transitional state (not written). */
  private show(e: Entry, state: PlaygroundState, message?: string): void {
    e.transition = state;
    this.announce(e, state, message);
  }

  /** Ends a transition: the record shows its written state again. */
  private settle(e: Entry, message?: string): void {
    e.transition = undefined;
    this.announce(e, e.persisted.state, message);
  }

  /** Machine states and error back to what is on disk (after an operation that could not be recorded). */
  private restore(e: Entry): void {
    e.stored.record.error = e.persisted.error;
    for (const m of e.stored.record.machines) {
      const written = e.persisted.machines.find((x) => x.name === m.name)?.state;
      if (written) this.setMachine(e, m.name, written);
    }
    this.settle(e);
  }

  private announce(e: Entry, state: PlaygroundState, message?: string): void {
    e.stored.record.state = state;
    this.emit(e.stored.record.id, { type: 'playground', at: now(), state, message });
    if (e.stored.pool === undefined) for (const l of this.onStateChange) l(e.stored.record);
  }

  /** The playground is gone from this agent (destroyed, or removed half-made). */
  private forget(e: Entry, announce = true): void {
    e.transition = undefined;
    e.stored.record.state = 'destroyed';
    if (announce) this.emit(e.stored.record.id, { type: 'playground', at: now(), state: 'destroyed' });
    if (e.stored.pool === undefined) for (const l of this.onStateChange) l(e.stored.record);
    this.entries.delete(e.stored.record.id);
  }

  private setMachine(e: Entry, machine: string, state: MachineState): void {
    const m = e.stored.record.machines.find((x) => x.name === machine);
    if (!m || m.state === state) return;
    m.state = state;
    this.emit(e.stored.record.id, { type: 'machine', at: now(), machine, state });
  }

  private setMachines(e: Entry, state: MachineState): void {
    for (const m of e.stored.record.machines) this.setMachine(e, m.name, state);
  }

  // --- internals ---

  private resolveManifest(req: BodyOf<'createPlayground'>): { manifest: PlaygroundManifest; manifestName: string; template: string; warnings: string[] } {
    if (req.template !== undefined) {
      const entry = this.opts.catalog.get(req.template);
      if (!entry) throw new ApiProblem('template_not_found', `unknown template "${req.template}" (available: ${this.opts.catalog.names().join(', ')})`);
      return { manifest: entry.manifest, manifestName: entry.file, template: req.template, warnings: [] };
    }
    const name = req.manifestName ?? 'manifest';
    const catalog = this.opts.catalog;
    const bases: BaseCatalog = { get: (n) => catalog.get(n)?.manifest, names: () => catalog.names() };
    try {
      const { manifest, warnings } = loadManifest(req.manifest ?? '', name, { bases });
      return { manifest, manifestName: name, template: manifest.name, warnings };
    } catch (err) {
      throw new ApiProblem('invalid_manifest', errorMessage(err));
    }
  }

  /** The stored (effective) manifest and the layout of its tabs. */
  manifestView(id: string): PlaygroundManifestView {
    const e = this.entry(id);
    return { text: e.stored.manifestText, tabs: resolveTabs(e.spec.manifest).tabs };
  }

  private buildSpec(stored: StoredPlayground, manifest: PlaygroundManifest): PlaygroundSpec {
    const { id } = stored.record;
    return buildPlaygroundSpec(manifest, { id, dir: this.opts.store.dir(id), userKey: stored.userKey, hostKeys: stored.hostKeys });
  }

  /** A user's playground by id (warm pool members are nobody's yet). */
  private entry(id: string): Entry {
    const e = this.entries.get(id);
    if (!e || e.stored.pool !== undefined) throw new ApiProblem('playground_not_found', `no playground "${id}" (see: sandlot list)`);
    return e;
  }

  private requireDriver(e: Entry): Driver {
    if (!e.driver) {
      throw new ApiProblem(
        'driver_not_enabled',
        `${e.stored.record.id} needs the ${e.stored.record.driver} driver (start the agent with --driver ${e.stored.record.driver})`,
      );
    }
    return e.driver;
  }

  private enqueue<T>(e: Entry, op: () => Promise<T>): Promise<T> {
    const next = e.queue.then(op, op);
    e.queue = next.catch(() => undefined);
    return next;
  }

  private ctx(e: Entry): DriverContext {
    const id = e.stored.record.id;
    return {
      progress: (step, status, machine, message) => {
        this.emit(id, { type: 'step', at: now(), step, status, machine, message });
        // The agent's log keeps each step's start and end (not the progress lines between):
        // a start that never ends then shows where it stopped.
        if (message === undefined || status !== 'started') {
          this.opts.log(status === 'failed' ? 'warn' : 'info', `${id}: ${step}${machine ? ` ${machine}` : ''} ${status}${message ? `: ${message}` : ''}`);
        }
        // Only a machine's own start says it is up (its image being ready does not): machineUp
        // and the logins that wait on it (a run's, started while provisioning ends) trust it.
        if (machine && step === 'machine' && status === 'done') this.setMachine(e, machine, 'running');
      },
      log: (level, message, machine) => this.emit(id, { type: 'log', at: now(), level, message, machine }),
    };
  }
}

/** The API's answer for a change that could not be written; `outcome` says what became of the operation. */
function notSaved(err: unknown, outcome: string): Error {
  if (err instanceof StateWriteError) return new ApiProblem('state_not_saved', `${err.message}; ${outcome}`);
  return err instanceof Error ? err : new Error(String(err));
}
